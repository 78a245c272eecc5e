using Npgsql;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// Issue 17 items 1-3 and its faults on PostgreSQL (APPLIANCE_TEST_PG, as <see cref="PostgresStoreTests"/>): binary COPY ingest,
/// per-collector counters, per-device counts, versioned migrations of an existing database, and batches aborted mid-COPY.
/// Each test works in a schema of its own (dropped afterwards), so these run beside the tests that reset the shared database.
/// </summary>
public sealed class PostgresIngestTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Turns a database of this build's schema into one of the schema before <c>schema_version</c> (StoreSql.Schema at
    /// 79bc739: shared counters, no per-device counts); the shared counters' rows are left to the caller.</summary>
    internal const string ToUnversioned = """
        DROP TABLE schema_version, collector_counters; ALTER TABLE devices DROP COLUMN summaries, DROP COLUMN alerts;
        CREATE TABLE summaries_flat (LIKE summaries INCLUDING DEFAULTS); INSERT INTO summaries_flat SELECT * FROM summaries; DROP TABLE summaries;
        ALTER TABLE summaries_flat RENAME TO summaries; ALTER TABLE summaries ADD PRIMARY KEY (device_id, incarnation, seq); CREATE INDEX summaries_window ON summaries (window_start_ns);
        CREATE TABLE alerts_flat (LIKE alerts INCLUDING DEFAULTS); INSERT INTO alerts_flat SELECT * FROM alerts; DROP TABLE alerts;
        ALTER TABLE alerts_flat RENAME TO alerts; ALTER TABLE alerts ADD PRIMARY KEY (device_id, incarnation, seq); CREATE INDEX alerts_time ON alerts (time_ns);
        """;

    private readonly string _schema = "ingest_" + Guid.NewGuid().ToString("N")[..12];
    private string? _cs;

    public void Dispose()
    {
        if (_cs is not null)
        {
            NpgsqlConnection.ClearAllPools();
            Execute($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        }
    }

    /// <summary>A connection string on this test's fresh schema, or null (test not run) when no server is given.</summary>
    private string? Schema()
    {
        string? url = Environment.GetEnvironmentVariable("APPLIANCE_TEST_PG");
        if (url is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "APPLIANCE_TEST_PG is not set: .ci/run must install and start PostgreSQL and export it");
            output.WriteLine("APPLIANCE_TEST_PG not set and not in CI: PostgreSQL tests not run (see .ci/run)");
            return null;
        }

        _cs = PostgresStore.ToConnectionString(url);
        Execute($"CREATE SCHEMA {_schema}");
        return _cs + $";Search Path={_schema}";
    }

    private long Execute(string sql)
    {
        using var c = new NpgsqlConnection(_cs + $";Search Path={_schema}");
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        object? v = cmd.ExecuteScalar();
        return v is long l ? l : v is int i ? i : 0;
    }

    /// <summary>1000 summaries, 100 from each of 10 devices, then one alert per device.</summary>
    private static List<Envelope> Batch(int devices = 10, int perDevice = 100)
    {
        var batch = new List<Envelope>();
        for (int s = 1; s <= perDevice; s++)
        {
            for (int d = 0; d < devices; d++)
            {
                batch.Add(Envelope.Create($"dev{d}", s, WireSamples.SampleSummary(WireSamples.StartNs + (s * 10_000_000L)), incarnation: 3));
            }
        }

        for (int d = 0; d < devices; d++)
        {
            batch.Add(Envelope.Create($"dev{d}", perDevice + 1, WireSamples.SampleAlert, incarnation: 3));
        }

        return batch;
    }

    [Fact]
    public void Store_BatchFromTenDevicesTwice_StoredOnceCountedPerDeviceAndDuplicatesOnTheCollectorsOwnRow()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        using var store = new PostgresStore(cs) { CollectorId = "a" };
        List<Envelope> batch = Batch();
        batch.Add(batch[0]); // the same message twice in one batch: one row, one duplicate

        Assert.Equal(new StoreBatchResult(1010, 1), store.Store(batch, 0, 5));
        Assert.Equal(new StoreBatchResult(0, 1011), store.Store(batch, 3, 6));

        Assert.Equal(new CollectorStats(10, 1000, 10, 1012, 3), store.GetStats());
        IReadOnlyList<DeviceRecord> devices = store.GetDevices();
        Assert.Equal(10, devices.Count);
        Assert.All(devices, d => Assert.Equal((100L, 1L, 101L, 6L), (d.Summaries, d.Alerts, d.LastSequence, d.LastSeenNs)));
        Assert.Equal(1000, Execute("SELECT count(*) FROM summaries WHERE incarnation = 3"));
        Assert.Equal(WireSamples.Features.M4, store.GetSummaries("dev3", 0, 1)[0].Features.M4);
        Assert.Equal(2, Execute("SELECT count(*) FROM collector_counters WHERE collector_id = 'a'"));
    }

    [Fact]
    public void Stats_TwoCollectorsOnOneDatabase_CountersOnRowsOfTheirOwnSummedWhenRead()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        using var a = new PostgresStore(cs) { CollectorId = "a" };
        using var b = new PostgresStore(cs) { CollectorId = "b" };
        List<Envelope> batch = Batch(devices: 2, perDevice: 5);
        Assert.Equal(new StoreBatchResult(12, 0), a.Store(batch, 1, 1));
        Assert.Equal(new StoreBatchResult(0, 12), b.Store(batch, 2, 2)); // a device failed over and resent: stored once

        Assert.Equal(new CollectorStats(2, 10, 2, 12, 3), b.GetStats());
        Assert.Equal(1, Execute("SELECT value FROM collector_counters WHERE collector_id = 'a' AND name = 'malformed_dropped'"));
        Assert.Equal(12, Execute("SELECT value FROM collector_counters WHERE collector_id = 'b' AND name = 'duplicates_rejected'"));
        Assert.Equal(0, Execute("SELECT count(*) FROM collector_counters WHERE collector_id = 'a' AND name = 'duplicates_rejected' AND value <> 0"));
    }

    [Fact]
    public void Store_AbortedMidCopy_NothingCommittedThenTheOtherCollectorStoresEveryRowOnce()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        // A collector that dies mid-COPY: its batch throws half way through the rows (nothing acknowledged: Store never returned).
        using var dying = new PostgresStore(cs) { CollectorId = "dying", AfterCopyRow = (_, n) => { if (n == 500) throw new IOException("collector killed mid-COPY"); } };
        using var other = new PostgresStore(cs) { CollectorId = "other" };
        List<Envelope> batch = Batch();

        Assert.Throws<IOException>(() => dying.Store(batch, 0, 1));
        Assert.Equal(new CollectorStats(0, 0, 0, 0, 0), other.GetStats());

        Assert.Equal(new StoreBatchResult(1010, 0), other.Store(batch, 0, 2));
        Assert.Equal(new CollectorStats(10, 1000, 10, 0, 0), other.GetStats());
        dying.AfterCopyRow = null;
        Assert.Equal(new StoreBatchResult(0, 1010), dying.Store(batch, 0, 3)); // its pool recovered; the resend is a duplicate
    }

    [Fact]
    public void Store_ServerConnectionTerminatedMidCopy_ThrowsNothingCommittedAndTheNextBatchStores()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        // The server side of a batch dies mid-COPY (pg_terminate_backend, as a crashed backend or a restart would).
        using var store = new PostgresStore(cs);
        store.AfterCopyRow = (c, n) =>
        {
            if (n == 300)
            {
                Execute($"SELECT pg_terminate_backend({c.ProcessID})");
            }
        };
        List<Envelope> batch = Batch();

        Exception ex = Assert.ThrowsAny<Exception>(() => store.Store(batch, 0, 1));
        output.WriteLine($"mid-COPY termination: {ex.GetType().Name}: {ex.Message}");
        Assert.True(ex is NpgsqlException or IOException or InvalidOperationException, ex.ToString());
        store.AfterCopyRow = null;
        Assert.Equal(0, store.GetStats().Summaries);

        Assert.Equal(new StoreBatchResult(1010, 0), store.Store(batch, 0, 2));
        Assert.Equal(1000, Execute("SELECT count(*) FROM summaries"));
    }

    [Fact]
    public void Open_DatabaseOfTheSchemaBeforeVersions_MigratedInPlaceRowsAndCountersKept()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        using (var current = new PostgresStore(cs))
        {
            current.Store(Batch(devices: 2, perDevice: 3), 0, 1);
        }

        // Back to the layout before schema_version (StoreSql.Schema at 79bc739: shared counters, no per-device counts), with rows.
        Execute(ToUnversioned + " INSERT INTO counters VALUES ('duplicates_rejected', 4), ('malformed_dropped', 2);");

        using var store = new PostgresStore(cs);

        Assert.Equal(new CollectorStats(2, 6, 2, 4, 2), store.GetStats());
        Assert.All(store.GetDevices(), d => Assert.Equal((3L, 1L), (d.Summaries, d.Alerts)));
        Assert.Equal(6, Execute("SELECT max(version) FROM schema_version")); // 3: quantiles and labels, 4: daily partitions, 5: alert labels, 6: rollouts
        Assert.Equal(6, Execute("SELECT count(*) FROM summaries_before_partitions")); // the old table, attached as a partition
        Assert.Equal(1, Execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'summaries_before_partitions'::regclass"));
        // A resend is the same message (its window too: the key of a partitioned table holds the partition key).
        Assert.Equal(new StoreBatchResult(1, 1), store.Store([Envelope.Create("dev0", 1, WireSamples.SampleSummary(WireSamples.StartNs + 10_000_000L), incarnation: 3), Envelope.Create("dev0", 9, WireSamples.SampleSummary())], 0, 2));
        Assert.Equal(4L, store.GetDevices()[0].Summaries);
        using var again = new PostgresStore(cs); // a migrated database opens unchanged
        Assert.Equal(new CollectorStats(2, 7, 2, 5, 2), again.GetStats());
    }

    [Fact]
    public void Store_WindowsOfTodayAndALateDay_EachInItsDayPartitionCreatedOnDemand()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        const long Day = 86_400L * 1_000_000_000;
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        using var store = new PostgresStore(cs);
        long ahead = store.PartitionsCreated; // today and tomorrow, created when the store opened
        store.Store(
            [Envelope.Create("d", 1, WireSamples.SampleSummary(now)), Envelope.Create("d", 2, WireSamples.SampleSummary(now - (10 * Day))),
             Envelope.Create("d", 3, WireSamples.AlertOf(timeNs: now - (10 * Day)))], 0, now);

        string today = DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        string late = DateTime.UtcNow.AddDays(-10).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, ahead);
        Assert.Equal(3, store.PartitionsCreated);
        Assert.Equal(1, Execute($"SELECT count(*) FROM summaries_p{today}"));
        Assert.Equal(1, Execute($"SELECT count(*) FROM summaries_p{late}"));
        Assert.Equal(1, Execute($"SELECT count(*) FROM alerts_p{late}"));
        Assert.Equal(0, Execute("SELECT count(*) FROM summaries_default"));
    }

    [Fact]
    public void DeleteBefore_ThirtyDays_DropsWholeOldDayPartitionsAndLowersDeviceCounts()
    {
        string? cs = Schema();
        if (cs is null)
        {
            return;
        }

        const long Day = 86_400L * 1_000_000_000;
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        using var store = new PostgresStore(cs);
        store.Store(
            [Envelope.Create("d", 1, WireSamples.SampleSummary(now - (40 * Day))), Envelope.Create("d", 2, WireSamples.SampleSummary(now - (35 * Day))),
             Envelope.Create("d", 3, WireSamples.SampleSummary(now - Day)), Envelope.Create("d", 4, WireSamples.AlertOf(timeNs: now - (35 * Day))),
             Envelope.Create("e", 1, WireSamples.SampleSummary(now))], 0, now);

        Assert.Equal(3, store.DeleteBefore(now - (30 * Day)));

        Assert.Equal(new CollectorStats(2, 2, 0, 0, 0), store.GetStats());
        Assert.Equal((1L, 0L), (store.GetDevices()[0].Summaries, store.GetDevices()[0].Alerts));
        string old = DateTime.UtcNow.AddDays(-40).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, Execute($"SELECT count(*) FROM pg_class WHERE relname = 'summaries_p{old}'"));
        Assert.Equal(0, store.DeleteBefore(now - (30 * Day)));
    }
}
