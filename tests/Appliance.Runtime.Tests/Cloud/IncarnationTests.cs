using Appliance.Runtime.Tests.Outbox;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// Issue "Never fabricate, never lose", defect 2 (a re-flashed device, or one whose journal lost its tail, handed out
/// sequences the collector already held, and its new summaries were rejected as duplicates), and the collector issue's
/// "refused frames": real sockets on 127.0.0.1, UplinkClient + JournalOutbox -> Collector -> SqliteStore.
/// </summary>
public sealed class IncarnationTests : IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly string _state = Path.Combine(Path.GetTempPath(), "incarnation-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private JournalOutbox Journal() => new(new JournalOptions { Directory = _state, CheckpointInterval = TimeSpan.FromHours(1), ReserveBytes = 0 });

    private static UplinkClient Client(int port, IOutbox outbox) => new(
        new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{port}", DeviceId = "dev1", AckWindow = 64, ResendAfter = TimeSpan.FromMilliseconds(300) },
        outbox);

    private static Summary Window(long i) => WireSamples.SampleSummary(WireSamples.StartNs + (i * 1_000_000_000L));

    [Fact]
    public async Task WipedState_SameDeviceIdStartsAgain_EveryNewSummaryStoredNoneTakenForADuplicate()
    {
        // Before the fix: the wiped device restarted at sequence 1, and the collector rejected 1..40 as duplicates of the
        // first run's (device, sequence) while the device reported them acknowledged (40 of 40 lost).
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();

        long firstIncarnation;
        using (JournalOutbox journal = Journal())
        using (UplinkClient client = Client(collector.Port, journal))
        {
            client.Start();
            for (int i = 0; i < 60; i++)
            {
                client.Enqueue(Window(i));
            }

            Assert.True(await client.FlushAsync(FlushTimeout));
            firstIncarnation = journal.Incarnation;
        }

        Directory.Delete(_state, recursive: true); // stop, wipe --state, start again with the same device id

        using JournalOutbox wiped = Journal();
        using UplinkClient again = Client(collector.Port, wiped);
        again.Start();
        for (int i = 0; i < 40; i++)
        {
            again.Enqueue(Window(1000 + i));
        }

        Assert.True(await again.FlushAsync(FlushTimeout));
        Assert.NotEqual(firstIncarnation, wiped.Incarnation);
        Assert.Equal(40, wiped.HighestWritten); // sequences restart with the new journal: (device, incarnation, 1..40)
        Assert.Equal(40, again.Counters.Acknowledged);
        CollectorStats stats = store.GetStats();
        Assert.Equal(100, stats.Summaries); // every summary of both runs stored: device and collector agree
        Assert.Equal(60 + 40, collector.Counters.Stored);
        Assert.Equal(40, store.GetSummaries("dev1", WireSamples.StartNs + (1000 * 1_000_000_000L), 1000).Count);
    }

    [Fact]
    public async Task TornTailCutByRecovery_NewRecordsAfterItStoredNotTakenForDuplicates()
    {
        // The collector stored sequences 1..30 of incarnation X, then the device lost power before their acknowledgements
        // reached its journal, and the journal's tail (from sequence 21) was torn. Recovery cuts it, and the device hands
        // out 21.. again. Before the fix those new records matched (dev1, 21..30) at the collector: 10 lost as duplicates.
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        long x;
        using (JournalOutbox journal = Journal())
        {
            x = journal.Incarnation;
            var stored = new List<Envelope>();
            for (long seq = 1; seq <= 30; seq++)
            {
                Envelope e = Envelope.Create("dev1", seq, Window(seq), x);
                journal.Append(WireCodec.Encode(e));
                stored.Add(e);
            }

            store.Store(stored, 0, WireSamples.StartNs); // the collector committed them; no acknowledgement came back
        }

        string segment = Directory.GetFiles(_state, "seg-*.log").Single();
        List<(long Seq, int Offset)> records = JournalFiles.Records(segment);
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(records[20].Offset + 7); // torn inside sequence 21
        }

        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using JournalOutbox recovered = Journal();
        Assert.Equal(20, recovered.HighestWritten);
        Assert.NotEqual(x, recovered.Incarnation);
        using UplinkClient client = Client(collector.Port, recovered);
        client.Start();
        for (int i = 0; i < 15; i++)
        {
            client.Enqueue(Window(100 + i)); // sequences 21..35 of the new incarnation
        }

        Assert.True(await client.FlushAsync(FlushTimeout));
        Assert.Equal(35, recovered.HighestAcknowledged);
        Assert.Equal(15, collector.Counters.Stored); // every new record stored
        Assert.InRange(collector.Counters.Duplicates, 20, 1000); // 1..20 of X were resent: true duplicates (and any resend under load)
        Assert.Equal(45, store.GetStats().Summaries);
    }

    [Fact]
    public void OldFormatFrame_NoIncarnation_DecodesAsZeroStoredAndAcknowledgedUnderZero()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using var dealer = new NetMQ.Sockets.DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Connect($"tcp://127.0.0.1:{collector.Port}");

        byte[] old = WireCodec.Encode(Envelope.Create("dev1", 3, WireSamples.SampleSummary()));
        Assert.Equal(0x95, old[0]); // five items: exactly what a build before incarnations writes
        Assert.True(WireCodec.TryDecode(old, out Envelope decoded, out _));
        Assert.Equal(0, decoded.Incarnation);
        dealer.SendFrame(old);
        dealer.SendFrame(WireCodec.Encode(Envelope.Create("dev1", 3, WireSamples.SampleSummary(), incarnation: 77))); // same sequence, another incarnation

        var acks = new List<(long Incarnation, long Seq)>();
        while (acks.Count < 2 && dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out byte[]? reply))
        {
            Assert.True(WireCodec.TryDecode(reply, out Envelope e, out _));
            acks.AddRange(((Ack)e.Body).Sequences.Select(s => (e.Incarnation, s)));
        }

        Assert.Equal([(0L, 3L), (77L, 3L)], acks.Order());
        Assert.Equal(2, store.GetStats().Summaries);
        Assert.Equal(0, store.GetStats().DuplicatesRejected);
    }

    [Fact]
    public void SqliteStore_FileOfTheSchemaBeforeIncarnations_MigratedInPlaceKeepingItsRowsAsIncarnationZero()
    {
        using var db = new TempDatabase();
        using (var c = new SqliteConnection($"Data Source={db.Path};Pooling=False"))
        {
            // The tables as the collector before incarnations created them (StoreSql at commit 7a4ed6b), with one row each.
            c.Open();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE devices (device_id TEXT PRIMARY KEY, last_seen_ns INTEGER NOT NULL, last_sequence INTEGER NOT NULL, last_heartbeat_seq INTEGER, heartbeat_ns INTEGER, uptime_ms INTEGER, execution_provider TEXT, config_revision TEXT, config_state TEXT, health TEXT);
                CREATE TABLE summaries (device_id TEXT NOT NULL, seq INTEGER NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL, window_start_ns INTEGER NOT NULL, window_end_ns INTEGER NOT NULL, count INTEGER, nan_count INTEGER, min REAL, max REAL, mean REAL, m2 REAL, m3 REAL, m4 REAL, sum_of_squares REAL, first REAL, last REAL, zero_crossings INTEGER, received_ns INTEGER NOT NULL, PRIMARY KEY (device_id, seq));
                CREATE INDEX summaries_window ON summaries (window_start_ns);
                CREATE TABLE alerts (device_id TEXT NOT NULL, seq INTEGER NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL, time_ns INTEGER NOT NULL, score REAL, threshold REAL, severity INTEGER NOT NULL, detector TEXT NOT NULL, count INTEGER, nan_count INTEGER, min REAL, max REAL, mean REAL, m2 REAL, m3 REAL, m4 REAL, sum_of_squares REAL, first REAL, last REAL, zero_crossings INTEGER, received_ns INTEGER NOT NULL, PRIMARY KEY (device_id, seq));
                CREATE TABLE heartbeats (device_id TEXT NOT NULL, seq INTEGER NOT NULL, uptime_ms INTEGER NOT NULL, execution_provider TEXT NOT NULL, config_revision TEXT NOT NULL, counters TEXT NOT NULL, received_ns INTEGER NOT NULL, PRIMARY KEY (device_id, seq));
                CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO counters VALUES ('duplicates_rejected', 4), ('malformed_dropped', 2);
                INSERT INTO devices (device_id, last_seen_ns, last_sequence) VALUES ('old', 1, 9);
                INSERT INTO summaries VALUES ('old', 9, 'bme280-0', 'pressure', 1700000000000000000, 1700000001000000000, 3, 0, 1.0, 2.0, 1.5, 0.5, 0.0, 0.125, 7.25, 1.0, 2.0, 0, 1);
                INSERT INTO alerts VALUES ('old', 8, 'bme280-0', 'pressure', 1700000000000000000, 3.75, 2.5, 2, 'zscore', 3, 0, 1.0, 2.0, 1.5, 0.5, 0.0, 0.125, 7.25, 1.0, 2.0, 0, 1);
                INSERT INTO heartbeats VALUES ('old', 7, 1000, 'CPU', 'abc', '1=5', 1);
                """;
            cmd.ExecuteNonQuery();
        }

        using var store = new SqliteStore(db.Path);

        Assert.Equal(new CollectorStats(1, 1, 1, 4, 2), store.GetStats());
        StoredSummary kept = Assert.Single(store.GetSummaries("old", 0, 10));
        Assert.Equal(9, kept.Sequence);
        Assert.Equal(1.5, kept.Features.Mean);

        // The same (device, sequence) without an incarnation is the row kept (a duplicate); with one, a new message.
        StoreBatchResult r = store.Store(
            [Envelope.Create("old", 9, WireSamples.SampleSummary()), Envelope.Create("old", 9, WireSamples.SampleSummary(), incarnation: 5),
             Envelope.Create("old", 8, WireSamples.SampleAlert), Envelope.Create("old", 7, WireSamples.SampleHeartbeat, incarnation: 5)], 0, 2);
        Assert.Equal(new StoreBatchResult(2, 2), r);
        using var read = new SqliteConnection($"Data Source={db.Path};Mode=ReadOnly;Pooling=False");
        read.Open();
        using SqliteCommand q = read.CreateCommand();
        q.CommandText = "SELECT group_concat(incarnation || ':' || seq, ' ') FROM (SELECT incarnation, seq FROM summaries ORDER BY incarnation); SELECT count(*) FROM sqlite_master WHERE name LIKE '%before_incarnation' OR name = 'summaries_window'";
        using SqliteDataReader rows = q.ExecuteReader();
        Assert.True(rows.Read());
        Assert.Equal("0:9 5:9", rows.GetString(0));
        Assert.True(rows.NextResult() && rows.Read());
        Assert.Equal(1L, rows.GetInt64(0)); // the old tables are gone, the window index is back
    }

    [Fact]
    public async Task JournalWithOneOutOfBoundsRecordThenGoodOnes_DrainsFullyAndTheBadOneIsCountedNotStored()
    {
        // Before the fix the collector dropped the out-of-bounds record without an acknowledgement; the device resent it
        // forever and its acknowledged mark never passed it (FlushAsync timed out).
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        using JournalOutbox journal = Journal();
        using UplinkClient client = Client(collector.Port, journal);
        Summary zeroLength = Window(0);
        client.Enqueue(new Summary { Sensor = zeroLength.Sensor, Channel = zeroLength.Channel, WindowStartNs = zeroLength.WindowStartNs, WindowEndNs = zeroLength.WindowStartNs, Features = zeroLength.Features });
        for (int i = 1; i <= 20; i++)
        {
            client.Enqueue(Window(i));
        }

        client.Start();
        Assert.True(await client.FlushAsync(FlushTimeout));
        Assert.Equal(21, journal.HighestAcknowledged);
        Assert.Equal(1, collector.Counters.OutOfBounds);
        Assert.Equal(20, store.GetStats().Summaries);
        Assert.Equal(1, store.GetStats().MalformedDropped);
    }
}
