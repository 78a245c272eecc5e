namespace Appliance.Runtime.Tests.Cloud;

public sealed class SqliteStoreTests
{
    [Fact]
    public void Store_SameDeviceSequenceTwice_StoresOnceAndCountsDuplicate()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        Envelope s1 = Envelope.Create("dev1", 1, WireSamples.SampleSummary());
        Envelope a2 = Envelope.Create("dev1", 2, WireSamples.SampleAlert);
        Envelope s1OtherDevice = Envelope.Create("dev2", 1, WireSamples.SampleSummary());

        Assert.Equal(new StoreBatchResult(3, 0), store.Store([s1, a2, s1OtherDevice], 0, 1));
        Assert.Equal(new StoreBatchResult(0, 2), store.Store([s1, a2], 0, 2));

        Assert.Equal(new CollectorStats(Devices: 2, Summaries: 2, Alerts: 1, DuplicatesRejected: 2, MalformedDropped: 0), store.GetStats());
    }

    [Fact]
    public void GetAlerts_FilteredByDeviceAndTime_LatestFirstWithStoredValues()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var early = WireSamples.SampleAlert;
        var late = new Alert
        {
            Sensor = "bme280-0", Channel = "pressure", TimeNs = WireSamples.StartNs + 5_000_000_000, Score = double.PositiveInfinity, Threshold = 2.5,
            Severity = AlertSeverity.Critical, Detector = "ewma-z", Features = WireSamples.Features,
        };
        store.Store([Envelope.Create("dev1", 2, early), Envelope.Create("dev1", 7, late), Envelope.Create("dev2", 3, early), Envelope.Create("dev1", 8, WireSamples.SampleSummary())], 0, 1);

        var dev1 = store.QueryAlerts(new AlertQuery("dev1", 0, long.MaxValue, null, null, 10));
        var since = store.QueryAlerts(new AlertQuery(null, WireSamples.StartNs + 2_000_000_000, long.MaxValue, null, null, 10));

        Assert.Equal(
            [
                new StoredAlert("dev1", 7, "bme280-0", "pressure", WireSamples.StartNs + 5_000_000_000, double.PositiveInfinity, 2.5, (long)AlertSeverity.Critical, "ewma-z", 0, 0, ""),
                new StoredAlert("dev1", 2, "bme280-0", "pressure", WireSamples.StartNs + 1_000_000_000, 3.75, 2.5, (long)AlertSeverity.Critical, "zscore", 0, 0, ""),
            ],
            dev1.Select(a => a with { ReceivedNs = 0 }));
        Assert.Equal(7, Assert.Single(since).Sequence);
        Assert.Equal(3, store.QueryAlerts(new AlertQuery(null, 0, long.MaxValue, null, null, 10)).Count);
    }

    [Fact]
    public void ReadStats_SecondConnectionOnSameFile_SeesPersistedCounters()
    {
        using var db = new TempDatabase();
        using (var store = new SqliteStore(db.Path))
        {
            store.Store([Envelope.Create("dev1", 1, WireSamples.SampleHeartbeat)], malformedDropped: 3, receivedNs: 1);
            store.Store([], malformedDropped: 2, receivedNs: 2);

            Assert.Equal(new CollectorStats(1, 0, 0, 0, 5), SqliteStore.ReadStats(db.Path)); // while the writer is open (WAL)
        }

        Assert.Equal(new CollectorStats(1, 0, 0, 0, 5), SqliteStore.ReadStats(db.Path));
    }

    [Fact]
    public void ReadStats_MissingFile_ThrowsNamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.db");

        var ex = Assert.Throws<FileNotFoundException>(() => SqliteStore.ReadStats(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSummaries_FilteredByDeviceAndTime_ReturnsFeaturesExactlyIncludingNaN()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var empty = new WindowFeatures { Count = 0, NanCount = 10, Min = double.NaN, Max = double.NaN, Mean = double.NaN, First = double.NaN, Last = double.NaN };
        var pressure = WireSamples.Features with { Min = 100653.27 };
        store.Store(
        [
            Envelope.Create("dev1", 1, WireSamples.SampleSummary(startNs: 100)),
            Envelope.Create("dev1", 2, new Summary { Sensor = "s", Channel = "c", WindowStartNs = 200, WindowEndNs = 300, Features = empty }),
            Envelope.Create("dev1", 3, new Summary { Sensor = "s", Channel = "c", WindowStartNs = 300, WindowEndNs = 400, Features = pressure }),
            Envelope.Create("dev2", 1, WireSamples.SampleSummary(startNs: 250)),
        ], 0, 1);

        IReadOnlyList<StoredSummary> rows = store.GetSummaries("dev1", sinceNs: 200, limit: 10);

        Assert.Equal([2L, 3L], rows.Select(r => r.Sequence));
        Assert.Equal(empty, rows[0].Features);    // NaN stored as NULL comes back as NaN
        Assert.Equal(pressure, rows[1].Features); // 100653.27 Pa survives as float64
        Assert.Equal(3, store.GetSummaries(null, 0, 10).Count(r => r.DeviceId == "dev1"));
        Assert.Single(store.GetSummaries(null, 0, 1));
    }

    [Fact]
    public void GetDevices_HeartbeatWithDegradedSensor_FleetRowCarriesStateAndHealth()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var h = new Heartbeat
        {
            UptimeMs = 5, ExecutionProvider = "CPUExecutionProvider", ConfigRevision = "r2", ConfigState = "rolled_back",
            ConfigError = "health check failed: sensors do not answer",
            Counters = new Dictionary<int, long> { [(int)HeartbeatCounter.SeqWritten] = 41, [(int)HeartbeatCounter.SeqAcked] = 40, [99] = 1 },
            Sensors =
            [
                new SensorReport { Name = "env", Health = "ok", RateHz = 10, JitterP50Us = 99, JitterP99Us = 197 },
                new SensorReport { Name = "adc", Health = "degraded", Reason = "NACK", Faults = 7 },
            ],
        };

        store.Store([Envelope.Create("dev1", 1, h)], 0, 1);
        store.Store([Envelope.Create("dev1", 2, WireSamples.SampleSummary())], 0, 2);

        DeviceRecord d = Assert.Single(store.GetDevices());
        Assert.Equal("rolled_back", d.ConfigState);
        using var health = System.Text.Json.JsonDocument.Parse(d.Health);
        var root = health.RootElement;
        Assert.Equal("health check failed: sensors do not answer", root.GetProperty("config_error").GetString());
        Assert.Equal("", root.GetProperty("model_id").GetString()); // nothing exposes a model id yet
        var degraded = Assert.Single(root.GetProperty("degraded").EnumerateArray());
        Assert.Equal("adc", degraded.GetProperty("name").GetString());
        Assert.Equal("NACK", degraded.GetProperty("reason").GetString());
        Assert.Equal(7, degraded.GetProperty("faults").GetInt64());
        Assert.Equal(197, root.GetProperty("sensors")[0].GetProperty("jitter_p99_us").GetDouble());
        Assert.Equal(41, root.GetProperty("counters").GetProperty("seq_written").GetInt64());
        Assert.Equal(40, root.GetProperty("counters").GetProperty("seq_acked").GetInt64());
        Assert.Equal(1, root.GetProperty("counters").GetProperty("c99").GetInt64()); // an id this build does not name
    }

    [Fact]
    public void Open_FileOfPreviousSchemaWithoutHealthColumns_AddsThemAndKeepsRows()
    {
        using var db = new TempDatabase();
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + db.Path + ";Pooling=False"))
        {
            old.Open();
            using var c = old.CreateCommand();
            c.CommandText = """
                CREATE TABLE devices (device_id TEXT PRIMARY KEY, last_seen_ns INTEGER NOT NULL, last_sequence INTEGER NOT NULL,
                    last_heartbeat_seq INTEGER, heartbeat_ns INTEGER, uptime_ms INTEGER, execution_provider TEXT, config_revision TEXT);
                INSERT INTO devices (device_id, last_seen_ns, last_sequence) VALUES ('old', 1, 9);
                """;
            c.ExecuteNonQuery();
        }

        using var store = new SqliteStore(db.Path);
        store.Store([Envelope.Create("dev1", 1, WireSamples.SampleHeartbeat)], 0, 1);

        IReadOnlyList<DeviceRecord> devices = store.GetDevices();
        Assert.Equal(["dev1", "old"], devices.Select(d => d.DeviceId));
        Assert.Equal("", devices[1].Health);
        Assert.StartsWith("{\"config_state\":\"\"", devices[0].Health, StringComparison.Ordinal);
    }
}
