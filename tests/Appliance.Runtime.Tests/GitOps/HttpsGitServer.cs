using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A local HTTPS git server: a small TLS-terminating HTTP/1.1 front (SslStream, a self-signed certificate for 127.0.0.1
/// made with <see cref="CertificateRequest"/>) that demands HTTP basic authentication (RFC 7617) and hands every
/// authenticated request to git's own smart-HTTP server, <c>git http-backend</c>, as a CGI program (RFC 3875), serving
/// the bare repositories under <see cref="Root"/> at <c>https://127.0.0.1:PORT/NAME.git</c>.
/// </summary>
internal sealed class HttpsGitServer : IDisposable
{
    private const string Backend = "/usr/lib/git-core/git-http-backend";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _token;
    private readonly CancellationTokenSource _stop = new();
    private int _refused;

    /// <summary>Starts serving <paramref name="root"/>; only <paramref name="user"/>:<paramref name="token"/> gets in.</summary>
    public HttpsGitServer(string root, string user, string token)
    {
        Root = root;
        _user = user;
        _token = token;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null); // SslStream wants a key it can use
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>The folder whose bare repositories are served.</summary>
    public string Root { get; }

    /// <summary>The base URL, <c>https://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl => $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The server's certificate as PEM (what a device is given as its <c>--repo-ca-file</c>).</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Requests answered 401 so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(_certificate);
                while (await ReadRequestAsync(tls) is { } request)
                {
                    await RespondAsync(tls, request);
                }
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
            {
                // The client went away or refused the certificate (the untrusted-server case): nothing to answer.
            }
        }
    }

    private sealed record Request(string Method, string Target, Dictionary<string, string> Headers, byte[] Body);

    private static async Task<Request?> ReadRequestAsync(Stream s)
    {
        var head = new List<string>();
        while (await ReadLineAsync(s) is { } line)
        {
            if (line.Length == 0)
            {
                break;
            }

            head.Add(line);
        }

        if (head.Count == 0)
        {
            return null;
        }

        var parts = head[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in head.Skip(1))
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            headers[h[..colon].Trim()] = h[(colon + 1)..].Trim();
        }

        var body = new MemoryStream();
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9112 §7.1: size in hex, CRLF, data, CRLF; a zero size ends the body.
            while (int.Parse((await ReadLineAsync(s))!.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var size and > 0)
            {
                await CopyExactlyAsync(s, body, size);
                await ReadLineAsync(s);
            }

            await ReadLineAsync(s);
        }
        else if (headers.TryGetValue("Content-Length", out var length))
        {
            await CopyExactlyAsync(s, body, int.Parse(length, CultureInfo.InvariantCulture));
        }

        return new Request(parts[0], parts[1], headers, body.ToArray());
    }

    private async Task RespondAsync(Stream s, Request request)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_token}"));
        if (!request.Headers.TryGetValue("Authorization", out var given) || given != expected)
        {
            Interlocked.Increment(ref _refused);
            await WriteAsync(s, "401 Unauthorized", ["WWW-Authenticate: Basic realm=\"git\"", "Content-Type: text/plain"], "authentication required\n"u8.ToArray());
            return;
        }

        var query = request.Target.IndexOf('?', StringComparison.Ordinal);
        var psi = new ProcessStartInfo(Backend) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["GIT_PROJECT_ROOT"] = Root;
        psi.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        psi.Environment["REQUEST_METHOD"] = request.Method;
        psi.Environment["PATH_INFO"] = Uri.UnescapeDataString(query < 0 ? request.Target : request.Target[..query]);
        psi.Environment["QUERY_STRING"] = query < 0 ? "" : request.Target[(query + 1)..];
        psi.Environment["CONTENT_TYPE"] = request.Headers.GetValueOrDefault("Content-Type", "");
        psi.Environment["CONTENT_LENGTH"] = request.Body.Length.ToString(CultureInfo.InvariantCulture);
        psi.Environment["REMOTE_USER"] = _user;
        psi.Environment["REMOTE_ADDR"] = "127.0.0.1";
        psi.Environment["GIT_PROTOCOL"] = request.Headers.GetValueOrDefault("Git-Protocol", "");
        psi.Environment["HTTP_CONTENT_ENCODING"] = request.Headers.GetValueOrDefault("Content-Encoding", "");
        using var cgi = Process.Start(psi)!;
        var stderr = cgi.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        var read = cgi.StandardOutput.BaseStream.CopyToAsync(output);
        await cgi.StandardInput.BaseStream.WriteAsync(request.Body);
        cgi.StandardInput.Close();
        await read;
        await cgi.WaitForExitAsync();
        await stderr;

        // CGI response (RFC 3875 §6): header lines, a blank line, the body; "Status:" gives the HTTP status.
        var bytes = output.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var (sep, skip) = end >= 0 ? (end, 4) : (bytes.AsSpan().IndexOf("\n\n"u8), 2);
        var headers = Encoding.ASCII.GetString(bytes, 0, sep).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var status = headers.FirstOrDefault(h => h.StartsWith("Status:", StringComparison.OrdinalIgnoreCase))?[7..].Trim() ?? "200 OK";
        headers.RemoveAll(h => h.StartsWith("Status:", StringComparison.OrdinalIgnoreCase));
        await WriteAsync(s, status, headers, bytes[(sep + skip)..]);
    }

    private static async Task WriteAsync(Stream s, string status, IEnumerable<string> headers, byte[] body)
    {
        var head = new StringBuilder().Append("HTTP/1.1 ").Append(status).Append("\r\n");
        foreach (var h in headers)
        {
            head.Append(h).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        await s.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await s.WriteAsync(body);
        await s.FlushAsync();
    }

    private static async Task<string?> ReadLineAsync(Stream s)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await s.ReadAsync(one) == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }

    private static async Task CopyExactlyAsync(Stream from, Stream to, int count)
    {
        var buffer = new byte[count];
        await from.ReadExactlyAsync(buffer);
        await to.WriteAsync(buffer);
    }
}
