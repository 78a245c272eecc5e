using System.Data.Common;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The collector store's schema as numbered migrations (<see cref="SchemaMigrator"/>), the same numbers in both dialects.
/// A new table or column is a new migration appended here (never an edit of an applied one):
/// <list type="number">
/// <item>baseline: every table as it stood before <c>schema_version</c> (<see cref="StoreSql.Schema"/>), including the in-place
/// upgrades of older files (devices' added columns, the incarnation key, <c>summaries.spectral</c>); a store from before
/// migrations is at version 0 and this brings it to the layout the rest assumes, rows kept.</item>
/// <item>collector counters: <c>collector_counters</c> (collector_id, name, value), one row per collector and counter, summed when read,
/// so collectors sharing a database never update one shared row; the old shared <c>duplicates_rejected</c> and
/// <c>malformed_dropped</c> move to collector id <c>''</c>. <c>devices.summaries</c> and <c>devices.alerts</c>: stored rows per
/// device, kept by the per-batch device upsert and backfilled here once, so <c>cloud devices</c>/<c>cloud stats</c> never count
/// the summaries table.</item>
/// <item>fleet rollups (issue 17 item 4): <c>summaries.quantiles</c> (a window's DDSketch state as JSON,
/// <see cref="Contracts.Wire.QuantileSketchJson"/>) and <c>devices.labels</c> (the device's <c>[device] labels</c> as a JSON
/// object), both TEXT, NULL for the rows before them. A store created by this build has them from its baseline (the column
/// lists include them), so the migration adds only what is missing.</item>
/// <item>daily partitions (PostgreSQL; nothing on SQLite, whose retention deletes by time): <c>summaries</c> and <c>alerts</c>
/// range-partitioned by UTC day, old rows kept in place as one partition (<see cref="PostgresPartitions.Migrate"/>).</item>
/// <item>alert labels (issue 18 item 5): table <c>alert_labels</c> (device_id, seq, label, labelled_ns), an operator's true/false
/// per alert (<see cref="FleetSql.LabelSchema"/>); beside <c>alerts</c> rather than columns of it, as <c>alert_acks</c> is, so the
/// collector's insert-only, day-partitioned <c>alerts</c> keep their layout.</item>
/// <item>rollouts (issue 18): <c>shadow_reports</c> (the latest shadow report per rollout and device) and <c>rollout_audit</c>
/// (every step of a rollout), <see cref="Rollouts.RolloutSql"/>.</item>
/// </list>
/// </summary>
internal static class StoreMigrations
{
    /// <summary>The version a store has once opened by this build.</summary>
    public const int Latest = 6;

    /// <summary>The migrations for <paramref name="sql"/>'s dialect; <paramref name="hasColumn"/> answers whether a table has a
    /// column (SQLite has no <c>ADD COLUMN IF NOT EXISTS</c>).</summary>
    public static IReadOnlyList<Migration> For(StoreSql sql, Func<DbConnection, DbTransaction, string, string, bool> hasColumn) =>
    [
        new(1, "baseline", (c, tx) => Baseline(c, tx, sql, hasColumn)),
        new(2, "collector counters, per-device counts", (c, tx) => SchemaMigrator.Execute(c, tx, CollectorCounters(sql.Dialect))),
        new(3, "quantile sketches, device labels", (c, tx) => AddTextColumns(c, tx, sql.Dialect, hasColumn, ("summaries", "quantiles"), ("devices", "labels"))),
        new(4, "daily partitions", (c, tx) =>
        {
            if (c is Npgsql.NpgsqlConnection pg)
            {
                PostgresPartitions.Migrate(pg, (Npgsql.NpgsqlTransaction)tx, sql.CreateSummaries, sql.CreateAlerts, DateTime.UtcNow.Ticks * 100 - DateTime.UnixEpoch.Ticks * 100);
            }
        }),
        new(5, "alert labels", (c, tx) => SchemaMigrator.Execute(c, tx, FleetSql.LabelSchema(sql.Dialect))),
        new(6, "rollouts", (c, tx) => SchemaMigrator.Execute(c, tx, Rollouts.RolloutSql.Schema(sql.Dialect))),
    ];

    /// <summary>Adds each TEXT column a table lacks (PostgreSQL: <c>ADD COLUMN IF NOT EXISTS</c>; SQLite: asks <paramref name="hasColumn"/>).</summary>
    private static void AddTextColumns(DbConnection c, DbTransaction tx, SqlDialect d, Func<DbConnection, DbTransaction, string, string, bool> hasColumn, params (string Table, string Column)[] columns)
    {
        foreach (var (table, column) in columns)
        {
            if (d.AddColumnIfNotExists)
            {
                SchemaMigrator.Execute(c, tx, $"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} TEXT;");
            }
            else if (!hasColumn(c, tx, table, column))
            {
                SchemaMigrator.Execute(c, tx, $"ALTER TABLE {table} ADD COLUMN {column} TEXT;");
            }
        }
    }

    /// <summary>Migration 2's statements.</summary>
    public static string CollectorCounters(SqlDialect d) => $"""
        CREATE TABLE IF NOT EXISTS collector_counters (collector_id TEXT NOT NULL, name TEXT NOT NULL, value {d.Integer} NOT NULL, PRIMARY KEY (collector_id, name));
        INSERT INTO collector_counters (collector_id, name, value) SELECT '', name, value FROM counters WHERE name IN ('duplicates_rejected', 'malformed_dropped');
        DELETE FROM counters WHERE name IN ('duplicates_rejected', 'malformed_dropped');
        ALTER TABLE devices ADD COLUMN summaries {d.Integer} NOT NULL DEFAULT 0;
        ALTER TABLE devices ADD COLUMN alerts {d.Integer} NOT NULL DEFAULT 0;
        UPDATE devices SET summaries = (SELECT count(*) FROM summaries s WHERE s.device_id = devices.device_id),
                           alerts = (SELECT count(*) FROM alerts a WHERE a.device_id = devices.device_id);
        """;

    private static void Baseline(DbConnection c, DbTransaction tx, StoreSql sql, Func<DbConnection, DbTransaction, string, string, bool> hasColumn)
    {
        SchemaMigrator.Execute(c, tx, sql.Schema);
        if (sql.Dialect.AddColumnIfNotExists)
        {
            return; // PostgreSQL: the schema's ADD COLUMN IF NOT EXISTS and DO blocks did the upgrades
        }

        // Files created before the fleet table carried health (schema 1 collectors) gain the columns added since.
        foreach (string column in StoreSql.AddedColumns)
        {
            if (!hasColumn(c, tx, "devices", column))
            {
                SchemaMigrator.Execute(c, tx, $"ALTER TABLE devices ADD COLUMN {column} TEXT;");
            }
        }

        // Files written before journal incarnations key their rows by (device_id, seq): rebuilt in place, rows kept as incarnation 0.
        string migrate = string.Concat(StoreSql.KeyedTables.Where(t => !hasColumn(c, tx, t, "incarnation")).Select(sql.MigrateToIncarnation));
        if (migrate.Length > 0)
        {
            SchemaMigrator.Execute(c, tx, migrate);
            SchemaMigrator.Execute(c, tx, sql.Schema);
        }

        // Files written before schema 3 summaries have no spectral column: added, NULL for their rows.
        if (!hasColumn(c, tx, "summaries", "spectral"))
        {
            SchemaMigrator.Execute(c, tx, "ALTER TABLE summaries ADD COLUMN spectral TEXT;");
        }
    }
}
