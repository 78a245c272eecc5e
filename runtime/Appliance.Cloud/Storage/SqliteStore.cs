using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;
using Microsoft.Data.Sqlite;

namespace Appliance.Cloud.Storage;

/// <summary>
/// A <see cref="ICollectorStore"/> in one SQLite file (WAL mode, <c>synchronous=FULL</c> by default so a commit
/// survives power loss before its acknowledgement is sent; <see cref="SqliteSynchronous.Normal"/> on request). Plain SQL through Microsoft.Data.Sqlite, no ORM.
/// </summary>
/// <remarks>
/// Tables: <c>devices</c> (last seen, last sequence, last heartbeat's uptime/provider/revision),
/// <c>summaries</c>, <c>alerts</c>, <c>heartbeats</c> (each with PRIMARY KEY (device_id, seq), inserted with
/// <c>INSERT OR IGNORE</c>: a row not inserted is a duplicate), and <c>counters</c> (name, value) holding
/// <c>duplicates_rejected</c> and <c>malformed_dropped</c>. Each <see cref="Store"/> call is one transaction.
/// Feature NaNs are stored as NULL (SQLite has no NaN: https://www.sqlite.org/c3ref/bind_blob.html) and read back as NaN.
/// </remarks>
public sealed class SqliteStore : ICollectorStore, IDisposable
{
    private static readonly StoreSql Sql = new(SqlDialect.Sqlite);

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _path;
    private bool _disposed;

    static SqliteStore()
    {
        // Microsoft.Data.Sqlite finds the bundled provider by reflection, which trimming can remove; initialise it directly.
        SQLitePCL.Batteries_V2.Init();
    }

    /// <summary>Opens (creating if needed) the store file and its schema, with <c>synchronous=FULL</c>.</summary>
    /// <param name="path">Path of the SQLite file; its directory must exist.</param>
    /// <exception cref="SqliteException">The file cannot be opened or is not a SQLite database (message names the path).</exception>
    public SqliteStore(string path)
        : this(path, SqliteSynchronous.Full)
    {
    }

    /// <summary>Opens (creating if needed) the store file and its schema.</summary>
    /// <param name="path">Path of the SQLite file; its directory must exist.</param>
    /// <param name="synchronous">FULL (fsync per commit, survives power loss) or NORMAL (survives a process crash only); see <see cref="SqliteSynchronous"/>.</param>
    /// <exception cref="SqliteException">The file cannot be opened or is not a SQLite database (message names the path).</exception>
    public SqliteStore(string path, SqliteSynchronous synchronous)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();
            Execute(synchronous == SqliteSynchronous.Normal
                ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
            Execute(Sql.Schema);

            // Files created before the fleet table carried health (schema 1 collectors) gain the columns added since.
            foreach (string column in StoreSql.AddedColumns)
            {
                if (!HasColumn("devices", column))
                {
                    Execute($"ALTER TABLE devices ADD COLUMN {column} TEXT;");
                }
            }
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw new SqliteException($"collector store '{path}': {ex.Message}", ex.SqliteErrorCode);
        }
    }

    /// <summary>Reads the totals of a store file without opening it for writing (for a separate process, e.g. <c>appliance cloud stats --db PATH</c>).</summary>
    /// <param name="path">Path of the SQLite file.</param>
    /// <returns>The totals.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="SqliteException">The file is not a collector store (message names the path).</exception>
    public static CollectorStats ReadStats(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"collector store '{path}' does not exist", path);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            return StoreStatements.Stats(connection, Sql);
        }
        catch (SqliteException ex)
        {
            throw new SqliteException($"collector store '{path}': {ex.Message} (expected a file written by SqliteStore)", ex.SqliteErrorCode);
        }
    }

    /// <inheritdoc />
    public StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteTransaction tx = _connection.BeginTransaction();
            StoreBatchResult result = StoreStatements.Write(_connection, tx, Sql, batch, malformedDropped, receivedNs);
            tx.Commit();
            return result;
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

    /// <summary>Closes the file.</summary>
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
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"SqliteStore({_path})";

    private bool HasColumn(string table, string column)
    {
        using SqliteCommand q = _connection.CreateCommand();
        q.CommandText = "SELECT count(*) FROM pragma_table_info(@t) WHERE name = @c";
        q.Parameters.AddWithValue("@t", table);
        q.Parameters.AddWithValue("@c", column);
        return (long)q.ExecuteScalar()! > 0;
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
