using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;
using Npgsql;

namespace Appliance.Cloud.Storage;

/// <summary>
/// A <see cref="ICollectorStore"/> in PostgreSQL through Npgsql, for fleets that outgrow one machine: several collectors
/// may share one database. Same tables as <see cref="SqliteStore"/>; idempotent on (device_id, incarnation, seq) through
/// <c>INSERT ... ON CONFLICT DO NOTHING</c> (PostgreSQL manual, "INSERT", ON CONFLICT clause), so a message stored by one
/// collector and retransmitted to another is a duplicate, not a second row. Each <see cref="Store"/> is one transaction on a
/// connection from the data source's pool, committed before the collector acknowledges: summaries and alerts go through binary
/// COPY and one merge statement (<see cref="PostgresBulkWriter"/>), heartbeats and clip chunks row by row (<see cref="RowWriter"/>);
/// duplicates and malformed frames are added to this collector's own rows of <c>collector_counters</c> (<see cref="CollectorId"/>),
/// so collectors sharing the database never wait on one counter row. Queries take their own pooled connections.
/// Feature NaNs are stored as the float8 value NaN (PostgreSQL supports it). The schema is versioned (<see cref="StoreMigrations"/>).
/// </summary>
/// <remarks>Built on <see cref="NpgsqlSlimDataSourceBuilder"/>, the trimming- and Native-AOT-safe builder (Npgsql docs,
/// "Native AOT and trimming"), with the basic types only (text, int8, int4, float8).</remarks>
public sealed class PostgresStore : ICollectorStore, IRetainingStore, ISqlStore, IFleetReader, IDisposable
{
    private static readonly StoreSql Sql = new(SqlDialect.Postgres);
    private static readonly FleetSql Fleet = new(SqlDialect.Postgres);

    private static readonly string Merge = PostgresBulkWriter.Merge(Sql);

    private readonly NpgsqlDataSource _dataSource;
    private PostgresPartitions _partitions = new();
    private readonly string _display;
    private volatile bool _disposed;

    /// <summary>Connects and brings the schema to <see cref="StoreMigrations.Latest"/> (concurrent collectors may do this at once:
    /// <see cref="SchemaMigrator"/> serialises them on an advisory lock).</summary>
    /// <param name="url">A <c>postgresql://user:password@host:port/database</c> URL (RFC 3986; libpq's URI form), or an
    /// Npgsql key=value connection string.</param>
    /// <exception cref="ArgumentException">The URL is malformed (message names what was expected).</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached or refuses the login (message names the host).</exception>
    public PostgresStore(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        string connectionString = ToConnectionString(url);
        var csb = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Pooled connections keep their session (the staging temp tables of PostgresBulkWriter) instead of DISCARD ALL on
            // return; nothing here sets other session state.
            NoResetOnClose = true,
        };
        _display = $"postgresql://{csb.Username}@{csb.Host}:{csb.Port}/{csb.Database}";
        _dataSource = new NpgsqlSlimDataSourceBuilder(csb.ConnectionString).Build();
        try
        {
            using NpgsqlConnection c = _dataSource.OpenConnection();
            SchemaMigrator.Migrate(c, SqlDialect.Postgres, StoreMigrations.For(Sql, static (_, _, _, _) => true), NowNs());
            _partitions.Ensure(_dataSource, [], NowNs()); // today's and tomorrow's partitions, ahead
        }
        catch (NpgsqlException ex)
        {
            _dataSource.Dispose();
            throw new NpgsqlException($"collector store {_display}: {ex.Message}", ex);
        }
    }

    /// <summary>True when <paramref name="db"/> names a PostgreSQL database rather than a SQLite file.</summary>
    /// <param name="db">The <c>--db</c> value.</param>
    /// <returns>True for <c>postgresql://</c> and <c>postgres://</c> URLs.</returns>
    public static bool IsUrl(string db) =>
        db.StartsWith("postgresql://", StringComparison.Ordinal) || db.StartsWith("postgres://", StringComparison.Ordinal);

    /// <summary>Turns a <c>postgresql://user:password@host:port/database?key=value</c> URL into an Npgsql connection string;
    /// query parameters are passed as Npgsql keys (e.g. <c>sslmode=require</c>). Other text is returned unchanged.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The connection string.</returns>
    /// <exception cref="ArgumentException">The URL has no host or no database.</exception>
    public static string ToConnectionString(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsUrl(url))
        {
            return url;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host) || uri.AbsolutePath.Length <= 1)
        {
            throw new ArgumentException($"--db {url}: expected postgresql://user:password@host:port/database", nameof(url));
        }

        var csb = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath[1..]),
        };
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            csb.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                csb.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            csb[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }

        return csb.ConnectionString;
    }

    /// <summary>This collector's rows in <c>collector_counters</c>: by default host name and process id, so every collector
    /// process on the database has its own (a restarted collector adds two small rows; reads sum them).</summary>
    public string CollectorId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Called after each row a batch's COPY writes, with the connection and the rows so far (tests kill the connection
    /// or throw mid-COPY through it); null in production.</summary>
    internal Action<NpgsqlConnection, int>? AfterCopyRow { get; set; }

    /// <inheritdoc />
    /// <exception cref="NpgsqlException">The server failed a statement or the connection broke: the transaction is rolled back
    /// (nothing of the batch is committed, so nothing may be acknowledged).</exception>
    public StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<Envelope>? rest = null;
        int bulk = 0;
        foreach (Envelope e in batch)
        {
            if (e.Body is Summary or Alert)
            {
                bulk++;
            }
            else
            {
                (rest ??= []).Add(e);
            }
        }

        if (bulk > 0)
        {
            _partitions.Ensure(_dataSource, PartitionKeys(batch), NowNs()); // a late window's day gets its partition first
        }

        using NpgsqlConnection connection = _dataSource.OpenConnection();
        using NpgsqlTransaction tx = connection.BeginTransaction();
        using var rows = new RowWriter(connection, Sql);
        StoreBatchResult result = rest is null ? default : rows.Write(tx, rest, receivedNs, ClipsDirectory);
        if (bulk > 0)
        {
            int inserted = PostgresBulkWriter.Write(connection, tx, Merge, batch, receivedNs, AfterCopyRow);
            result = new StoreBatchResult(result.Stored + inserted, result.Duplicates + bulk - inserted);
        }

        rows.AddCounters(tx, CollectorId, result.Duplicates, malformedDropped);
        tx.Commit();
        return result;
    }

    /// <summary>Partitions this store created, ahead and for late windows (<see cref="PostgresPartitions"/>).</summary>
    public long PartitionsCreated => _partitions.Created;

    /// <inheritdoc />
    /// <remarks>Drops whole day partitions of <c>summaries</c> and <c>alerts</c> that end at or before the cutoff (and the partition of
    /// rows from before partitioning once it does), one transaction each; rows of the default partition are deleted.</remarks>
    public long DeleteBefore(long cutoffNs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using NpgsqlConnection c = _dataSource.OpenConnection();
        return _partitions.DropBefore(c, cutoffNs);
    }

    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    private static IEnumerable<long> PartitionKeys(IReadOnlyList<Envelope> batch)
    {
        foreach (Envelope e in batch)
        {
            if (e.Body is Summary s)
            {
                yield return s.WindowStartNs;
            }
            else if (e.Body is Alert a)
            {
                yield return a.TimeNs;
            }
        }
    }

    /// <inheritdoc />
    public void RecordIdentities(bool authenticated) => Run(true, c => { StoreStatements.RecordIdentities(c, Sql, authenticated); return 0; });

    /// <inheritdoc />
    public CollectorStats GetStats() => Run(false, c => StoreStatements.Stats(c, Sql));

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return Run(false, c => StoreStatements.Summaries(c, Sql, deviceId, sinceNs, limit));
    }

    /// <inheritdoc />
    public IReadOnlyList<DeviceRecord> GetDevices() => Run(false, c => StoreStatements.Devices(c, Sql));

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> QuerySummaries(SummaryQuery query) => Run(false, c => Fleet.QuerySummaries(c, Sql, query));

    /// <inheritdoc />
    public IReadOnlyList<StoredAlert> QueryAlerts(AlertQuery query) => Run(false, c => Fleet.QueryAlerts(c, Sql, query));

    /// <inheritdoc />
    public IReadOnlyList<Rollups.RollupRow> QueryRollups(Rollups.RollupQuery query) => Run(false, c => Rollups.RollupSql.Query(c, Sql, query));

    /// <inheritdoc />
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetDeviceLabels() => Run(false, c => Rollups.RollupSql.Labels(c, Sql));

    /// <inheritdoc />
    public StoredAlert? AcknowledgeAlert(string deviceId, long sequence, long nowNs, string by) =>
        Run(true, c => Fleet.AcknowledgeAlert(c, Sql, deviceId, sequence, nowNs, by));

    /// <inheritdoc/>
    public StoredAlert? LabelAlert(string deviceId, long sequence, bool label, long nowNs) =>
        Run(true, c => Fleet.LabelAlert(c, Sql, deviceId, sequence, label, nowNs));

    /// <inheritdoc />
    public IReadOnlyList<StoredClip> GetClips(string? deviceId) => Run(false, c => ClipSql.List(c, SqlDialect.Postgres, deviceId));

    /// <inheritdoc />
    public StoredClip? GetClip(long id) => Run(false, c => ClipSql.GetClip(c, SqlDialect.Postgres, id));

    /// <summary>Where assembled clip files are written (<c>--clips-dir</c>); by default <c>appliance-clips</c> in the current directory. Created on the first clip.</summary>
    public string ClipsDirectory { get; set; } = Path.GetFullPath("appliance-clips");

    private T Run<T>(bool write, Func<System.Data.Common.DbConnection, T> work) => ((ISqlStore)this).Run(write, (c, _) => work(c));

    /// <summary>Drops every table of the store (tests and benchmarks reset a shared database with it).</summary>
    public void DropAll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using NpgsqlConnection c = _dataSource.OpenConnection();
        SchemaMigrator.Execute(c, null, $"DROP TABLE IF EXISTS {StoreSql.AllTables};");
        NpgsqlConnection.ClearPool(c); // pooled sessions' staging tables were LIKE the dropped tables
        SchemaMigrator.Migrate(c, SqlDialect.Postgres, StoreMigrations.For(Sql, static (_, _, _, _) => true), 0);
        _partitions = new PostgresPartitions();
    }

    /// <summary>
    /// Deletes one device's rows (summaries, alerts, heartbeats, its fleet row) in one transaction, so a demo device whose
    /// sequences start again at 1 is stored rather than rejected as duplicates of an earlier run. Other devices are untouched.
    /// </summary>
    /// <param name="deviceId">The device to forget.</param>
    /// <returns>Rows deleted over all tables.</returns>
    /// <exception cref="NpgsqlException">The server failed the statement.</exception>
    public long ForgetDevice(string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using NpgsqlConnection connection = _dataSource.OpenConnection();
        using NpgsqlTransaction tx = connection.BeginTransaction();
        long deleted = 0;
        foreach (string table in (ReadOnlySpan<string>)["summaries", "alerts", "heartbeats", "devices"])
        {
            using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE device_id = $1", connection, tx);
            delete.Parameters.Add(new NpgsqlParameter { Value = deviceId });
            deleted += delete.ExecuteNonQuery();
        }

        tx.Commit();
        return deleted;
    }

    /// <inheritdoc />
    T ISqlStore.Run<T>(bool write, Func<System.Data.Common.DbConnection, SqlDialect, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using NpgsqlConnection connection = _dataSource.OpenConnection();
        return work(connection, SqlDialect.Postgres);
    }

    /// <summary>Closes the pool's connections.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _dataSource.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"PostgresStore({_display})";
}
