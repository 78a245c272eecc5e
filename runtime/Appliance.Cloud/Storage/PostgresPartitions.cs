using System.Globalization;
using Npgsql;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Daily range partitions of <c>summaries</c> (by <c>window_start_ns</c>) and <c>alerts</c> (by <c>time_ns</c>) on PostgreSQL
/// (manual §5.12, "Table Partitioning"), from migration 3 on. A day's partition is <c>summaries_pYYYYMMDD</c>, covering
/// [00:00, 24:00) UTC in Unix ns. Partitions are created ahead (today and tomorrow, when a store opens and when the UTC day
/// changes) and on demand before a batch whose rows fall on a day without one (a late window): each creation is its own
/// transaction under an advisory lock, so collectors never race, and is counted (<see cref="Created"/>). A day that cannot get
/// a partition (it overlaps the partition of rows from before migration 3, or the default partition already holds rows of
/// that day) is remembered and its rows go to the <c>_default</c> partition: never an error, never a retry loop. Retention
/// drops whole partitions (<see cref="DropBefore"/>).
/// </summary>
internal sealed class PostgresPartitions
{
    /// <summary>One UTC day in ns.</summary>
    public const long DayNs = 86_400L * 1_000_000_000;

    /// <summary>The advisory lock partition DDL takes (<see cref="SchemaMigrator.AdvisoryLockKey"/> + 1).</summary>
    public const long AdvisoryLockKey = SchemaMigrator.AdvisoryLockKey + 1;

    /// <summary>The partitioned tables and their partition key.</summary>
    public static readonly (string Table, string Key)[] Tables = [("summaries", "window_start_ns"), ("alerts", "time_ns")];

    private readonly object _gate = new();
    private readonly HashSet<long> _days = [];
    private long _aheadDay = long.MinValue;
    private long _created;

    /// <summary>Partitions this store created (ahead and on demand).</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>The UTC day number of <paramref name="ns"/> (floor division: days before 1970 are negative).</summary>
    public static long Day(long ns) => Math.DivRem(ns, DayNs) is var (q, r) && r < 0 ? q - 1 : q;

    /// <summary>Migration 3: re-creates both tables partitioned by day, keyed (device_id, incarnation, seq, time) (a unique key
    /// of a partitioned table must hold its partition key; a message's time never changes, so the idempotency key is the same).
    /// Existing rows stay where they are: the old table becomes the partition <c>T_before_partitions</c> of everything before
    /// the UTC day after its newest row (and after today); an empty old table is dropped instead.</summary>
    public static void Migrate(NpgsqlConnection c, NpgsqlTransaction tx, string summariesTable, string alertsTable, long nowNs)
    {
        foreach ((string table, string key) in Tables)
        {
            string create = table == "summaries" ? summariesTable : alertsTable;
            string index = table == "summaries" ? "summaries_window" : "alerts_time";
            string old = table + "_before_partitions";
            long? newest = Scalar(c, tx, $"SELECT max({key}) FROM {table}");
            SchemaMigrator.Execute(c, tx,
                $"ALTER TABLE {table} RENAME TO {old}; ALTER TABLE {old} RENAME CONSTRAINT {table}_pkey TO {old}_pkey; ALTER INDEX IF EXISTS {index} RENAME TO {old}_{key};\n"
                + create.Replace("PRIMARY KEY (device_id, incarnation, seq))", $"PRIMARY KEY (device_id, incarnation, seq, {key})) PARTITION BY RANGE ({key})", StringComparison.Ordinal)
                + $"CREATE INDEX IF NOT EXISTS {index} ON {table} ({key});\n"
                + $"CREATE TABLE IF NOT EXISTS {table}_default PARTITION OF {table} DEFAULT;\n");
            if (newest is null)
            {
                SchemaMigrator.Execute(c, tx, $"DROP TABLE {old};");
                continue;
            }

            long bound = (Math.Max(Day(newest.Value), Day(nowNs)) + 1) * DayNs;
            // A partition's key must match the parent's (it becomes a partition of the parent's key index): rebuilt with the time.
            SchemaMigrator.Execute(c, tx, $"ALTER TABLE {old} DROP CONSTRAINT {old}_pkey, ADD CONSTRAINT {old}_pkey PRIMARY KEY (device_id, incarnation, seq, {key});\n"
                + $"ALTER TABLE {table} ATTACH PARTITION {old} FOR VALUES FROM (MINVALUE) TO ({Num(bound)});");
        }
    }

    /// <summary>Makes sure every UTC day of <paramref name="timesNs"/> (and today and tomorrow) has its partition in both tables,
    /// creating what is missing before the batch's own transaction.</summary>
    /// <param name="source">The data source to take a connection from when something must be created.</param>
    /// <param name="timesNs">The batch's partition keys.</param>
    /// <param name="nowNs">Now, UTC Unix ns.</param>
    public void Ensure(NpgsqlDataSource source, IEnumerable<long> timesNs, long nowNs)
    {
        List<long>? missing = null;
        lock (_gate)
        {
            long today = Day(nowNs);
            if (today != _aheadDay)
            {
                (missing ??= []).AddRange([today, today + 1]);
                _aheadDay = today;
            }

            foreach (long t in timesNs)
            {
                long day = Day(t);
                if (!_days.Contains(day) && !(missing?.Contains(day) ?? false))
                {
                    (missing ??= []).Add(day);
                }
            }
        }

        if (missing is null)
        {
            return;
        }

        using NpgsqlConnection c = source.OpenConnection();
        foreach (long day in missing)
        {
            if (Create(c, day))
            {
                Interlocked.Increment(ref _created);
            }

            lock (_gate)
            {
                _days.Add(day);
            }
        }
    }

    /// <summary>Drops, in each table, every day partition (and the partition from before migration 3) that ends at or before
    /// <paramref name="cutoffNs"/>, subtracting its rows from the devices' counts in the same transaction; rows of the default
    /// partition older than the cutoff are deleted.</summary>
    /// <returns>Rows removed.</returns>
    public long DropBefore(NpgsqlConnection c, long cutoffNs)
    {
        long removed = 0;
        foreach ((string table, string key) in Tables)
        {
            var doomed = new List<string>();
            using (var list = new NpgsqlCommand(
                $"SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{table}'::regclass", c))
            using (NpgsqlDataReader r = list.ExecuteReader())
            {
                while (r.Read())
                {
                    string bound = r.GetString(1); // FOR VALUES FROM (a) TO (b), or DEFAULT
                    int to = bound.LastIndexOf("TO (", StringComparison.Ordinal);
                    if (to >= 0 && long.TryParse(bound[(to + 4)..^1].Trim('\''), NumberStyles.Integer, CultureInfo.InvariantCulture, out long upper) && upper <= cutoffNs)
                    {
                        doomed.Add(r.GetString(0));
                    }
                }
            }

            string column = table; // devices.summaries / devices.alerts
            foreach (string partition in doomed)
            {
                using NpgsqlTransaction tx = c.BeginTransaction();
                SchemaMigrator.Execute(c, tx, $"UPDATE devices d SET {column} = d.{column} - x.n FROM (SELECT device_id, count(*) AS n FROM {partition} GROUP BY device_id) x WHERE d.device_id = x.device_id");
                removed += Scalar(c, tx, $"SELECT count(*) FROM {partition}") ?? 0;
                SchemaMigrator.Execute(c, tx, $"DROP TABLE {partition}");
                tx.Commit();
            }

            using (NpgsqlTransaction tx = c.BeginTransaction())
            {
                removed += Scalar(c, tx, $"""
                    WITH gone AS (DELETE FROM {table}_default WHERE {key} < {Num(cutoffNs)} RETURNING device_id),
                         n AS (SELECT device_id, count(*) AS n FROM gone GROUP BY device_id),
                         u AS (UPDATE devices d SET {column} = d.{column} - n.n FROM n WHERE d.device_id = n.device_id RETURNING 1)
                    SELECT count(*) FROM gone
                    """) ?? 0;
                tx.Commit();
            }
        }

        return removed;
    }

    private static bool Create(NpgsqlConnection c, long day)
    {
        string name = DateTime.UnixEpoch.AddDays(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        using NpgsqlTransaction tx = c.BeginTransaction();
        try
        {
            SchemaMigrator.Execute(c, tx, $"SELECT pg_advisory_xact_lock({Num(AdvisoryLockKey)})");
            bool created = false;
            foreach ((string table, _) in Tables)
            {
                string partition = $"{table}_p{name}";
                if (Scalar(c, tx, $"SELECT CASE WHEN to_regclass('{partition}') IS NULL THEN 0 ELSE 1 END") == 1)
                {
                    continue;
                }

                SchemaMigrator.Execute(c, tx, $"CREATE TABLE IF NOT EXISTS {partition} PARTITION OF {table} FOR VALUES FROM ({Num(day * DayNs)}) TO ({Num((day + 1) * DayNs)})");
                created = true;
            }

            tx.Commit();
            return created;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidObjectDefinition or PostgresErrorCodes.CheckViolation)
        {
            // The day overlaps the partition of rows from before migration 3, or the default partition holds rows of it: its rows
            // go there (remembered by the caller; not retried).
            tx.Rollback();
            return false;
        }
    }

    private static long? Scalar(NpgsqlConnection c, NpgsqlTransaction? tx, string sql)
    {
        using var q = new NpgsqlCommand(sql, c, tx);
        object? v = q.ExecuteScalar();
        return v is null or DBNull ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
}
