namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Real sockets on 127.0.0.1 only: UplinkClient -> Collector -> SqliteStore.</summary>
public sealed class CollectorEndToEndTests
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(20);

    private static UplinkClient Client(int port, IOutbox outbox, string deviceId = "dev1") => new(
        new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{port}", DeviceId = deviceId, AckWindow = 64, ResendAfter = TimeSpan.FromMilliseconds(300) },
        outbox);

    private static void EnqueueMany(UplinkClient client, int summaries, int alerts, long startNs)
    {
        for (int i = 0; i < summaries; i++)
        {
            client.Enqueue(WireSamples.SampleSummary(startNs + (i * 1_000_000_000L)));
            if (i < alerts)
            {
                client.Enqueue(WireSamples.SampleAlert);
            }
        }
    }

    [Fact]
    public async Task FlushAsync_CollectorRestartedMidStream_StoresEveryMessageExactlyOnce()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var outbox = new MemoryOutbox(4096, TimeSpan.FromSeconds(5));
        var first = new Collector("tcp://127.0.0.1:0", store);
        first.Start();
        int port = first.Port;
        using UplinkClient client = Client(port, outbox);
        client.Start();

        EnqueueMany(client, summaries: 200, alerts: 50, startNs: WireSamples.StartNs);
        Assert.True(await client.FlushAsync(FlushTimeout));
        first.Dispose();

        EnqueueMany(client, summaries: 100, alerts: 20, startNs: WireSamples.StartNs + 1_000_000_000_000);
        using var second = new Collector($"tcp://127.0.0.1:{port}", store);
        second.Start();
        Assert.True(await client.FlushAsync(FlushTimeout));

        CollectorStats stats = store.GetStats();
        Assert.Equal(300, stats.Summaries);
        Assert.Equal(70, stats.Alerts);
        Assert.Equal(1, stats.Devices);
        Assert.Equal(370, outbox.HighestAcknowledged);
        Assert.Equal(370, client.Counters.Acknowledged);
        Assert.Equal(370, client.Counters.Sent);
    }

    [Fact]
    public async Task FlushAsync_AcknowledgementLostAfterCommit_RetransmitsAndCountsDuplicates()
    {
        using var db = new TempDatabase();
        using var sqlite = new SqliteStore(db.Path);
        var store = new CommitThenFailOnceStore(sqlite);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var outbox = new MemoryOutbox(1024, TimeSpan.FromSeconds(5));
        using UplinkClient client = Client(collector.Port, outbox);
        client.Start();

        EnqueueMany(client, summaries: 40, alerts: 10, startNs: WireSamples.StartNs);
        Assert.True(await client.FlushAsync(FlushTimeout));

        // The first batch was committed but not acknowledged (a crash between commit and ack), so the
        // device resent it (and, if the collector was slow, more) and the store recognised each resent
        // message by (device, sequence). On one live loopback connection nothing is lost in transit, so once
        // every send has arrived: received = sent + retransmits, and every retransmit is a duplicate.
        UplinkCounters sent = client.Counters;
        client.Dispose();
        Assert.True(SpinWait.SpinUntil(() => collector.Counters.Received == sent.Sent + sent.Retransmits, TimeSpan.FromSeconds(10)));
        Assert.True(store.LostBatchSize > 0);
        Assert.Equal(50, sent.Sent);
        Assert.True(sent.Retransmits >= store.LostBatchSize);
        // The store's persisted count includes duplicates inside the lost batch (a slow first batch can hold
        // originals and their resends); the collector never saw that batch's result, so its counter may be lower.
        Assert.InRange(collector.Counters.Duplicates, 1, sent.Retransmits);
        Assert.Equal(new CollectorStats(1, 40, 10, sent.Retransmits, 0), sqlite.GetStats());
        Assert.Equal(1, collector.Counters.StoreFaults);
    }

    /// <summary>Commits the first non-empty batch, then fails as if the process died before acknowledging it: the
    /// collector's retries of that batch's parts (same receive time) fail too.</summary>
    private sealed class CommitThenFailOnceStore(SqliteStore inner) : ICollectorStore
    {
        private long _lostReceivedNs = -1;

        public int LostBatchSize { get; private set; }

        public StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
        {
            if (receivedNs == _lostReceivedNs)
            {
                throw new SqliteException("simulated failure: the process is gone", 10);
            }

            StoreBatchResult result = inner.Store(batch, malformedDropped, receivedNs);
            if (LostBatchSize == 0 && batch.Count > 0)
            {
                _lostReceivedNs = receivedNs;
            }

            if (LostBatchSize == 0 && batch.Count > 0)
            {
                LostBatchSize = batch.Count;
                throw new SqliteException("simulated failure after commit", 10);
            }

            return result;
        }

        public CollectorStats GetStats() => inner.GetStats();

        public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit) =>
            inner.GetSummaries(deviceId, sinceNs, limit);

        public IReadOnlyList<DeviceRecord> GetDevices() => inner.GetDevices();

        public void Dispose()
        {
            // The inner store belongs to the test, which disposes it.
        }
    }

    [Fact]
    public void Collector_MalformedFrames_CountedPersistedAndValidOneAcknowledged()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect($"tcp://127.0.0.1:{collector.Port}");

        dealer.SendFrame([0xc1, 0x00]);                                               // 0xc1 is "never used" in the spec
        dealer.SendFrame(WireSamples.Hex("95 02 01 a4 64657631 01 90"));             // schema version 2
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("dev1", 1, new Ack { Sequences = [3] }))); // devices send no acks (only empty pings)
        dealer.SendMoreFrame([1]).SendFrame([2]);                                      // two payload frames
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("dev1", 5, WireSamples.SampleSummary())));

        Assert.True(dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out byte[]? reply));
        Assert.True(WireCodec.TryDecode(reply, out Envelope ack, out _));
        Assert.Equal([5L], ((Ack)ack.Body).Sequences);
        Assert.Equal("dev1", ack.DeviceId);
        Assert.Equal(4, collector.Counters.Malformed);
        Assert.Equal(new CollectorStats(1, 1, 0, 0, 4), store.GetStats());
    }

    [Fact]
    public void Collector_EmptyAckPing_AnsweredWithEmptyAckAndNothingStored()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect($"tcp://127.0.0.1:{collector.Port}");
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("dev1", 1, new Ack())));

        Assert.True(dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out byte[]? reply));
        Assert.True(WireCodec.TryDecode(reply, out Envelope pong, out _));
        Assert.Empty(((Ack)pong.Body).Sequences);
        Assert.Equal(1, collector.Counters.Pings);
        Assert.Equal(new CollectorStats(0, 0, 0, 0, 0), store.GetStats());
    }

    [Fact]
    public async Task SendCommand_KnownDevice_RaisesCommandReceivedOnClient()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(16, TimeSpan.Zero));
        var received = new TaskCompletionSource<Command>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CommandReceived += c => received.TrySetResult(c);
        client.Start();
        client.Enqueue(WireSamples.SampleHeartbeat); // the collector learns the device's route from its first message
        Assert.True(await client.FlushAsync(FlushTimeout));

        collector.SendCommand("dev1", new Command { Kind = CommandKind.PullConfig, Arguments = ["main"] });

        Command command = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CommandKind.PullConfig, command.Kind);
        Assert.Equal(["main"], command.Arguments);
        Assert.Equal(1, client.Counters.CommandsReceived);
        Assert.Equal(1, collector.Counters.CommandsSent);
    }

    [Fact]
    public async Task CommandReceived_HandlerThrows_FaultCountedAndUplinkKeepsWorking()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(16, TimeSpan.Zero));
        client.CommandReceived += _ => throw new InvalidOperationException("handler bug");
        client.Start();
        client.Enqueue(WireSamples.SampleHeartbeat);
        Assert.True(await client.FlushAsync(FlushTimeout));

        collector.SendCommand("dev1", new Command { Kind = CommandKind.SendHeartbeat });
        Assert.True(SpinWait.SpinUntil(() => client.Counters.CommandHandlerFaults == 1, TimeSpan.FromSeconds(10)));
        client.Enqueue(WireSamples.SampleSummary());

        Assert.True(await client.FlushAsync(FlushTimeout));
        Assert.Equal(1, client.Counters.CommandsReceived);
        Assert.Equal(1, store.GetStats().Summaries);
    }

    [Fact]
    public void SendCommand_UnknownDevice_CountedUndeliverable()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();

        collector.SendCommand("never-seen", new Command { Kind = CommandKind.PullConfig });

        Assert.True(SpinWait.SpinUntil(() => collector.Counters.Undeliverable == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, collector.Counters.CommandsSent);
    }

    [Fact]
    public void Dispose_CollectorWithConnectedPeer_ReturnsWithinTwoSeconds()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect($"tcp://127.0.0.1:{collector.Port}");
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("dev1", 1, WireSamples.SampleSummary())));
        Assert.True(dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _));

        var watch = Stopwatch.StartNew();
        collector.Dispose();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Dispose took {watch.Elapsed}");
    }
}
