using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Uplink;

/// <summary>
/// An outage long enough for the journal to drop its oldest records (docs/uplink.md, "Budget"): what the collector receives
/// once it is back must be records the journal still holds. Under load UplinkFaultTests.Journal_BudgetReachedDuringOutage
/// saw stored + merged + dropped = 30,271 of 30,000 produced: the DEALER had queued records for the connection it was still
/// trying to make (272 frames, its high-water mark), the journal then dropped them (counted), and they were delivered and
/// stored when the collector came up; with their acknowledgements lost to a reconnect they were stored and dropped both.
/// </summary>
public sealed class UplinkOutageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "uplink-outage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void CollectorDownWhileTheJournalDrops_FirstRecordReceivedAfterwardsIsOneStillJournaled()
    {
        int port = UplinkRebuildTests.FreePort();
        using var journal = new JournalOutbox(new JournalOptions
        {
            Directory = _dir, BudgetBytes = 64 * 1024, SegmentBytes = 16 * 1024, MaxRecordBytes = 1024, Fsync = JournalFsync.Batch,
        });
        // Pings 30 s apart: no dead-peer reconnect during the test, so one socket lives through the outage.
        using var client = new UplinkClient(new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{port}", DeviceId = "dev1", PingInterval = TimeSpan.FromSeconds(30),
        }, journal);
        client.Start();
        for (int i = 0; i < 8000; i++) // about 20 times the budget's records: merged, then the oldest dropped
        {
            client.Enqueue(WireSamples.SampleSummary(WireSamples.StartNs + (i * 1_000_000_000L)));
            if (i % 8 == 7)
            {
                journal.Sync();
            }
        }

        journal.Sync();
        JournalCounters counters = journal.Counters;
        Assert.True(counters.Dropped > 0 && counters.Merged > 0, $"merged {counters.Merged}, dropped {counters.Dropped}: the outage did not reach the budget");
        var kept = new List<(long Seq, byte[] Record)>();
        Assert.Equal(1, journal.ReadFrom(1, 1, kept));
        long firstKept = kept[0].Seq;

        // The collector's end comes up: the first data frame it gets must be one the journal holds, not one it dropped.
        using var router = new RouterSocket();
        router.Bind($"tcp://127.0.0.1:{port}");
        long first = 0;
        while (first == 0)
        {
            var frames = new List<byte[]>();
            Assert.True(router.TryReceiveMultipartBytes(TimeSpan.FromSeconds(30), ref frames), "nothing received within 30 s of the collector's end coming up");
            Assert.True(WireCodec.TryDecode(frames[^1], out Envelope env, out string? error), error);
            if (env.MessageType == MessageType.Summary)
            {
                first = env.Sequence;
            }
        }

        Assert.True(first >= firstKept, $"first record received: {first}; the journal had dropped or merged away everything below {firstKept}");
    }
}
