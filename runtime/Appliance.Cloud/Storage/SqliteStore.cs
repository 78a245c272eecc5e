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
/// <c>summaries</c>, <c>alerts</c>, <c>heartbeats</c> (each with PRIMARY KEY (device_id, incarnation, seq), inserted with
/// <c>INSERT OR IGNORE</c>: a row not inserted is a duplicate), and <c>counters</c> (name, value) holding
/// <c>duplicates_rejected</c> and <c>malformed_dropped</c>. Each <see cref="Store"/> call is one transaction.
/// Feature NaNs are stored as NULL (SQLite has no NaN: https://www.sqlite.org/c3ref/bind_blob.html) and read back as NaN.
/// </remarks>
public sealed class SqliteStore : ICollectorStore, IRetainingStore, ISqlStore, IFleetReader, IDisposable
{
    private static readonly StoreSql Sql = new(SqlDialect.Sqlite);
    private static readonly FleetSql Fleet = new(SqlDialect.Sqlite);

    private readonly object _gate = new();
    private readonly SqliteConnection _connection;
    private readonly string _path;
    private readonly bool _readOnly;
    private readonly int _version = StoreMigrations.Latest;
    private readonly RowWriter? _rows;
    private readonly SqliteCheckpointer? _checkpointer;
    private int _commits;
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
    /// <exception cref="DirectoryNotFoundException">The file's directory does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory is read-only.</exception>
    public SqliteStore(string path, SqliteSynchronous synchronous)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        ClipsDirectory = path + ".clips";
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();

            // journal_size_limit: after a checkpoint resets the write-ahead log it is truncated to this size, so a log
            // that grew while a reader held a snapshot shrinks once readers let go (https://www.sqlite.org/pragma.html).
            // wal_autocheckpoint=0: no checkpoint inside a commit; SqliteCheckpointer runs them on its own thread.
            Execute(synchronous == SqliteSynchronous.Normal
                ? $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA journal_size_limit={WalLimitBytes}; PRAGMA wal_autocheckpoint=0;"
                : $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA journal_size_limit={WalLimitBytes}; PRAGMA wal_autocheckpoint=0;");
            // Versioned migrations (StoreMigrations), each in one transaction: a file from before schema_version is at version 0
            // and is brought up in place, rows kept.
            SchemaMigrator.Migrate(_connection, SqlDialect.Sqlite, StoreMigrations.For(Sql, HasColumn), DateTime.UtcNow.Ticks * 100 - UnixEpochNs);
            _rows = new RowWriter(_connection, Sql);
            _checkpointer = new SqliteCheckpointer(path, synchronous);
        }
        catch (SqliteException ex)
        {
            _rows?.Dispose();
            _connection.Dispose();
            throw Explain(path, ex);
        }
    }

    private SqliteStore(string path, SqliteConnection readOnlyConnection, int version)
    {
        _path = path;
        ClipsDirectory = path + ".clips";
        _connection = readOnlyConnection;
        _readOnly = true;
        _version = version;
    }

    /// <summary>The Unix epoch in <see cref="DateTime.Ticks"/> × 100 (ns).</summary>
    private static readonly long UnixEpochNs = DateTime.UnixEpoch.Ticks * 100;

    /// <summary>Size the write-ahead log is truncated to after a checkpoint (<c>PRAGMA journal_size_limit</c>): 64 MiB.</summary>
    public const long WalLimitBytes = 64L * 1024 * 1024;

    /// <summary>Commits between two looks at the write-ahead log's size (a <c>wal_checkpoint(TRUNCATE)</c> attempt when it is above
    /// <see cref="TruncateAboveBytes"/>).</summary>
    public const int CheckpointEveryCommits = 256;

    /// <summary>Size of the write-ahead log above which the collector's own thread truncates it (<c>wal_checkpoint(TRUNCATE)</c>, after
    /// its checks every <see cref="CheckpointEveryCommits"/> commits): 16 MiB by default. Below it the log is checkpointed off the
    /// commit path (<see cref="SqliteCheckpointer"/>); above it a reader held a snapshot, or commits never paused long enough for
    /// the log to restart.</summary>
    public long TruncateAboveBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Checkpoints run off the commit path so far (<see cref="SqliteCheckpointer"/>).</summary>
    public long Checkpoints => _checkpointer?.Checkpoints ?? 0;

    /// <summary>Off-path checkpoints that failed (I/O error, full disk; the log then grows until a truncation succeeds).</summary>
    public long CheckpointFaults => _checkpointer?.Faults ?? 0;

    /// <summary>Size of the write-ahead log file now, in bytes (0 when none).</summary>
    public long WalBytes
    {
        get
        {
            var wal = new FileInfo(_path + "-wal");
            return wal.Exists ? wal.Length : 0;
        }
    }

    /// <summary>
    /// Opens an existing store file for queries only (<c>appliance cloud devices|summaries|stats</c>): nothing is created
    /// or written, so a read-only file or directory can be queried; <see cref="Store"/> throws.
    /// </summary>
    /// <param name="path">Path of the SQLite file.</param>
    /// <returns>The store.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="SqliteException">The file is not a collector store (message names the path).</exception>
    public static SqliteStore OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"collector store '{path}' does not exist", path);
        }

        SqliteConnection connection = OpenReadOnlyConnection(path);
        try
        {
            int version = SchemaMigrator.Version(connection, null); // a file not yet migrated is read the way it was written
            StoreStatements.Stats(connection, Sql, version); // a file that is not a collector store fails here, naming the path
            return new SqliteStore(path, connection, version);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new SqliteException($"collector store '{path}': {ex.Message} (expected a file written by SqliteStore)", ex.SqliteErrorCode);
        }
    }

    /// <summary>
    /// A read-only connection. A WAL file needs its <c>-shm</c> index, which SQLite creates beside it; where the directory is
    /// read-only too, the file is opened as immutable (https://www.sqlite.org/uri.html#uriimmutable; a collector that is not
    /// running has checkpointed its log into the file on close).
    /// </summary>
    private static SqliteConnection OpenReadOnlyConnection(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            probe.ExecuteScalar();
            return connection;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 14 or 8 or 10)
        {
            connection.Dispose();
            string uri = "file:" + Uri.EscapeDataString(Path.GetFullPath(path)).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1";
            var immutable = new SqliteConnection($"Data Source={uri};Mode=ReadOnly;Pooling=False");
            immutable.Open();
            return immutable;
        }
    }

    /// <summary>Turns SQLite's "unable to open" (error 14) and "readonly" (8) into what is wrong with the path.</summary>
    private static Exception Explain(string path, SqliteException ex)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
        {
            return new DirectoryNotFoundException($"collector store '{path}': directory '{dir}' does not exist (expected an existing directory for the database file)");
        }

        if (ex.SqliteErrorCode is 8 or 14 && (!Writable(full) || (dir is not null && !Writable(dir))))
        {
            return new UnauthorizedAccessException($"collector store '{path}': read-only (the collector needs write access to the file and its directory, for the write-ahead log); SQLite error {ex.SqliteErrorCode}");
        }

        if (ex.SqliteErrorCode == 14 && Directory.Exists(full))
        {
            return new IOException($"collector store '{path}': is a directory (expected a database file)");
        }

        return new SqliteException($"collector store '{path}': {ex.Message}", ex.SqliteErrorCode);
    }

    private static bool Writable(string path)
    {
        if (Directory.Exists(path))
        {
            try
            {
                string probe = Path.Combine(path, ".appliance-write-probe-" + Environment.ProcessId);
                File.WriteAllBytes(probe, []);
                File.Delete(probe);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        if (!File.Exists(path))
        {
            return true;
        }

        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
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
            return StoreStatements.Stats(connection, Sql, SchemaMigrator.Version(connection, null));
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
            if (_readOnly)
            {
                throw new InvalidOperationException($"collector store '{_path}' was opened read-only (for queries)");
            }

            StoreBatchResult result;
            using (SqliteTransaction tx = _connection.BeginTransaction())
            {
                result = _rows!.Write(tx, batch, receivedNs, ClipsDirectory);
                _rows.AddCounters(tx, CollectorId, result.Duplicates, malformedDropped);
                tx.Commit();
            }

            if (++_commits % CheckpointEveryCommits == 0 && WalBytes > TruncateAboveBytes)
            {
                // Bounded write-ahead log: a checkpoint cannot reset the log while a reader holds a snapshot, nor while commits
                // follow each other without a pause, so it grows; TRUNCATE resets it to zero bytes as soon as no reader needs it
                // (SQLITE_BUSY, a no-op, before). busy_timeout 0 around it: never wait for a reader on the collector's thread;
                // the checkpoint thread's gate: wait for its checkpoint to end rather than find it running.
                lock (_checkpointer!.Gate)
                {
                    Execute("PRAGMA busy_timeout=0; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout=5000;");
                }
            }
            else if (_commits % SqliteCheckpointer.EveryCommits == 0)
            {
                _checkpointer!.Due();
            }

            return result;
        }
    }

    /// <summary>Rows one retention transaction deletes; the lock is released between them so ingest goes on.</summary>
    public const int RetentionBatchRows = 10_000;

    /// <inheritdoc />
    /// <remarks>Deletes in transactions of <see cref="RetentionBatchRows"/> rows, lowering each device's count in the same transaction.</remarks>
    public long DeleteBefore(long cutoffNs)
    {
        long removed = 0;
        foreach ((string table, string key) in (ReadOnlySpan<(string, string)>)[("summaries", "window_start_ns"), ("alerts", "time_ns")])
        {
            long n;
            do
            {
                lock (_gate)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                    if (_readOnly)
                    {
                        throw new InvalidOperationException($"collector store '{_path}' was opened read-only (for queries)");
                    }

                    using SqliteTransaction tx = _connection.BeginTransaction();
                    using SqliteCommand c = _connection.CreateCommand();
                    c.Transaction = tx;
                    c.Parameters.AddWithValue("@cutoff", cutoffNs);
                    c.CommandText = $"""
                        CREATE TEMP TABLE IF NOT EXISTS retention_doomed (rid INTEGER PRIMARY KEY, device_id TEXT NOT NULL);
                        DELETE FROM retention_doomed;
                        INSERT INTO retention_doomed SELECT rowid, device_id FROM {table} WHERE {key} < @cutoff LIMIT {RetentionBatchRows};
                        UPDATE devices SET {table} = {table} - (SELECT count(*) FROM retention_doomed r WHERE r.device_id = devices.device_id)
                            WHERE device_id IN (SELECT device_id FROM retention_doomed);
                        DELETE FROM {table} WHERE rowid IN (SELECT rid FROM retention_doomed);
                        SELECT count(*) FROM retention_doomed;
                        """;
                    n = (long)c.ExecuteScalar()!;
                    tx.Commit();
                }

                removed += n;
            }
            while (n == RetentionBatchRows);
        }

        return removed;
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
            return StoreStatements.Stats(_connection, Sql, _version);
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
            return StoreStatements.Devices(_connection, Sql, _version);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StoredSummary> QuerySummaries(SummaryQuery query) => Run(false, c => Fleet.QuerySummaries(c, Sql, query));

    /// <inheritdoc />
    public IReadOnlyList<StoredAlert> QueryAlerts(AlertQuery query) => Run(false, c => Fleet.QueryAlerts(c, Sql, query, _version));

    /// <inheritdoc />
    public IReadOnlyList<Rollups.RollupRow> QueryRollups(Rollups.RollupQuery query) => Run(false, c => Rollups.RollupSql.Query(c, Sql, query, _version));

    /// <inheritdoc />
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetDeviceLabels() => Run(false, c => Rollups.RollupSql.Labels(c, Sql, _version));

    /// <inheritdoc />
    public StoredAlert? AcknowledgeAlert(string deviceId, long sequence, long nowNs, string by) =>
        Run(true, c => Fleet.AcknowledgeAlert(c, Sql, deviceId, sequence, nowNs, by));

    /// <inheritdoc/>
    public StoredAlert? LabelAlert(string deviceId, long sequence, bool label, long nowNs) =>
        Run(true, c => Fleet.LabelAlert(c, Sql, deviceId, sequence, label, nowNs));

    /// <inheritdoc />
    public IReadOnlyList<StoredClip> GetClips(string? deviceId) => Run(false, c => ClipSql.List(c, SqlDialect.Sqlite, deviceId));

    /// <inheritdoc />
    public StoredClip? GetClip(long id) => Run(false, c => ClipSql.GetClip(c, SqlDialect.Sqlite, id));

    /// <summary>The collector's row in <c>collector_counters</c> (migration 2); one writer per file, so <c>""</c> by default.</summary>
    public string CollectorId { get; set; } = "";

    /// <summary>Where assembled clip files are written (<c>--clips-dir</c>); by default the database file's path + <c>.clips</c>. Created on the first clip.</summary>
    public string ClipsDirectory { get; set; } = "";

    private T Run<T>(bool write, Func<System.Data.Common.DbConnection, T> work) => ((ISqlStore)this).Run(write, (c, _) => work(c));

    /// <inheritdoc />
    T ISqlStore.Run<T>(bool write, Func<System.Data.Common.DbConnection, SqlDialect, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (write && _readOnly)
            {
                throw new InvalidOperationException($"collector store '{_path}' was opened read-only (for queries)");
            }

            return work(_connection, SqlDialect.Sqlite);
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
            _checkpointer?.Dispose();
            _rows?.Dispose();
            _connection.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"SqliteStore({_path})";

    private static bool HasColumn(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string table, string column)
    {
        using var q = (SqliteCommand)connection.CreateCommand();
        q.Transaction = (SqliteTransaction)tx;
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
