using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;
using Npgsql;

namespace Appliance.Cloud.Storage;

/// <summary>
/// A <see cref="ICollectorStore"/> in PostgreSQL through Npgsql, for fleets that outgrow one machine: several collectors
/// may share one database. Same tables as <see cref="SqliteStore"/>; idempotent on (device_id, incarnation, seq) through
/// <c>INSERT ... ON CONFLICT DO NOTHING</c> (PostgreSQL manual, "INSERT", ON CONFLICT clause), so a message stored by one
/// collector and retransmitted to another is a duplicate, not a second row. Each <see cref="Store"/> is one transaction,
/// committed before the collector acknowledges. Feature NaNs are stored as the float8 value NaN (PostgreSQL supports it).
/// </summary>
/// <remarks>Built on <see cref="NpgsqlSlimDataSourceBuilder"/>, the trimming- and Native-AOT-safe builder (Npgsql docs,
/// "Native AOT and trimming"), with the basic types only (text, int8, int4, float8).</remarks>
public sealed class PostgresStore : ICollectorStore, ISqlStore, IFleetReader, IDisposable
{
    private static readonly StoreSql Sql = new(SqlDialect.Postgres);
    private static readonly FleetSql Fleet = new(SqlDialect.Postgres);

    private readonly object _gate = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly string _display;
    private bool _disposed;

    /// <summary>Connects and creates the schema if missing (concurrent collectors may do this at once: a lost
    /// creation race is retried once).</summary>
    /// <param name="url">A <c>postgresql://user:password@host:port/database</c> URL (RFC 3986; libpq's URI form), or an
    /// Npgsql key=value connection string.</param>
    /// <exception cref="ArgumentException">The URL is malformed (message names what was expected).</exception>
    /// <exception cref="NpgsqlException">The server cannot be reached or refuses the login (message names the host).</exception>
    public PostgresStore(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        string connectionString = ToConnectionString(url);
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        _display = $"postgresql://{csb.Username}@{csb.Host}:{csb.Port}/{csb.Database}";
        _dataSource = new NpgsqlSlimDataSourceBuilder(connectionString).Build();
        try
        {
            _connection = _dataSource.OpenConnection();
            try
            {
                Execute(Sql.Schema);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateColumn)
            {
                Execute(Sql.Schema); // another collector created the tables between our IF NOT EXISTS checks
            }
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

    /// <inheritdoc />
    public StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using NpgsqlTransaction tx = _connection.BeginTransaction();
            StoreBatchResult result = StoreStatements.Write(_connection, tx, Sql, batch, malformedDropped, receivedNs, ClipsDirectory);
            tx.Commit();
            return result;
        }
    }

    /// <inheritdoc />
    public void RecordIdentities(bool authenticated)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            StoreStatements.RecordIdentities(_connection, Sql, authenticated);
        }
    }

    /// <inheritdoc />
    public CollectorStats GetStats()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return StoreStatements.Stats(_connection, Sql);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return StoreStatements.Summaries(_connection, Sql, deviceId, sinceNs, limit);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<DeviceRecord> GetDevices()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return StoreStatements.Devices(_connection, Sql);
        }
    }

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
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Execute($"DROP TABLE IF EXISTS {StoreSql.AllTables};");
            Execute(Sql.Schema);
        }
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
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using NpgsqlTransaction tx = _connection.BeginTransaction();
            long deleted = 0;
            foreach (string table in (ReadOnlySpan<string>)["summaries", "alerts", "heartbeats", "devices"])
            {
                using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE device_id = $1", _connection, tx);
                delete.Parameters.Add(new NpgsqlParameter { Value = deviceId });
                deleted += delete.ExecuteNonQuery();
            }

            tx.Commit();
            return deleted;
        }
    }

    /// <inheritdoc />
    T ISqlStore.Run<T>(bool write, Func<System.Data.Common.DbConnection, SqlDialect, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(_connection, SqlDialect.Postgres);
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
            _dataSource.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"PostgresStore({_display})";

    private void Execute(string sql)
    {
        using var command = new NpgsqlCommand(sql, _connection);
        command.ExecuteNonQuery();
    }
}
