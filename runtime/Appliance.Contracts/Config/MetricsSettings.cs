using System.Net;
using Appliance.Kernels.Text;

namespace Appliance.Contracts.Config;

/// <summary>The <c>[metrics]</c> table: the device's Prometheus endpoint (<c>GET /metrics</c>, text exposition 0.0.4), off
/// when the table or its <c>listen</c> key is absent.</summary>
/// <param name="Listen"><c>listen</c>: the address to serve on, an IP address and a port 1..65535 as <c>IP:PORT</c>
/// (<c>"127.0.0.1:9464"</c>, <c>"[::1]:9464"</c>, <c>"0.0.0.0:9464"</c>); a non-loopback address is allowed and logged.</param>
public sealed record MetricsSettings(IPEndPoint Listen)
{
    /// <summary>Whether <see cref="Listen"/> is a loopback address (only this machine can read the exposition).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Listen.Address);

    /// <summary>Reads the optional <c>[metrics]</c> table; null when the endpoint is off.</summary>
    /// <exception cref="ConfigException">An unknown key, or <c>listen</c> not an <c>IP:PORT</c> (file and line named).</exception>
    internal static MetricsSettings? Read(TableReader root)
    {
        var t = root.Table("metrics", required: false);
        t.RejectUnknown(["listen"]);
        var listen = t.String("listen", required: false);
        if (listen is null)
        {
            return null;
        }

        // IPEndPoint.TryParse takes a bare address as port 0; a port is required here.
        if (!IPEndPoint.TryParse(listen, out var endPoint) || endPoint.Port == 0 || listen.EndsWith(']'))
        {
            throw t.Error("listen", $"{QuotedText.Quote(listen)} is not an address to listen on (expected IP:PORT with a port 1..65535, e.g. \"127.0.0.1:9464\")");
        }

        return new MetricsSettings(endPoint);
    }
}
