using Microsoft.Data.Sqlite;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Issue 17 item 2 on SQLite: versioned migrations (<c>schema_version</c>) applied in place to a file of the schema
/// before them, per-collector counters and per-device counts kept by each batch (no count over the summaries table).</summary>
public sealed class StoreMigrationTests
{
    private static long Scalar(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (!sql.StartsWith("SELECT", StringComparison.Ordinal))
        {
            return cmd.ExecuteNonQuery();
        }

        return cmd.ExecuteScalar() is long v ? v : 0;
    }

    /// <summary>A store file as the collector at 79bc739 (before schema_version) left it: two devices, 3 summaries and 1 alert
    /// each, shared counters 4 and 2.</summary>
    private static void Unversioned(string path)
    {
        using (var current = new SqliteStore(path))
        {
            for (int d = 0; d < 2; d++)
            {
                current.Store(
                    [.. Enumerable.Range(1, 3).Select(s => Envelope.Create($"dev{d}", s, WireSamples.SampleSummary(WireSamples.StartNs + s))),
                     Envelope.Create($"dev{d}", 4, WireSamples.SampleAlert)], 0, 1);
            }
        }

        Scalar(path, BeforeVersionsSql + "INSERT INTO counters VALUES ('duplicates_rejected', 4), ('malformed_dropped', 2);");
    }

    /// <summary>Takes a file written by this build back to the schema before <c>schema_version</c> (what migrations 2 and 3
    /// added removed), for tests that fake a store from an older release (SQLite).</summary>
    internal const string BeforeVersionsSql = """
        DROP TABLE schema_version; DROP TABLE collector_counters;
        ALTER TABLE devices DROP COLUMN summaries; ALTER TABLE devices DROP COLUMN alerts;
        ALTER TABLE summaries DROP COLUMN quantiles; ALTER TABLE devices DROP COLUMN labels;
        """;

    [Fact]
    public void Open_FileOfTheSchemaBeforeVersions_MigratedInPlaceRowsCountsAndCountersKept()
    {
        using var db = new TempDatabase();
        Unversioned(db.Path);
        Assert.Equal(new CollectorStats(2, 6, 2, 4, 2), SqliteStore.ReadStats(db.Path)); // read as written, not migrated
        using (SqliteStore readOnly = SqliteStore.OpenReadOnly(db.Path))
        {
            Assert.Equal(3, readOnly.GetDevices()[0].Summaries);
        }

        using var store = new SqliteStore(db.Path);

        Assert.Equal(6, Scalar(db.Path, "SELECT max(version) FROM schema_version")); // 3: quantiles and labels, 4: daily partitions (nothing on SQLite), 5: alert labels, 6: rollouts
        Assert.Equal(new CollectorStats(2, 6, 2, 4, 2), store.GetStats());
        Assert.All(store.GetDevices(), d => Assert.Equal((3L, 1L), (d.Summaries, d.Alerts)));
        Assert.Equal(new StoreBatchResult(1, 1), store.Store([Envelope.Create("dev0", 1, WireSamples.SampleSummary()), Envelope.Create("dev0", 9, WireSamples.SampleSummary())], 1, 2));
        Assert.Equal(new CollectorStats(2, 7, 2, 5, 3), store.GetStats());
        Assert.Equal((4L, 9L), (store.GetDevices()[0].Summaries, store.GetDevices()[0].LastSequence));
        Assert.Equal(6, Scalar(db.Path, "SELECT count(*) FROM summaries WHERE device_id IN ('dev0', 'dev1') AND seq <= 3"));
    }

    [Fact]
    public void Open_FileOfANewerSchema_RefusedNamingBothVersions()
    {
        using var db = new TempDatabase();
        using (new SqliteStore(db.Path))
        {
        }

        Scalar(db.Path, "INSERT INTO schema_version VALUES (99, 'from the future', 0)");

        var ex = Assert.Throws<InvalidOperationException>(() => new SqliteStore(db.Path));
        Assert.Contains("schema version 99 is newer than this build's 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_ManyBatches_DeviceCountsEqualTheRowsStored()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        for (int b = 0; b < 5; b++)
        {
            var batch = new List<Envelope>();
            for (int i = 0; i < 200; i++)
            {
                batch.Add(Envelope.Create($"dev{i % 7}", (b * 200) + i + 1, WireSamples.SampleSummary(WireSamples.StartNs + i)));
            }

            batch.Add(batch[3]); // resent in the same batch
            Assert.Equal(new StoreBatchResult(200, 1), store.Store(batch, 0, b));
        }

        foreach (DeviceRecord d in store.GetDevices())
        {
            Assert.Equal(Scalar(db.Path, $"SELECT count(*) FROM summaries WHERE device_id = '{d.DeviceId}'"), d.Summaries);
        }

        Assert.Equal(new CollectorStats(7, 1000, 0, 5, 0), store.GetStats());
    }

    [Fact]
    public void DeleteBefore_RowsOnBothSidesOfTheCutoff_OnlyOlderRowsGoneAndDeviceCountsLowered()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        const long Day = 86_400L * 1_000_000_000;
        long now = WireSamples.StartNs + (100 * Day);
        var batch = new List<Envelope>();
        for (int i = 0; i < 25_000; i++)
        {
            // dev0 and dev1 alternate; windows from 50 days before now to 0, in order, so 12,500 lie before now - 25 days.
            batch.Add(Envelope.Create($"dev{i % 2}", i + 1, WireSamples.SampleSummary(now - (50 * Day) + (i * (2 * Day / 1000)))));
        }

        batch.Add(Envelope.Create("dev0", 30_000, WireSamples.AlertOf(timeNs: now - (40 * Day))));
        store.Store(batch, 0, now);

        long removed = store.DeleteBefore(now - (25 * Day)); // more rows than one retention transaction

        Assert.Equal(12_501, removed);
        Assert.Equal(new CollectorStats(2, 12_500, 0, 0, 0), store.GetStats());
        Assert.All(store.GetDevices(), d => Assert.Equal((6250L, 0L), (d.Summaries, d.Alerts)));
        Assert.Equal(0, Scalar(db.Path, $"SELECT count(*) FROM summaries WHERE window_start_ns < {now - (25 * Day)}"));
        Assert.Equal(0, store.DeleteBefore(now - (25 * Day)));
    }
}
