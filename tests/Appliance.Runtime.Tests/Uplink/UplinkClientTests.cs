namespace Appliance.Runtime.Tests.Uplink;

public sealed class UplinkClientTests
{
    // Nothing listens on port 1 of 127.0.0.1 (privileged, unused): the DEALER keeps reconnecting.
    private static UplinkOptions NoPeer => new() { Endpoint = "tcp://127.0.0.1:1", DeviceId = "dev1" };

    [Theory]
    [InlineData("tcp//x:1", "dev1", 256, "endpoint: 'tcp//x:1' is not a ZeroMQ endpoint")]
    [InlineData("tcp://127.0.0.1:5555", " ", 256, "device_id: empty")]
    [InlineData("tcp://127.0.0.1:5555", "dev1", 0, "ack_window: 0 (expected 1..65536)")]
    public void Constructor_InvalidOptions_ThrowsNamingTheKey(string endpoint, string deviceId, int window, string message)
    {
        var options = new UplinkOptions { Endpoint = endpoint, DeviceId = deviceId, AckWindow = window };

        var ex = Assert.Throws<ArgumentException>(() => new UplinkClient(options, new MemoryOutbox(4, TimeSpan.Zero)));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enqueue_BeforeStart_AssignsOutboxSequences()
    {
        var outbox = new MemoryOutbox(8, TimeSpan.Zero);
        using var client = new UplinkClient(NoPeer, outbox);

        Assert.Equal(1, client.Enqueue(WireSamples.SampleSummary()));
        Assert.Equal(2, client.Enqueue(WireSamples.SampleAlert));
        Assert.Equal(3, client.Enqueue(WireSamples.SampleHeartbeat));
        Assert.Equal(3, outbox.HighestWritten);
    }

    [Fact]
    public async Task FlushAsync_NoPeer_ReturnsFalseAndKeepsRecords()
    {
        var outbox = new MemoryOutbox(8, TimeSpan.Zero);
        using var client = new UplinkClient(NoPeer, outbox);
        client.Start();
        client.Enqueue(WireSamples.SampleSummary());

        Assert.False(await client.FlushAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(0, outbox.HighestAcknowledged);
        Assert.Equal(0, client.Counters.Acknowledged);
    }

    [Fact]
    public void Start_WithHeartbeatSource_EnqueuesHeartbeatsIntoOutbox()
    {
        var outbox = new MemoryOutbox(64, TimeSpan.Zero);
        var options = NoPeer with
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(20),
            HeartbeatSource = () => WireSamples.SampleHeartbeat,
        };
        using var client = new UplinkClient(options, outbox);

        client.Start();

        Assert.True(SpinWait.SpinUntil(() => outbox.HighestWritten >= 2, TimeSpan.FromSeconds(10)));
        var into = new List<(long Seq, byte[] Record)>();
        outbox.ReadFrom(1, 1, into);
        Assert.True(Appliance.Contracts.Wire.WireCodec.TryDecode(into[0].Record, out var e, out _));
        Assert.Equal(Appliance.Contracts.Wire.MessageType.Heartbeat, e.MessageType);
        Assert.Equal(1, e.Sequence);
        Assert.Equal(0, client.Counters.HeartbeatFaults);
    }

    [Fact]
    public void Dispose_NoPeerWithUnsentMessages_ReturnsWithinTwoSeconds()
    {
        var client = new UplinkClient(NoPeer, new MemoryOutbox(64, TimeSpan.Zero));
        client.Start();
        for (int i = 0; i < 10; i++)
        {
            client.Enqueue(WireSamples.SampleSummary());
        }

        Thread.Sleep(200);
        var watch = Stopwatch.StartNew();
        client.Dispose();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {watch.Elapsed}");
    }

    [Fact]
    public void Dispose_ImmediatelyAfterStart_ReturnsWithinTwoSeconds()
    {
        var client = new UplinkClient(NoPeer, new MemoryOutbox(64, TimeSpan.Zero));
        client.Start();

        var watch = Stopwatch.StartNew();
        client.Dispose();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {watch.Elapsed}");
    }
}
