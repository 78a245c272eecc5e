using System.Diagnostics;
using System.Globalization;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;

namespace Appliance.Commands;

/// <summary>When every device came back after a collector restart, seconds from the restart; null where not reached.</summary>
/// <param name="HalfS">Half the devices routed again.</param>
/// <param name="P99S">99 % of them.</param>
/// <param name="AllS">All of them.</param>
internal sealed record ReconnectSpread(double? HalfS, double? P99S, double? AllS);

/// <summary>
/// <c>appliance bench fleet --restart-collector-at T</c> (issue 17 item 6, the reconnect storm): T into the load phase the
/// first collector is disposed (its connections dropped, what it held uncommitted never acknowledged), stays down
/// <see cref="Down"/> (longer than a device's dead-peer detection, 3 pings of 1 s, so every device backs off and reconnects
/// with its jittered backoff), and a new collector is started on the same port and store. The spread of the reconnects is
/// read on the collector's side: the times from the restart at which it held routes again (a route is made by a device's
/// first frame on its new connection) for half, 99 % and all of the devices, sampled every 20 ms. Loss and duplication are
/// the bench's own audit from the rows.
/// </summary>
internal static class CollectorRestart
{
    /// <summary>How long the collector stays down.</summary>
    public static readonly TimeSpan Down = TimeSpan.FromSeconds(5);

    /// <summary>Restarts <c>collectors[0]</c> at <paramref name="at"/> and measures its <paramref name="devices"/> coming back.</summary>
    /// <param name="collectors">The bench's collectors; element 0 is replaced by the new one.</param>
    /// <param name="store">The first collector's store (kept open: the new collector writes into it).</param>
    /// <param name="retired">Receives the disposed collector, whose counters still count.</param>
    /// <param name="at">When, from the start of the load phase.</param>
    /// <param name="devices">Devices whose first endpoint is the first collector.</param>
    /// <returns>The spread; null figures where the devices did not all come back within 120 s.</returns>
    public static async Task<ReconnectSpread> RunAsync(List<Collector> collectors, ICollectorStore store, List<Collector> retired, TimeSpan at, int devices)
    {
        await Task.Delay(at).ConfigureAwait(false);
        Collector old = collectors[0];
        int port = old.Port;
        old.Dispose();
        retired.Add(old);
        await Task.Delay(Down).ConfigureAwait(false);
        var fresh = new Collector(string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{port}"), store);
        fresh.Start();
        collectors[0] = fresh;
        long restarted = Stopwatch.GetTimestamp();
        double? half = null, p99 = null, all = null;
        while (all is null && Stopwatch.GetElapsedTime(restarted) < TimeSpan.FromSeconds(120))
        {
            long routes = fresh.Counters.Routes;
            double t = Stopwatch.GetElapsedTime(restarted).TotalSeconds;
            half ??= routes * 2 >= devices ? t : null;
            p99 ??= routes * 100 >= devices * 99L ? t : null;
            all ??= routes >= devices ? t : null;
            await Task.Delay(20).ConfigureAwait(false);
        }

        return new ReconnectSpread(half, p99, all);
    }
}
