using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Contracts.Config;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Metrics;

/// <summary>
/// The device's <c>[metrics] listen</c> endpoint: a minimal HTTP/1.1 responder on a <see cref="TcpListener"/> that answers
/// <c>GET /metrics</c> with the <see cref="DeviceExposition"/> and closes the connection; any other path is 404, another
/// method 405, a request head over 8 KiB 431, one not complete within 5 s is dropped. One connection at a time (a scraper
/// polls every few seconds). Chosen over OpenTelemetry's HttpListener exporter to keep the device binary small (no
/// System.Net.HttpListener, no OpenTelemetry SDK in the device flavor).
/// </summary>
internal sealed partial class MetricsEndpoint(Func<string> exposition, ILogger logger) : IDisposable
{
    private const int MaxHead = 8192;
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(5);
    private MetricsSettings? _settings;
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    /// <summary>The bound address (the actual port when <c>listen</c> named port 0 in a test), or null when off.</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    /// <summary>Requests answered (any status) since the device started.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    private long _requests;

    /// <summary>Starts, stops or rebinds the endpoint for a revision's <c>[metrics]</c>; the same settings leave it running.
    /// An address that cannot be bound is logged as an error and leaves the endpoint off (the revision still applies).</summary>
    /// <param name="settings">The revision's <c>[metrics]</c>, or null for none.</param>
    public void Apply(MetricsSettings? settings)
    {
        if (settings == _settings && (settings is null || _listener is not null))
        {
            return;
        }

        Stop();
        _settings = settings;
        if (settings is null)
        {
            return;
        }

        if (!settings.IsLoopback)
        {
            LogNotLoopback(logger, settings.Listen.ToString());
        }

        var listener = new TcpListener(settings.Listen);
        try
        {
            listener.Start(backlog: 4);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            LogBindFailed(logger, settings.Listen.ToString(), e.Message);
            return;
        }

        _listener = listener;
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(() => AcceptLoopAsync(listener, token), CancellationToken.None);
        LogListening(logger, LocalEndPoint!.ToString());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop();
        _settings = null;
    }

    private void Stop()
    {
        if (_listener is null)
        {
            return;
        }

        _stop!.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(2));
        _listener.Dispose();
        _stop.Dispose();
        _listener = null;
        _stop = null;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && token.IsCancellationRequested)
            {
                return;
            }

            using (client)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(s_requestTimeout);
                try
                {
                    await ServeAsync(client, timeout.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
                {
                    LogRequestFailed(logger, e.Message); // a slow or broken client; the next one is served
                }
            }
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken token)
    {
        var buffer = new byte[MaxHead];
        var length = 0;
        var end = -1;
        while (end < 0)
        {
            if (length == buffer.Length)
            {
                await RespondAsync(client, "431 Request Header Fields Too Large", "request head over 8 KiB\n", null, token);
                return;
            }

            var n = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, token);
            if (n == 0)
            {
                return; // closed before a whole request head arrived
            }

            length += n;
            end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
        }

        var head = Encoding.ASCII.GetString(buffer, 0, end);
        var line = head.AsSpan(0, head.IndexOf('\r') is var cr and >= 0 ? cr : head.Length);
        var parts = line.ToString().Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            await RespondAsync(client, "400 Bad Request", "expected an HTTP/1.x request line\n", null, token);
            return;
        }

        var path = parts[1].Split('?')[0];
        if (path != "/metrics")
        {
            await RespondAsync(client, "404 Not Found", "only /metrics is served here\n", null, token);
        }
        else if (parts[0] != "GET")
        {
            await RespondAsync(client, "405 Method Not Allowed", "only GET is served here\n", "Allow: GET\r\n", token);
        }
        else
        {
            await RespondAsync(client, "200 OK", exposition(), null, token, DeviceExposition.ContentType);
        }
    }

    private async Task RespondAsync(Socket client, string status, string body, string? extraHeaders, CancellationToken token, string contentType = "text/plain; charset=utf-8")
    {
        Interlocked.Increment(ref _requests);
        var content = Encoding.UTF8.GetBytes(body);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\n{extraHeaders}Connection: close\r\n\r\n");
        await client.SendAsync(head, SocketFlags.None, token);
        await client.SendAsync(content, SocketFlags.None, token);
        client.Shutdown(SocketShutdown.Send);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "metrics: serving GET /metrics on {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "metrics: listen {Address} is not a loopback address: the exposition is readable from the network (it has no authentication)")]
    private static partial void LogNotLoopback(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "metrics: cannot listen on {Address}: {Reason}; the endpoint stays off until a revision changes [metrics]")]
    private static partial void LogBindFailed(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "metrics: request dropped: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string reason);
}
