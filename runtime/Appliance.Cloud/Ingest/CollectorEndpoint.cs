using System.Globalization;

namespace Appliance.Cloud.Ingest;

/// <summary>The collector's listen endpoint, checked before anything binds or is created.</summary>
public static class CollectorEndpoint
{
    /// <summary>Checks a listen endpoint without binding it.</summary>
    /// <param name="listenEndpoint">E.g. <c>tcp://127.0.0.1:5556</c>.</param>
    /// <returns>The host part and the port (0: any free port).</returns>
    /// <exception cref="ArgumentException">Not <c>tcp://host:port</c> with a port of 0 to 65535.</exception>
    public static (string Host, int Port) Parse(string listenEndpoint)
    {
        ArgumentNullException.ThrowIfNull(listenEndpoint);
        int colon = listenEndpoint.LastIndexOf(':');
        if (!listenEndpoint.StartsWith("tcp://", StringComparison.Ordinal) || colon <= "tcp://".Length
            || !int.TryParse(listenEndpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ArgumentException($"collector listen endpoint '{listenEndpoint}' is not a ZeroMQ endpoint (expected tcp://host:port)", nameof(listenEndpoint));
        }

        return (listenEndpoint["tcp://".Length..colon], port);
    }

    /// <summary>True when the endpoint's host is a loopback address (127.0.0.0/8, <c>localhost</c>, <c>[::1]</c>), reachable
    /// only from this machine.</summary>
    /// <param name="listenEndpoint">A valid endpoint (<see cref="Parse"/>).</param>
    /// <returns>Whether only local peers can connect.</returns>
    public static bool IsLoopback(string listenEndpoint)
    {
        string host = Parse(listenEndpoint).Host.Trim('[', ']');
        return host == "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}
