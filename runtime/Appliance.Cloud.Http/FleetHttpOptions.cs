using System.Globalization;
using System.Net;

namespace Appliance.Cloud.Http;

/// <summary>How the collector's HTTP surface listens and whom it serves (<c>appliance cloud --http ADDR [--http-token-file F]
/// [--heartbeat-timeout T]</c>).</summary>
/// <param name="Endpoint">The address and TCP port Kestrel binds (port 0: any free port).</param>
/// <param name="Token">The bearer token every API call, page and <c>/metrics</c> must carry; null for none (loopback only).</param>
/// <param name="HeartbeatTimeout">A device is online while its latest message (a heartbeat, summary or alert) is younger than this.</param>
public sealed record FleetHttpOptions(IPEndPoint Endpoint, string? Token, TimeSpan HeartbeatTimeout)
{
    /// <summary>Default <see cref="HeartbeatTimeout"/>: 25 s, two and a half of the device's 10 s heartbeat period
    /// (runtime/Appliance.Device/Hosting/DeviceParts.cs), so one lost heartbeat does not flap a device offline.</summary>
    public static readonly TimeSpan DefaultHeartbeatTimeout = TimeSpan.FromSeconds(25);

    /// <summary>True when <see cref="Endpoint"/> is a loopback address (127.0.0.0/8 or ::1).</summary>
    public bool IsLoopback => IPAddress.IsLoopback(Endpoint.Address);

    /// <summary>Parses <c>--http</c>: <c>HOST:PORT</c> with HOST an IPv4 address, <c>[IPv6]</c> or <c>localhost</c>
    /// (an optional <c>http://</c> prefix is allowed).</summary>
    /// <param name="value">The option's value, e.g. <c>127.0.0.1:8080</c>.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException">Not HOST:PORT (the message names <c>--http</c> and what was expected).</exception>
    public static IPEndPoint ParseEndpoint(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string text = value.StartsWith("http://", StringComparison.Ordinal) ? value["http://".Length..].TrimEnd('/') : value;
        int colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535)
        {
            string host = text[..colon].Trim('[', ']');
            if (host == "localhost")
            {
                return new IPEndPoint(IPAddress.Loopback, port);
            }

            if (IPAddress.TryParse(host, out IPAddress? address))
            {
                return new IPEndPoint(address, port);
            }
        }

        throw new ArgumentException($"--http {value}: expected HOST:PORT with an IP address, e.g. 127.0.0.1:8080 (0.0.0.0:8080 for every interface, with --http-token-file)");
    }

    /// <summary>Reads the token file of <c>--http-token-file</c>: its first line, trimmed; at least 16 characters.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The token.</returns>
    /// <exception cref="FormatException">The token is shorter than 16 characters (message names the file).</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static string ReadToken(string path)
    {
        string token = (File.ReadLines(path).FirstOrDefault() ?? "").Trim();
        return token.Length >= 16 ? token
            : throw new FormatException($"{path}: expected a bearer token of at least 16 characters on the first line (e.g. from `openssl rand -hex 32`)");
    }
}
