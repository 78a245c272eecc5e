using Appliance.Cloud.Http;
using Appliance.Cloud.Http.Api;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud ... --http HOST:PORT [--http-token-file F] [--heartbeat-timeout T]</c>: the collector's HTTP surface
/// (<see cref="FleetHttpServer"/>). Loopback unless told otherwise; a non-loopback address needs a token. The API reads
/// through its own store instance (its own connection), so queries never wait on the collector's connection.
/// </summary>
internal static class CloudHttp
{
    /// <summary>Checks the HTTP options before anything is created; null when <c>--http</c> is absent.</summary>
    /// <exception cref="ArgumentException">A malformed address or timeout, a token file without <c>--http</c>, or a
    /// non-loopback address without a token (messages name the option).</exception>
    public static FleetHttpOptions? Options(string? http, FileInfo? tokenFile, string heartbeatTimeout)
    {
        if (http is null)
        {
            return tokenFile is null ? null : throw new ArgumentException("--http-token-file needs --http HOST:PORT (the token guards the HTTP surface)");
        }

        var endpoint = FleetHttpOptions.ParseEndpoint(http);
        if (!Duration.TryParse(heartbeatTimeout, out TimeSpan timeout, out string? error) || timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--heartbeat-timeout {heartbeatTimeout}: {(error.Length == 0 ? "expected a positive duration" : error)} (e.g. 25s)");
        }

        string? token = tokenFile is null ? null : FleetHttpOptions.ReadToken(tokenFile.FullName);
        var options = new FleetHttpOptions(endpoint, token, timeout);
        return options.IsLoopback || token is not null ? options
            : throw new ArgumentException($"--http {http}: not a loopback address, so the API needs a bearer token: give --http-token-file FILE");
    }

    /// <summary>Opens the API's own store on <paramref name="db"/> and starts the server; logs its address.</summary>
    /// <returns>Disposing stops the server, then closes the store.</returns>
    public static async Task<IAsyncDisposable> StartAsync(FleetHttpOptions options, string db, Func<CollectorCounters> counters, ILoggerFactory logging, ILogger log, Appliance.Cloud.Rollouts.RolloutController? rollouts = null)
    {
        var store = (IFleetReader)CloudCommand.OpenStore(db);
        try
        {
            var server = await FleetHttpServer.StartAsync(options, new FleetApi(store, options, counters) { Rollouts = rollouts }, logging);
            log.LogInformation("HTTP API, dashboard and /metrics on {Address} ({Guard}; online = a message within {Timeout} s)",
                server.Address, options.Token is null ? "loopback, no token" : "bearer token required", options.HeartbeatTimeout.TotalSeconds);
            return new Running(server, (IDisposable)store);
        }
        catch
        {
            ((IDisposable)store).Dispose();
            throw;
        }
    }

    private sealed class Running(FleetHttpServer server, IDisposable store) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await server.DisposeAsync();
            store.Dispose();
        }
    }
}
