namespace Appliance.Runtime.Tests.Cloud;

/// <summary>Against a real PostgreSQL server named by APPLIANCE_TEST_PG (set by .ci/run, which installs and starts Debian's
/// postgresql on 127.0.0.1). In CI (CI=true) a missing server fails these tests; elsewhere they return early with a message.</summary>
public sealed class PostgresStoreTests(ITestOutputHelper output)
{
    private static string? Url()
    {
        string? url = Environment.GetEnvironmentVariable("APPLIANCE_TEST_PG");
        if (url is null && Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail("APPLIANCE_TEST_PG is not set: .ci/run must install and start PostgreSQL and export it");
        }

        return url;
    }

    private bool Skip(string? url)
    {
        if (url is null)
        {
            output.WriteLine("APPLIANCE_TEST_PG not set and not in CI: PostgreSQL tests not run (see .ci/run)");
            return true;
        }

        return false;
    }

    [Fact]
    public void ToConnectionString_Url_MapsEveryPart()
    {
        // libpq URI form (PostgreSQL manual §34.1.1.2): postgresql://user:password@host:port/dbname?param=value
        string cs = PostgresStore.ToConnectionString("postgresql://u%40x:p%3Aw@db.example:6543/fleet?sslmode=require");
        var b = new Npgsql.NpgsqlConnectionStringBuilder(cs);
        Assert.Equal("u@x", b.Username);
        Assert.Equal("p:w", b.Password);
        Assert.Equal("db.example", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("fleet", b.Database);
        Assert.Equal(Npgsql.SslMode.Require, b.SslMode);
    }

    [Fact]
    public void Rollup_Postgres_MomentsAndQuantilesEqualRecomputationFromRawSamples()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using var store = new PostgresStore(url!);
        store.DropAll();
        RollupChecks.RollupsEqualRecomputation(store);
    }

    [Fact]
    public void Store_AlertWithNaNScoreInBatch_StoresEveryRowAndNullSummaryQueryReadsAll()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using var store = new PostgresStore(url!);
        store.DropAll();
        var alert = new Alert
        {
            Sensor = "bme280-0", Channel = "pressure", TimeNs = WireSamples.StartNs, Score = double.NaN, Threshold = 2.5,
            Severity = AlertSeverity.Warning, Detector = "zscore", Features = WireSamples.Features,
        };

        StoreBatchResult r = store.Store([Envelope.Create("dev1", 1, WireSamples.SampleSummary()), Envelope.Create("dev2", 1, alert)], 0, 1);

        Assert.Equal(new StoreBatchResult(2, 0), r);
        Assert.Equal(new CollectorStats(2, 1, 1, 0, 0), store.GetStats());
        Assert.Single(store.GetSummaries(null, 0, 10)); // a NULL device filter is typed text ($1::text IS NULL)
        store.RecordIdentities(authenticated: false);
        Assert.True(store.GetStats().IdentitiesUnauthenticated);
    }

    [Fact]
    public void Store_SummaryWithSpectralBesideOneWithout_ReadsBackTheJsonAndNull()
    {
        // Schema 3 spectral features go into the nullable text column summaries.spectral (docs/spectral.md); a database
        // created before it gains it on connect (ALTER TABLE ... ADD COLUMN IF NOT EXISTS), shown here by dropping it first.
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using (var reset = new PostgresStore(url!))
        {
            reset.DropAll();
            reset.Store([Envelope.Create("dev1", 1, WireSamples.SampleSummary())], 0, 1);
        }

        using (var raw = new Npgsql.NpgsqlConnection(PostgresStore.ToConnectionString(url!)))
        {
            raw.Open();
            using var drop = raw.CreateCommand();
            drop.CommandText = "ALTER TABLE summaries DROP COLUMN spectral; " + PostgresIngestTests.ToUnversioned; // a database of before both
            drop.ExecuteNonQuery();
        }

        using var store = new PostgresStore(url!);
        store.Store([Envelope.Create("dev1", 2, WireSamples.SpectralSummaryOf(WireSamples.StartNs + 1_000_000_000, WireSamples.StoredSpectral))], 0, 2);

        var rows = store.GetSummaries(null, 0, 10);
        Assert.Null(rows[0].Spectral);
        Assert.Equal(WireSamples.StoredSpectralJson, rows[1].Spectral);
    }

    [Fact]
    public async Task Collectors_TwoSharingOneDatabase_StoreEachSequenceOnceAndCountDuplicates()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using (var reset = new PostgresStore(url!))
        {
            reset.DropAll();
        }

        using var storeA = new PostgresStore(url!);
        using var storeB = new PostgresStore(url!);
        var outbox = new MemoryOutbox(4096, TimeSpan.FromSeconds(5));
        var a = new Collector("tcp://127.0.0.1:0", storeA);
        a.Start();
        int port = a.Port;
        using var client = new UplinkClient(new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{port}", DeviceId = "pg-dev", AckWindow = 64, ResendAfter = TimeSpan.FromMilliseconds(300) }, outbox);
        client.Start();
        for (int i = 0; i < 150; i++)
        {
            client.Enqueue(WireSamples.SampleSummary(WireSamples.StartNs + (i * 1_000_000_000L)));
        }

        client.Enqueue(WireSamples.SampleAlert);
        client.Enqueue(WireSamples.SampleHeartbeat);
        Assert.True(await client.FlushAsync(TimeSpan.FromSeconds(20)));
        a.Dispose();

        // Collector B on the same port and database: the same envelopes stored again by a second collector are duplicates.
        // (Under the same incarnation as the device's: (device, incarnation, sequence) is the key.)
        var replay = Enumerable.Range(1, 10).Select(i => Envelope.Create("pg-dev", i, WireSamples.SampleSummary(WireSamples.StartNs + ((i - 1) * 1_000_000_000L)), outbox.Incarnation)).ToList();
        StoreBatchResult again = storeB.Store(replay, malformedDropped: 2, receivedNs: 1);
        Assert.Equal(0, again.Stored);
        Assert.Equal(10, again.Duplicates);

        CollectorStats stats = storeA.GetStats();
        Assert.Equal(1, stats.Devices);
        Assert.Equal(150, stats.Summaries);
        Assert.Equal(1, stats.Alerts);
        Assert.Equal(a.Counters.Duplicates + 10, stats.DuplicatesRejected); // resends under load are duplicates too
        Assert.Equal(2, stats.MalformedDropped);
        IReadOnlyList<StoredSummary> rows = storeB.GetSummaries("pg-dev", 0, 1000);
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), rows.Select(r => r.Sequence));
        Assert.Equal(WireSamples.Features.Mean, rows[0].Features.Mean);
        DeviceRecord device = Assert.Single(storeB.GetDevices());
        Assert.Equal(WireSamples.SampleHeartbeat.ConfigRevision, device.ConfigRevision);
        Assert.Equal(150, device.Summaries);
    }

    [Fact]
    public void Store_ClipChunksOutOfOrderAndTwice_AssembledOnceLikeSqlite()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        // Issue 22: the same clip rules as ClipStoreTests on SQLite (in this class, so that it never runs beside DropAll).
        using var dir = new TempDatabase();
        using var store = new PostgresStore(url!) { ClipsDirectory = dir.Path + ".clips" };
        string device = "clip-" + Guid.NewGuid().ToString("N")[..8];
        byte[] clip = ClipStoreTests.Clip(2100, 9);
        var chunks = Enumerable.Range(0, 3).Select(i => Uplink.ClipChunkWireTests.Chunk(i, 3, clip, 1000)).ToArray();
        store.Store([ClipStoreTests.Message(device, 2, chunks[1]), ClipStoreTests.Message(device, 3, chunks[2])], 0, 1);
        store.Store([ClipStoreTests.Message(device, 3, chunks[2]), ClipStoreTests.Message(device, 1, chunks[0])], 0, 1);
        StoredClip row = Assert.Single(store.GetClips(device));
        Assert.Equal(("complete", 3), (row.State, row.ChunksStored));
        Assert.Equal(clip, File.ReadAllBytes(row.Path!));
        Assert.Equal(row, store.GetClip(row.Id));
    }

    [Fact]
    public void FleetReader_QueriesAndAcknowledgement_LatestFirstAndAckStoredOnce()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using var store = new PostgresStore(url!);
        store.DropAll();
        FleetReaderChecks.QueriesAndAcknowledgement(store);
    }

    [Fact]
    public void Store_TablesOfTheSchemaBeforeIncarnations_MigratedInPlaceKeepingTheirRowsAsIncarnationZero()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using (var reset = new PostgresStore(url!))
        {
            reset.DropAll();
        }

        using (var c = new Npgsql.NpgsqlConnection(PostgresStore.ToConnectionString(url!)))
        {
            // The key tables as the collector before incarnations created them (StoreSql at commit 7a4ed6b), one row each.
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"""
                {PostgresIngestTests.ToUnversioned} DROP TABLE summaries, heartbeats;
                CREATE TABLE summaries (device_id TEXT NOT NULL, seq BIGINT NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL, window_start_ns BIGINT NOT NULL, window_end_ns BIGINT NOT NULL, count BIGINT, nan_count BIGINT, min DOUBLE PRECISION, max DOUBLE PRECISION, mean DOUBLE PRECISION, m2 DOUBLE PRECISION, m3 DOUBLE PRECISION, m4 DOUBLE PRECISION, sum_of_squares DOUBLE PRECISION, first DOUBLE PRECISION, last DOUBLE PRECISION, zero_crossings BIGINT, received_ns BIGINT NOT NULL, PRIMARY KEY (device_id, seq));
                CREATE TABLE heartbeats (device_id TEXT NOT NULL, seq BIGINT NOT NULL, uptime_ms BIGINT NOT NULL, execution_provider TEXT NOT NULL, config_revision TEXT NOT NULL, counters TEXT NOT NULL, received_ns BIGINT NOT NULL, PRIMARY KEY (device_id, seq));
                INSERT INTO summaries VALUES ('old', 9, 'bme280-0', 'pressure', 1700000000000000000, 1700000001000000000, 3, 0, 1.0, 2.0, 1.5, 0.5, 0.0, 0.125, 7.25, 1.0, 2.0, 0, 1);
                """;
            cmd.ExecuteNonQuery();
        }

        using var store = new PostgresStore(url!);
        StoredSummary kept = Assert.Single(store.GetSummaries("old", 0, 10));
        Assert.Equal(9, kept.Sequence);
        StoreBatchResult r = store.Store(
            [Envelope.Create("old", 9, WireSamples.SampleSummary()), Envelope.Create("old", 9, WireSamples.SampleSummary(), incarnation: 5),
             Envelope.Create("old", 9, WireSamples.SampleAlert, incarnation: 5)], 0, 2);
        Assert.Equal(new StoreBatchResult(2, 1), r);
        Assert.Equal(2, store.GetSummaries("old", 0, 10).Count);
        using var again = new PostgresStore(url!); // opening a migrated database changes nothing
        Assert.Equal(2, again.GetSummaries("old", 0, 10).Count);
    }

    [Fact]
    public void Train_GaussianWindowsInPostgres_ThresholdIsChiSquare1Quantile()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using var store = new PostgresStore(url!);
        store.DropAll();
        string dir = Directory.CreateTempSubdirectory("appliance-pg-train-").FullName;
        try
        {
            StoreTrainingChecks.ThresholdIsChiSquareQuantile(store, Path.Combine(dir, "m"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LabelAlert_Postgres_PrecisionAndTrueAlertWindowsLeftOut()
    {
        string? url = Url();
        if (Skip(url))
        {
            return;
        }

        using var store = new PostgresStore(url!);
        store.DropAll();
        string dir = Directory.CreateTempSubdirectory("appliance-pg-label-").FullName;
        try
        {
            StoreTrainingChecks.LabelsGatePrecisionAndTraining(store, Path.Combine(dir, "m"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
