using System.Diagnostics;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// Issue 17 item 0, no congestion collapse: the collector's store is slower than the devices, and the devices must neither
/// take it for dead nor resend what it still holds. Capacity is fixed by a <see cref="ThrottledStore"/>; the ratios are read
/// from the collector's and the devices' own counters. The 5-minute form is <c>appliance bench overload --minutes 5</c>.
/// </summary>
[Collection(FleetCollection.Name)]
public sealed class OverloadTests
{
    [Fact]
    public async Task Collector_StoreSlowerThanResendTimeout_AnswersPingsAndGetsNoRetransmissions()
    {
        // 10 summaries into a store of 2 messages/s: the commit takes about 5 s, 5 resend timeouts (1 s) and over 3 times the
        // device's dead-peer limit (6 pings of 250 ms). The resend timeout is 4 ping intervals, so that a pong answering a
        // ping sent after the data (pending 10) is in before the timeout (see the report: a pong to an earlier ping is trusted). Before the store worker the collector answered pings on the
        // thread that commits: the device declared it dead and resent its window (failed with dead peers and retransmits).
        using var db = new TempDatabase();
        using var store = new ThrottledStore(new SqliteStore(db.Path, SqliteSynchronous.Normal), 2);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var device = new SimulatedDevice(new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{collector.Port}",
            DeviceId = "slow-1",
            ResendAfter = TimeSpan.FromSeconds(1),
            PingInterval = TimeSpan.FromMilliseconds(250),
            // Dead after 6 unanswered pings (1.5 s): still under a third of the 5 s commit, so a collector answering pings on
            // the committing thread fails this test; 3 (750 ms) was under a ~1 s pause of the whole test process seen on a
            // quiet machine (collector and device threads silent together; cause not found), which declared a dead peer.
            Liveness = 6,
        }, new MemoryOutbox(64, TimeSpan.Zero));
        device.Start();

        Assert.Equal(10, device.Emit(10));
        Assert.True(await device.Client.FlushAsync(TimeSpan.FromSeconds(30)));

        CollectorCounters c = collector.Counters;
        Assert.Equal(10, c.Stored);
        Assert.True(c.Pings >= 10, $"{c.Pings} pings answered while the store was busy (expected >= 10)");
        UplinkCounters u = device.Client.Counters;
        Assert.Equal(0, u.DeadPeers);
        Assert.Equal(0, u.Retransmits);
        Assert.Equal(0, c.Duplicates);
    }

    [Fact]
    public async Task Overload_ThreeTimesCapacity_StoresAtCapacityWithoutRetransmitsAndDrains()
    {
        // 16 devices (window 256: 4,096 in flight) offer 3,000/s to a store of 1,000/s for 12 s, then nothing until drained.
        // Goals (issue 17): stored/s within 10 % of capacity, retransmits below 1 % of stored, backlog drained, nothing lost
        // or stored twice. The first 2 s (devices connecting, queue filling) are not measured.
        const double capacity = 1000;
        using var db = new TempDatabase();
        using var store = new ThrottledStore(new SqliteStore(db.Path, SqliteSynchronous.Normal), capacity);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var fleet = SimulatedFleet.Create(16, $"tcp://127.0.0.1:{collector.Port}", _ => new MemoryOutbox(1 << 14, TimeSpan.Zero));
        fleet.Start();

        fleet.Rate = 3 * capacity;
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Stored is counted per commit of up to 1,024 messages (about 1 s of this store): the rate is taken between the first
        // and the last commit seen in a 10 s window, so that no batch cut by the window's edges counts (seen: 87.6 % from one
        // batch finishing just after the window).
        var (stored, seconds) = await StoredBetweenCommits(collector, TimeSpan.FromSeconds(10));
        fleet.Rate = 0;
        double ratio = stored / seconds / capacity;
        Assert.True(ratio is >= 0.9 and <= 1.15, $"stored {stored} in {seconds:F1} s: {ratio:P1} of capacity (expected 90 % to 115 %)");
        Assert.True(await fleet.WaitDrainedAsync(TimeSpan.FromSeconds(90)), "backlog not drained");

        CollectorCounters c = collector.Counters;
        UplinkCounters u = fleet.Counters;
        Assert.Equal(0, fleet.OutboxFull);
        Assert.Equal(fleet.Produced, c.Stored);
        Assert.Equal(fleet.Produced, store.GetStats().Summaries);
        Assert.True(u.Retransmits < c.Stored / 100, $"{u.Retransmits} retransmits for {c.Stored} stored (expected below 1 %)");
        Assert.Equal(0, u.DeadPeers);
        Assert.Equal(0, c.Shed);
    }

    /// <summary>Messages the collector stored between the first and the last change of its stored count within <paramref name="window"/>,
    /// and the seconds between those two changes (commits).</summary>
    private static async Task<(long Stored, double Seconds)> StoredBetweenCommits(Collector collector, TimeSpan window)
    {
        long last = collector.Counters.Stored, first = -1, firstAt = 0, latest = 0, latestAt = 0;
        long end = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            await Task.Delay(5);
            long now = collector.Counters.Stored;
            if (now != last)
            {
                (first, firstAt) = first < 0 ? (now, Stopwatch.GetTimestamp()) : (first, firstAt);
                (latest, latestAt) = (now, Stopwatch.GetTimestamp());
                last = now;
            }
        }

        Assert.True(first >= 0 && latestAt > firstAt, $"fewer than two commits in {window.TotalSeconds} s");
        return (latest - first, (double)(latestAt - firstAt) / Stopwatch.Frequency);
    }
}

/// <summary>The simulated-fleet tests (hundreds of uplink threads, timing against a throttled store) run alone: beside other
/// tests on a 2-core machine their devices starve (seen: dead peers in the slow-store test while the storm test ran).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "simulated fleet";
}
