using Appliance.Cloud.Ingest;
using System.Globalization;
using System.Text;
using Appliance.Kernels.Statistics;
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
    private const string FeatureColumns = StoreRows.FeatureColumns;

    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS devices (
            device_id TEXT PRIMARY KEY, last_seen_ns INTEGER NOT NULL, last_sequence INTEGER NOT NULL,
            last_heartbeat_seq INTEGER, heartbeat_ns INTEGER, uptime_ms INTEGER, execution_provider TEXT, config_revision TEXT,
            config_state TEXT, health TEXT);
        CREATE TABLE IF NOT EXISTS summaries (
            device_id TEXT NOT NULL, seq INTEGER NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL,
            window_start_ns INTEGER NOT NULL, window_end_ns INTEGER NOT NULL,
            count INTEGER, nan_count INTEGER, min REAL, max REAL, mean REAL, m2 REAL, m3 REAL, m4 REAL,
            sum_of_squares REAL, first REAL, last REAL, zero_crossings INTEGER, received_ns INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq));
        CREATE INDEX IF NOT EXISTS summaries_window ON summaries (window_start_ns);
        CREATE TABLE IF NOT EXISTS alerts (
            device_id TEXT NOT NULL, seq INTEGER NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL,
            time_ns INTEGER NOT NULL, score REAL, threshold REAL, severity INTEGER NOT NULL, detector TEXT NOT NULL,
            count INTEGER, nan_count INTEGER, min REAL, max REAL, mean REAL, m2 REAL, m3 REAL, m4 REAL,
            sum_of_squares REAL, first REAL, last REAL, zero_crossings INTEGER, received_ns INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq));
        CREATE TABLE IF NOT EXISTS heartbeats (
            device_id TEXT NOT NULL, seq INTEGER NOT NULL, uptime_ms INTEGER NOT NULL, execution_provider TEXT NOT NULL,
            config_revision TEXT NOT NULL, counters TEXT NOT NULL, received_ns INTEGER NOT NULL,
            PRIMARY KEY (device_id, seq));
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO counters (name, value) VALUES ('duplicates_rejected', 0), ('malformed_dropped', 0);
        """;

    private const string StatsSql = """
        SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM summaries), (SELECT count(*) FROM alerts),
               (SELECT value FROM counters WHERE name = 'duplicates_rejected'),
               (SELECT value FROM counters WHERE name = 'malformed_dropped');
        """;

    /// <summary>The devices query, shared with <see cref="PostgresStore"/> (standard SQL).</summary>
    internal const string DevicesSql = """
        SELECT d.device_id, d.last_seen_ns, d.last_sequence, d.heartbeat_ns, d.uptime_ms, d.execution_provider, d.config_revision,
               (SELECT count(*) FROM summaries s WHERE s.device_id = d.device_id),
               (SELECT count(*) FROM alerts a WHERE a.device_id = d.device_id),
               d.config_state, d.health
        FROM devices d ORDER BY d.device_id;
        """;

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
            Execute(Schema);

            // Files created before the fleet table carried health (schema 1 collectors) gain the two columns.
            if (!HasColumn("devices", "health"))
            {
                Execute("ALTER TABLE devices ADD COLUMN config_state TEXT; ALTER TABLE devices ADD COLUMN health TEXT;");
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
            return QueryStats(connection);
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
            using SqliteCommand summary = Prepare(tx, $"INSERT OR IGNORE INTO summaries (device_id, seq, sensor, channel, window_start_ns, window_end_ns, {FeatureColumns}, received_ns) VALUES (@d, @s, @sensor, @channel, @start, @end, @c0, @c1, @c2, @c3, @c4, @c5, @c6, @c7, @c8, @c9, @c10, @c11, @t)");
            using SqliteCommand alert = Prepare(tx, $"INSERT OR IGNORE INTO alerts (device_id, seq, sensor, channel, time_ns, score, threshold, severity, detector, {FeatureColumns}, received_ns) VALUES (@d, @s, @sensor, @channel, @time, @score, @threshold, @severity, @detector, @c0, @c1, @c2, @c3, @c4, @c5, @c6, @c7, @c8, @c9, @c10, @c11, @t)");
            using SqliteCommand heartbeat = Prepare(tx, "INSERT OR IGNORE INTO heartbeats (device_id, seq, uptime_ms, execution_provider, config_revision, counters, received_ns) VALUES (@d, @s, @uptime, @provider, @revision, @counters, @t)");
            using SqliteCommand device = Prepare(tx, "INSERT INTO devices (device_id, last_seen_ns, last_sequence) VALUES (@d, @t, @s) ON CONFLICT (device_id) DO UPDATE SET last_seen_ns = excluded.last_seen_ns, last_sequence = max(last_sequence, excluded.last_sequence)");
            using SqliteCommand deviceHeartbeat = Prepare(tx, "UPDATE devices SET last_heartbeat_seq = @s, heartbeat_ns = @t, uptime_ms = @uptime, execution_provider = @provider, config_revision = @revision, config_state = @state, health = @health WHERE device_id = @d AND (last_heartbeat_seq IS NULL OR last_heartbeat_seq < @s)");

            int stored = 0;
            int duplicates = 0;
            foreach (Envelope e in batch)
            {
                SqliteCommand insert = e.Body switch
                {
                    Summary s => Bind(summary, e, receivedNs).With("@sensor", s.Sensor).With("@channel", s.Channel)
                        .With("@start", s.WindowStartNs).With("@end", s.WindowEndNs).WithFeatures(s.Features),
                    Alert a => Bind(alert, e, receivedNs).With("@sensor", a.Sensor).With("@channel", a.Channel)
                        .With("@time", a.TimeNs).With("@score", a.Score).With("@threshold", a.Threshold)
                        .With("@severity", (long)a.Severity).With("@detector", a.Detector).WithFeatures(a.Features),
                    Heartbeat h => Bind(heartbeat, e, receivedNs).With("@uptime", h.UptimeMs).With("@provider", h.ExecutionProvider)
                        .With("@revision", h.ConfigRevision).With("@counters", StoreRows.FormatCounters(h.Counters)),
                    _ => throw new ArgumentException(
                        $"collector store: {e.MessageType} from '{e.DeviceId}' sequence {e.Sequence} is not device data (expected summary, alert or heartbeat)",
                        nameof(batch)),
                };

                Bind(device, e, receivedNs).ExecuteNonQuery();
                if (insert.ExecuteNonQuery() == 0)
                {
                    duplicates++;
                    continue;
                }

                stored++;
                if (e.Body is Heartbeat hb)
                {
                    Bind(deviceHeartbeat, e, receivedNs).With("@uptime", hb.UptimeMs).With("@provider", hb.ExecutionProvider)
                        .With("@revision", hb.ConfigRevision).With("@state", hb.ConfigState)
                        .With("@health", StoreRows.HealthJson(hb)).ExecuteNonQuery();
                }
            }

            using (SqliteCommand counters = Prepare(tx, "UPDATE counters SET value = value + CASE name WHEN 'duplicates_rejected' THEN @dup WHEN 'malformed_dropped' THEN @bad ELSE 0 END"))
            {
                counters.With("@dup", (long)duplicates).With("@bad", malformedDropped).ExecuteNonQuery();
            }

            tx.Commit();
            return new StoreBatchResult(stored, duplicates);
        }
    }

    /// <inheritdoc />
    public CollectorStats GetStats()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return QueryStats(_connection);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand q = _connection.CreateCommand();
            q.CommandText = $"SELECT device_id, seq, sensor, channel, window_start_ns, window_end_ns, {FeatureColumns} FROM summaries WHERE (@d IS NULL OR device_id = @d) AND window_start_ns >= @since ORDER BY window_start_ns, device_id, seq LIMIT @limit";
            q.With("@d", (object?)deviceId ?? DBNull.Value).With("@since", sinceNs).With("@limit", (long)limit);
            using SqliteDataReader r = q.ExecuteReader();
            return StoreRows.All(r, StoreRows.Summary);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<DeviceRecord> GetDevices()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using SqliteCommand q = _connection.CreateCommand();
            q.CommandText = DevicesSql;
            using SqliteDataReader r = q.ExecuteReader();
            return StoreRows.All(r, StoreRows.Device);
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

    private static CollectorStats QueryStats(SqliteConnection connection)
    {
        using SqliteCommand q = connection.CreateCommand();
        q.CommandText = StatsSql;
        using SqliteDataReader r = q.ExecuteReader();
        r.Read();
        return new CollectorStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
    }

    private static SqliteCommand Bind(SqliteCommand command, in Envelope e, long receivedNs) =>
        command.With("@d", e.DeviceId).With("@s", e.Sequence).With("@t", receivedNs);

    private SqliteCommand Prepare(SqliteTransaction tx, string sql)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    private bool HasColumn(string table, string column)
    {
        using SqliteCommand q = _connection.CreateCommand();
        q.CommandText = "SELECT count(*) FROM pragma_table_info(@t) WHERE name = @c";
        q.With("@t", table).With("@c", column);
        return (long)q.ExecuteScalar()! > 0;
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
