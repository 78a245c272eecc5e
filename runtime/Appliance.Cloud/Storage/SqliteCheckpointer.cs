using Microsoft.Data.Sqlite;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Runs a SQLite store's WAL checkpoints on a thread and connection of their own, so that no commit, and so no
/// acknowledgement, waits for one. A checkpoint copies the log's pages into the database file and fsyncs it
/// (https://www.sqlite.org/wal.html#ckpt); run inside the collector's commit (the automatic checkpoint after 1,000 log pages)
/// it held every acknowledgement of the batch, and the frames queued behind it, for the copy and that fsync. Here it is a
/// PASSIVE checkpoint (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html): it never takes the writer's lock, so the
/// collector goes on committing while it runs; the log restarts from its beginning at the first commit after a checkpoint
/// that copied all of it. The writer's connection turns its automatic checkpoint off (<c>PRAGMA wal_autocheckpoint=0</c>)
/// and calls <see cref="Due"/> every <see cref="EveryCommits"/> commits.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly AutoResetEvent _due = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _checkpoints;
    private long _faults;

    /// <summary>Opens a second connection on <paramref name="path"/> (the store's file, already in WAL mode) with the writer's
    /// <paramref name="synchronous"/> (a checkpoint fsyncs the database file under both) and starts the thread.</summary>
    /// <exception cref="SqliteException">The file cannot be opened.</exception>
    public SqliteCheckpointer(string path, SqliteSynchronous synchronous)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        _connection.Open();
        using (SqliteCommand c = _connection.CreateCommand())
        {
            c.CommandText = synchronous == SqliteSynchronous.Normal
                ? "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=0; PRAGMA wal_autocheckpoint=0;"
                : "PRAGMA synchronous=FULL; PRAGMA busy_timeout=0; PRAGMA wal_autocheckpoint=0;";
            c.ExecuteNonQuery();
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpoint" };
        _thread.Start();
    }

    /// <summary>Commits between two checkpoints: 64 (at one row per commit, about 256 log pages of 4 KiB).</summary>
    public const int EveryCommits = 64;

    /// <summary>Checkpoints run so far.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Checkpoints that failed (an I/O error, a full disk); the log then grows until the writer's own
    /// <c>wal_checkpoint(TRUNCATE)</c> (<see cref="SqliteStore.TruncateAboveBytes"/>) succeeds. Among the collector's counters as
    /// <c>CheckpointFaults</c>.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>The last failure's message, or null.</summary>
    public string? LastFault { get; private set; }

    /// <summary>Held while a checkpoint runs: the writer takes it around its own <c>wal_checkpoint(TRUNCATE)</c>, which would
    /// otherwise find this one running and do nothing (SQLITE_BUSY).</summary>
    public object Gate { get; } = new();

    /// <summary>Asks for a checkpoint (returns at once; requests while one runs fold into the next).</summary>
    public void Due() => _due.Set();

    /// <summary>Stops the thread (after the checkpoint it is running) and closes its connection.</summary>
    public void Dispose()
    {
        _stopping = true;
        _due.Set();
        _thread.Join();
        _connection.Dispose();
        _due.Dispose();
    }

    private void Run()
    {
        using SqliteCommand checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (true)
        {
            _due.WaitOne();
            if (_stopping)
            {
                return;
            }

            try
            {
                lock (Gate)
                {
                    checkpoint.ExecuteNonQuery();
                }

                Interlocked.Increment(ref _checkpoints);
            }
            catch (SqliteException e)
            {
                LastFault = e.Message;
                Interlocked.Increment(ref _faults);
            }
        }
    }
}
