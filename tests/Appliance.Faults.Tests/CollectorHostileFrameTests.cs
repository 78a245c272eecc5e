namespace Appliance.Faults.Tests;

/// <summary>
/// The issue "nothing a peer sends can stop, starve or poison the collector": per class of hostile frame, a collector process
/// takes a burst of them and must still be running and store and acknowledge a valid summary sent afterwards.
/// </summary>
public sealed class CollectorHostileFrameTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-hostile-" + Guid.NewGuid().ToString("N"));

    public CollectorHostileFrameTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<byte[]> Frames(string kind, Random rng) =>
        Enumerable.Range(0, HostileFrames.BurstCount(kind)).Select(i => HostileFrames.Next(kind, rng, i)).ToList();

    [Fact]
    public void HostileFrames_MaxSizePing_IsExactlyTheFrameLimit() =>
        Assert.Equal(WireCodec.MaxFrameBytes, HostileFrames.Next(HostileFrames.MaxSizePings, new Random(1), 0).Length);

    [Theory]
    [InlineData("max-size pings past 127 replies")]
    [InlineData("random bytes")]
    [InlineData("truncated")]
    [InlineData("bit-flipped")]
    [InlineData("huge length headers")]
    [InlineData("100,000-deep nesting")]
    [InlineData("wrong versions")]
    [InlineData("300 KiB frames")]
    [InlineData("absurd but valid summaries")]
    [InlineData("pings from many identities")]
    public void Collector_HostileFrames_KeepsRunningAndAcknowledgesTheNextValidSummary(string kind)
    {
        string db = Path.Combine(_dir, "hostile.db");
        int port = FaultProcess.FreePort();
        using FaultProcess collector = FaultProcess.StartCollector(db, port);
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Options.ReceiveHighWatermark = 0;
        dealer.Connect($"tcp://127.0.0.1:{port}");

        foreach (byte[] frame in Frames(kind, new Random(20261206)))
        {
            Assert.True(dealer.TrySendFrame(TimeSpan.FromSeconds(30), frame), $"{kind}: collector stopped taking frames");
        }

        dealer.SendFrame(WireCodec.Encode(Envelope.Create("after", 1, FaultDriver.MakeSummary(1))));
        bool acked = false;
        while (!acked && dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(30), out byte[]? reply))
        {
            acked = WireCodec.TryDecode(reply, out Envelope a, out _) && a.DeviceId == "after" && a.Body is Ack { Sequences: [1] };
        }

        Assert.False(collector.HasExited, $"{kind}: the collector process ended");
        Assert.True(acked, $"{kind}: no acknowledgement for the valid summary sent after the hostile frames");
        CollectorStats stats = SqliteStore.ReadStats(db);
        if (kind is not ("bit-flipped" or "random bytes"))
        {
            // Nothing of these classes is storable: only the valid summary sent afterwards is stored (a flipped bit may
            // leave a frame valid and in bounds, e.g. a changed feature value, which is then real data).
            Assert.Equal(1, stats.Summaries);
        }
    }
}
