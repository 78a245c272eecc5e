using System.Runtime;
using Appliance.Cloud.Storage;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// The collector's counters and its per-peer memory under hostile input: a device id is remembered with its route in the main
/// table (<see cref="RouteCapacity"/>, <see cref="RouteTtl"/>) once the collector stored data from it; an id that only pings
/// waits in a small probation table (<see cref="PingRouteCapacity"/>, <see cref="PingRouteTtl"/>), so that pings from a
/// flood of made-up identities churn that table and cost nothing lasting (an admission policy as in 2Q, Johnson and Shasha
/// 1994). After a flood, memory is given back (<see cref="TrimAfterFlood"/>).
/// </summary>
public sealed partial class Collector
{
    /// <summary>Most device ids remembered from pings alone (their oldest eighth goes when full).</summary>
    public const int PingRouteCapacity = 1_024;

    /// <summary>How long a route known from pings alone is remembered (devices ping every few seconds).</summary>
    public static readonly TimeSpan PingRouteTtl = TimeSpan.FromMinutes(1);

    private readonly RouteTable<byte[]> _pingRoutes = new(PingRouteCapacity, PingRouteTtl);

    /// <summary>Frames dropped, refused or pinged since the last trim that make a flood (<see cref="TrimAfterFlood"/>).</summary>
    public const long FloodFrames = 10_000;

    /// <summary>A tick with fewer such frames than this (per <see cref="TrimCheck"/>) is quiet: the flood is over.</summary>
    public const long QuietFrames = 200;

    /// <summary>How often the collector looks whether a flood ended.</summary>
    public static readonly TimeSpan TrimCheck = TimeSpan.FromSeconds(2);

    private long _memoryTrims;
    private long _hostileAtTrim;
    private long _hostileAtCheck;
    private long _nextTrimCheckMs;

    /// <summary>A snapshot of the counters.</summary>
    public CollectorCounters Counters => new(
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _stored),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _acksSent),
        Interlocked.Read(ref _storeFaults),
        Interlocked.Read(ref _undeliverable),
        Interlocked.Read(ref _commandsSent),
        Interlocked.Read(ref _pings),
        Interlocked.Read(ref _refused),
        Interlocked.Read(ref _outOfBounds),
        Interlocked.Read(ref _quarantined),
        Interlocked.Read(ref _faults),
        Volatile.Read(ref _routesHeld),
        BareStore is SqliteStore sqlite ? sqlite.WalBytes : 0,
        Interlocked.Read(ref _revoked),
        Interlocked.Read(ref _commandResults),
        Interlocked.Read(ref _memoryTrims),
        Interlocked.Read(ref _shed),
        StoreQueueDepth,
        BareStore is SqliteStore checkpointed ? checkpointed.CheckpointFaults : 0);

    private int _routesHeld;

    /// <summary>A ping from <paramref name="deviceId"/>: refreshes its route where data made it known, else holds it on probation.</summary>
    private void PingedFrom(string deviceId, byte[] route, long nowMs)
    {
        if (_routes.TryGet(deviceId, nowMs, out _))
        {
            _routes.Set(deviceId, route, nowMs);
        }
        else
        {
            _pingRoutes.Set(deviceId, route, nowMs);
        }
    }

    /// <summary>Data from <paramref name="deviceId"/> was stored (or quarantined): its route joins the main table.</summary>
    private void StoredFrom(string deviceId, byte[] route, long nowMs)
    {
        _routes.Set(deviceId, route, nowMs);
        _pingRoutes.Remove(deviceId);
    }

    /// <summary>The route of <paramref name="deviceId"/>'s latest connection, from data or, failing that, from pings.</summary>
    private bool TryGetRoute(string deviceId, long nowMs, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? route) =>
        _routes.TryGet(deviceId, nowMs, out route) || _pingRoutes.TryGet(deviceId, nowMs, out route);

    /// <summary>
    /// After a flood (at least <see cref="FloodFrames"/> frames dropped, refused or pinged since the last trim) followed by a
    /// quiet <see cref="TrimCheck"/> (fewer than <see cref="QuietFrames"/>), collects garbage in the runtime's aggressive mode
    /// (<see cref="GCCollectionMode.Aggressive"/>: compacts and decommits what the heap no longer uses), so the memory a hostile
    /// peer made the collector allocate goes back to the system instead of staying as the process's high-water mark.
    /// Expired routes are swept first. Called on the poller thread; counted in <see cref="CollectorCounters.MemoryTrims"/>.
    /// </summary>
    /// <param name="nowMs">The poller's clock (<see cref="Environment.TickCount64"/>).</param>
    private void TrimAfterFlood(long nowMs)
    {
        if (nowMs < _nextTrimCheckMs)
        {
            return;
        }

        _nextTrimCheckMs = nowMs + (long)TrimCheck.TotalMilliseconds;
        long hostile = Interlocked.Read(ref _malformed) + Interlocked.Read(ref _refused) + Interlocked.Read(ref _pings);
        bool quiet = hostile - _hostileAtCheck < QuietFrames;
        _hostileAtCheck = hostile;
        if (!quiet || hostile - _hostileAtTrim < FloodFrames)
        {
            return;
        }

        _hostileAtTrim = hostile;
        _routes.Expire(nowMs);
        _pingRoutes.Expire(nowMs);
        _authenticated.Expire(nowMs);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _memoryTrims);
    }
}
