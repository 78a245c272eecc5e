using Appliance.Kernels.Text;

namespace Appliance.Contracts.Config;

public static partial class ConfigLoader
{
    /// <summary>Most collectors in <c>[uplink] endpoints</c>.</summary>
    public const int MaxUplinkEndpoints = 16;

    /// <summary>
    /// Reads <c>[uplink]</c>: the collector as <c>endpoint = "tcp://host:port"</c>, or several as <c>endpoints = ["tcp://a:5555",
    /// "tcp://b:5555"]</c> (failover order, 1 to <see cref="MaxUplinkEndpoints"/>, distinct; one of the two keys), the CURVE keys
    /// and <c>allow_plaintext</c>. Every endpoint without CURVE keys must be loopback unless plaintext is allowed.
    /// </summary>
    /// <exception cref="ConfigException">A key is missing, malformed or in conflict; the message names the file, line and key.</exception>
    private static UplinkSettings ReadUplink(TableReader up)
    {
        up.RejectUnknown(["endpoint", "endpoints", "curve_server_key", "curve_secret_key_file", "allow_plaintext"]);
        IReadOnlyList<string>? list = up.StringArray("endpoints");
        if (list is not null && up.Has("endpoint"))
        {
            throw up.Error("endpoints", "give endpoint or endpoints, not both");
        }

        if (list is { Count: 0 or > MaxUplinkEndpoints })
        {
            throw up.Error("endpoints", $"{list.Count} endpoints (expected 1 to {MaxUplinkEndpoints} tcp://host:port strings)");
        }

        string key = list is null ? "endpoint" : "endpoints";
        IReadOnlyList<string> endpoints = list ?? [up.String("endpoint", required: true)!];
        for (int i = 0; i < endpoints.Count; i++)
        {
            if (!Endpoint().IsMatch(endpoints[i]))
            {
                throw up.Error(key, $"{QuotedText.Quote(endpoints[i])} is not a ZeroMQ endpoint (expected tcp://host:port)");
            }

            if (endpoints.Take(i).Contains(endpoints[i], StringComparer.Ordinal))
            {
                throw up.Error(key, $"{QuotedText.Quote(endpoints[i])} is listed twice (expected distinct collectors)");
            }
        }

        var serverKey = up.String("curve_server_key", required: false);
        if (serverKey is not null && !Z85Key().IsMatch(serverKey))
        {
            throw up.Error("curve_server_key", $"{QuotedText.Quote(serverKey)} is not a CURVE public key (expected 40 Z85 characters, as zmq_curve_keypair prints)");
        }

        var secretFile = up.String("curve_secret_key_file", required: false);
        if ((serverKey is null) != (secretFile is null))
        {
            throw up.Error(serverKey is null ? "curve_secret_key_file" : "curve_server_key", "curve_server_key and curve_secret_key_file go together (CURVE needs the collector's public key and this device's secret key)");
        }

        var settings = new UplinkSettings(endpoints[0], serverKey, secretFile, up.Boolean("allow_plaintext", false), list is null ? null : [.. endpoints.Skip(1)]);
        if (serverKey is null && !settings.AllowPlaintext && endpoints.FirstOrDefault(e => !UplinkSettings.IsLoopback(e)) is { } remote)
        {
            // The uplink refuses this when it is built; refusing it here names the line, and `check`, `doctor --config` and `run` agree.
            throw up.Error(key, $"{QuotedText.Quote(remote)} is not loopback and has no CURVE keys (expected curve_server_key and curve_secret_key_file, or allow_plaintext = true on an isolated network)");
        }

        return settings;
    }
}
