using Appliance.Cloud.Ingest;
using System.Globalization;
using System.Text;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Wire;
using Npgsql;
using NpgsqlTypes;

namespace Appliance.Cloud.Storage;

/// <summary>
/// A <see cref="ICollectorStore"/> in PostgreSQL through Npgsql, for fleets that outgrow one machine: several collectors
/// may share one database. Same tables as <see cref="SqliteStore"/>; idempotent on (device_id, seq) through
/// <c>INSERT ... ON CONFLICT DO NOTHING</c> (PostgreSQL manual, "INSERT", ON CONFLICT clause), so a message stored by one
/// collector and retransmitted to another is a duplicate, not a second row. Each <see cref="Store"/> is one transaction,
/// committed before the collector acknowledges. Feature NaNs are stored as the float8 value NaN (PostgreSQL supports it).
/// </summary>
/// <remarks>Built on <see cref="NpgsqlSlimDataSourceBuilder"/>, the trimming- and Native-AOT-safe builder (Npgsql docs,
/// "Native AOT and trimming"), with the basic types only (text, int8, int4, float8).</remarks>
public sealed class PostgresStore : ICollectorStore, IDisposable
{
    private const string FeatureColumns = StoreRows.FeatureColumns;

    private const string FeatureTypes =
        "count BIGINT, nan_count BIGINT, min DOUBLE PRECISION, max DOUBLE PRECISION, mean DOUBLE PRECISION, m2 DOUBLE PRECISION, m3 DOUBLE PRECISION, m4 DOUBLE PRECISION, sum_of_squares DOUBLE PRECISION, first DOUBLE PRECISION, last DOUBLE PRECISION, zero_crossings BIGINT";

    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS devices (
            device_id TEXT PRIMARY KEY, last_seen_ns BIGINT NOT NULL, last_sequence BIGINT NOT NULL,
            last_heartbeat_seq BIGINT, heartbeat_ns BIGINT, uptime_ms BIGINT, execution_provider TEXT, config_revision TEXT,
            config_state TEXT, health TEXT);
        ALTER TABLE devices ADD COLUMN IF NOT EXISTS config_state TEXT;
        ALTER TABLE devices ADD COLUMN IF NOT EXISTS health TEXT;
        CREATE TABLE IF NOT EXISTS summaries (
            device_id TEXT NOT NULL, seq BIGINT NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL,
            window_start_ns BIGINT NOT NULL, window_end_ns BIGINT NOT NULL, {FeatureTypes}, received_ns BIGINT NOT NULL,
            PRIMARY KEY (device_id, seq));
        CREATE INDEX IF NOT EXISTS summaries_window ON summaries (window_start_ns);
        CREATE TABLE IF NOT EXISTS alerts (
            device_id TEXT NOT NULL, seq BIGINT NOT NULL, sensor TEXT NOT NULL, channel TEXT NOT NULL,
            time_ns BIGINT NOT NULL, score DOUBLE PRECISION, threshold DOUBLE PRECISION, severity BIGINT NOT NULL, detector TEXT NOT NULL,
            {FeatureTypes}, received_ns BIGINT NOT NULL, PRIMARY KEY (device_id, seq));
        CREATE TABLE IF NOT EXISTS heartbeats (
            device_id TEXT NOT NULL, seq BIGINT NOT NULL, uptime_ms BIGINT NOT NULL, execution_provider TEXT NOT NULL,
            config_revision TEXT NOT NULL, counters TEXT NOT NULL, received_ns BIGINT NOT NULL, PRIMARY KEY (device_id, seq));
        CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO counters (name, value) VALUES ('duplicates_rejected', 0), ('malformed_dropped', 0) ON CONFLICT DO NOTHING;
        """;

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
                Execute(Schema);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateColumn)
            {
                Execute(Schema); // another collector created the tables between our IF NOT EXISTS checks
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
            int stored = 0;
            int duplicates = 0;
            foreach (Envelope e in batch)
            {
                using NpgsqlCommand insert = e.Body switch
                {
                    Summary s => Command(tx, $"INSERT INTO summaries (device_id, seq, sensor, channel, window_start_ns, window_end_ns, {FeatureColumns}, received_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING",
                        e.DeviceId, e.Sequence, s.Sensor, s.Channel, s.WindowStartNs, s.WindowEndNs).AddFeatures(s.Features).Add(receivedNs),
                    Alert a => Command(tx, $"INSERT INTO alerts (device_id, seq, sensor, channel, time_ns, score, threshold, severity, detector, {FeatureColumns}, received_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) ON CONFLICT DO NOTHING",
                        e.DeviceId, e.Sequence, a.Sensor, a.Channel, a.TimeNs, a.Score, a.Threshold, (long)a.Severity, a.Detector).AddFeatures(a.Features).Add(receivedNs),
                    Heartbeat h => Command(tx, "INSERT INTO heartbeats (device_id, seq, uptime_ms, execution_provider, config_revision, counters, received_ns) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                        e.DeviceId, e.Sequence, h.UptimeMs, h.ExecutionProvider, h.ConfigRevision, StoreRows.FormatCounters(h.Counters), receivedNs),
                    _ => throw new ArgumentException(
                        $"collector store: {e.MessageType} from '{e.DeviceId}' sequence {e.Sequence} is not device data (expected summary, alert or heartbeat)",
                        nameof(batch)),
                };

                using (NpgsqlCommand device = Command(tx, "INSERT INTO devices (device_id, last_seen_ns, last_sequence) VALUES ($1, $2, $3) ON CONFLICT (device_id) DO UPDATE SET last_seen_ns = GREATEST(devices.last_seen_ns, excluded.last_seen_ns), last_sequence = GREATEST(devices.last_sequence, excluded.last_sequence)",
                    e.DeviceId, receivedNs, e.Sequence))
                {
                    device.ExecuteNonQuery();
                }

                if (insert.ExecuteNonQuery() == 0)
                {
                    duplicates++;
                    continue;
                }

                stored++;
                if (e.Body is Heartbeat hb)
                {
                    using NpgsqlCommand update = Command(tx, "UPDATE devices SET last_heartbeat_seq = $2, heartbeat_ns = $3, uptime_ms = $4, execution_provider = $5, config_revision = $6, config_state = $7, health = $8 WHERE device_id = $1 AND (last_heartbeat_seq IS NULL OR last_heartbeat_seq < $2)",
                        e.DeviceId, e.Sequence, receivedNs, hb.UptimeMs, hb.ExecutionProvider, hb.ConfigRevision, hb.ConfigState, StoreRows.HealthJson(hb));
                    update.ExecuteNonQuery();
                }
            }

            using (NpgsqlCommand counters = Command(tx, "UPDATE counters SET value = value + CASE name WHEN 'duplicates_rejected' THEN $1 WHEN 'malformed_dropped' THEN $2 ELSE 0 END",
                (long)duplicates, malformedDropped))
            {
                counters.ExecuteNonQuery();
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
            using NpgsqlCommand q = Command(null, """
                SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM summaries), (SELECT count(*) FROM alerts),
                       (SELECT value FROM counters WHERE name = 'duplicates_rejected'),
                       (SELECT value FROM counters WHERE name = 'malformed_dropped')
                """);
            using NpgsqlDataReader r = q.ExecuteReader();
            r.Read();
            return new CollectorStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using NpgsqlCommand q = Command(null, $"SELECT device_id, seq, sensor, channel, window_start_ns, window_end_ns, {FeatureColumns} FROM summaries WHERE ($1::text IS NULL OR device_id = $1) AND window_start_ns >= $2 ORDER BY window_start_ns, device_id, seq LIMIT $3");
            q.Parameters.Add(new NpgsqlParameter { Value = (object?)deviceId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            q.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sinceNs });
            q.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit });
            using NpgsqlDataReader r = q.ExecuteReader();
            return StoreRows.All(r, StoreRows.Summary);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<DeviceRecord> GetDevices()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using NpgsqlCommand q = Command(null, SqliteStore.DevicesSql);
            using NpgsqlDataReader r = q.ExecuteReader();
            return StoreRows.All(r, StoreRows.Device);
        }
    }

    /// <summary>Drops every table of the store (tests and benchmarks reset a shared database with it).</summary>
    public void DropAll()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Execute("DROP TABLE IF EXISTS devices, summaries, alerts, heartbeats, counters;");
            Execute(Schema);
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
                using NpgsqlCommand delete = Command(tx, $"DELETE FROM {table} WHERE device_id = $1", deviceId);
                deleted += delete.ExecuteNonQuery();
            }

            tx.Commit();
            return deleted;
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

    private NpgsqlCommand Command(NpgsqlTransaction? tx, string sql, params object[] args)
    {
        var command = new NpgsqlCommand(sql, _connection, tx);
        foreach (object a in args)
        {
            command.Add(a);
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = new NpgsqlCommand(sql, _connection);
        command.ExecuteNonQuery();
    }
}
