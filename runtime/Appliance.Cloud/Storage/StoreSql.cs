using System.Text;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The collector store's tables and statements, written once and rendered in a <see cref="SqlDialect"/>. Both
/// <see cref="SqliteStore"/> and <see cref="PostgresStore"/> only bind and execute these.
/// </summary>
/// <remarks>
/// Tables: <c>devices</c> (one row per device id), <c>summaries</c>, <c>alerts</c>, <c>heartbeats</c> (each keyed by
/// (device_id, incarnation, seq): inserted if absent, a row not inserted is a duplicate; <c>incarnation</c> is the device
/// journal's incarnation, 0 for frames without one and for rows stored before the column existed), <c>counters</c>
/// (name, value). Statement parameters are positional (1-based) in the order given on each statement. A store written
/// before incarnations (key (device_id, seq)) is migrated in place on open, keeping its rows as incarnation 0:
/// <see cref="MigrateToIncarnation"/> (SQLite, which cannot change a primary key, rebuilds the table) and the
/// PostgreSQL schema's <c>DO</c> block (adds the column, replaces the key).
/// </remarks>
internal sealed class StoreSql
{
    private enum Kind
    {
        Text,
        Int,
        Real,
    }

    private readonly record struct Column(string Name, Kind Type, bool NotNull = false);

    private static readonly Column[] Features =
    [
        new("count", Kind.Int), new("nan_count", Kind.Int), new("min", Kind.Real), new("max", Kind.Real), new("mean", Kind.Real),
        new("m2", Kind.Real), new("m3", Kind.Real), new("m4", Kind.Real), new("sum_of_squares", Kind.Real), new("first", Kind.Real),
        new("last", Kind.Real), new("zero_crossings", Kind.Int),
    ];

    private static readonly Column[] DeviceColumns =
    [
        new("device_id", Kind.Text), new("last_seen_ns", Kind.Int, true), new("last_sequence", Kind.Int, true),
        new("last_heartbeat_seq", Kind.Int), new("heartbeat_ns", Kind.Int), new("uptime_ms", Kind.Int),
        new("execution_provider", Kind.Text), new("config_revision", Kind.Text), new("config_state", Kind.Text), new("health", Kind.Text),
        new("labels", Kind.Text),
    ];

    private static readonly Column[] SummaryColumns =
    [
        new("device_id", Kind.Text, true), new("seq", Kind.Int, true), new("sensor", Kind.Text, true), new("channel", Kind.Text, true),
        new("window_start_ns", Kind.Int, true), new("window_end_ns", Kind.Int, true), .. Features, new("received_ns", Kind.Int, true),
        new("incarnation", Kind.Int, true), new("spectral", Kind.Text), new("quantiles", Kind.Text),
    ];

    private static readonly Column[] AlertColumns =
    [
        new("device_id", Kind.Text, true), new("seq", Kind.Int, true), new("sensor", Kind.Text, true), new("channel", Kind.Text, true),
        new("time_ns", Kind.Int, true), new("score", Kind.Real), new("threshold", Kind.Real), new("severity", Kind.Int, true),
        new("detector", Kind.Text, true), .. Features, new("received_ns", Kind.Int, true), new("incarnation", Kind.Int, true),
    ];

    private static readonly Column[] HeartbeatColumns =
    [
        new("device_id", Kind.Text, true), new("seq", Kind.Int, true), new("uptime_ms", Kind.Int, true),
        new("execution_provider", Kind.Text, true), new("config_revision", Kind.Text, true), new("counters", Kind.Text, true),
        new("received_ns", Kind.Int, true), new("incarnation", Kind.Int, true),
    ];

    /// <summary>The columns of <c>summaries</c>, in the order <see cref="InsertSummary"/> binds them.</summary>
    public static string SummaryColumnList { get; } = string.Join(", ", SummaryColumns.Select(c => c.Name));

    /// <summary>The columns of <c>alerts</c>, in the order <see cref="InsertAlert"/> binds them.</summary>
    public static string AlertColumnList { get; } = string.Join(", ", AlertColumns.Select(c => c.Name));

    /// <summary>CREATE of <c>summaries</c> as the baseline has it (PostgreSQL migration 3 partitions it).</summary>
    public string CreateSummaries => CreateTable("summaries", SummaryColumns, null);

    /// <summary>CREATE of <c>alerts</c> as the baseline has it (PostgreSQL migration 3 partitions it).</summary>
    public string CreateAlerts => CreateTable("alerts", AlertColumns, null);

    /// <summary>The tables keyed by (device_id, incarnation, seq), which a store written before incarnations keys by (device_id, seq).</summary>
    public static IReadOnlyList<string> KeyedTables { get; } = ["summaries", "alerts", "heartbeats"];

    /// <summary>The tables a store drops to reset (<see cref="PostgresStore.DropAll"/>).</summary>
    public const string AllTables = "devices, summaries, alerts, alert_acks, alert_labels, heartbeats, counters, collector_counters, schema_version, device_keys, commands, events, clip_chunks";

    /// <summary>Renders every statement in <paramref name="dialect"/>.</summary>
    public StoreSql(SqlDialect dialect)
    {
        Dialect = dialect;
        var schema = new StringBuilder()
            .Append(CreateTable("devices", DeviceColumns, "device_id TEXT PRIMARY KEY"));
        if (dialect.AddColumnIfNotExists)
        {
            foreach (string column in AddedColumns)
            {
                schema.Append("ALTER TABLE devices ADD COLUMN IF NOT EXISTS ").Append(column).Append(" TEXT;\n");
            }
        }

        schema.Append(CreateTable("summaries", SummaryColumns, null))
            .Append(dialect.AddColumnIfNotExists ? "ALTER TABLE summaries ADD COLUMN IF NOT EXISTS spectral TEXT;\n" : "")
            .Append("CREATE INDEX IF NOT EXISTS summaries_window ON summaries (window_start_ns);\n")
            .Append(CreateTable("alerts", AlertColumns, null))
            .Append(FleetSql.Schema(dialect))
            .Append(CreateTable("heartbeats", HeartbeatColumns, null))
            .Append("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value ").Append(dialect.Integer).Append(" NOT NULL);\n")
            .Append(dialect.InsertIgnorePrefix).Append(" counters (name, value) VALUES ('duplicates_rejected', 0), ('malformed_dropped', 0)")
            .Append(dialect.InsertIgnoreSuffix).Append(";\n")
            .Append(ControlSql.Schema(dialect))
            .Append(ClipSql.Schema(dialect));
        if (dialect.AddColumnIfNotExists)
        {
            foreach (string table in KeyedTables)
            {
                // PostgreSQL can replace a primary key in place; a concurrent collector that loses the race gets
                // DuplicateColumn and runs the schema again (PostgresStore).
                schema.Append("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '")
                    .Append(table).Append("' AND column_name = 'incarnation') THEN ALTER TABLE ").Append(table)
                    .Append(" ADD COLUMN incarnation BIGINT NOT NULL DEFAULT 0; ALTER TABLE ").Append(table).Append(" DROP CONSTRAINT ").Append(table)
                    .Append("_pkey; ALTER TABLE ").Append(table).Append(" ADD PRIMARY KEY (device_id, incarnation, seq); END IF; END $$;\n");
            }
        }

        Schema = schema.ToString();

        InsertSummary = InsertIfAbsent("summaries", SummaryColumns);
        InsertAlert = InsertIfAbsent("alerts", AlertColumns);
        InsertHeartbeat = InsertIfAbsent("heartbeats", HeartbeatColumns);
        string g = dialect.Greatest;
        UpsertDevice = $"INSERT INTO devices (device_id, last_seen_ns, last_sequence, summaries, alerts) VALUES ({P(1)}, {P(2)}, {P(3)}, {P(4)}, {P(5)}) {DeviceConflict}";
        UpdateDeviceHeartbeat = $"UPDATE devices SET last_heartbeat_seq = {P(2)}, heartbeat_ns = {P(3)}, uptime_ms = {P(4)}, execution_provider = {P(5)}, config_revision = {P(6)}, config_state = {P(7)}, health = {P(8)}, labels = COALESCE({P(9)}, devices.labels) WHERE device_id = {P(1)} AND (last_heartbeat_seq IS NULL OR last_heartbeat_seq < {P(2)})";
        AddCounters = $"INSERT INTO collector_counters (collector_id, name, value) VALUES ({P(1)}, 'duplicates_rejected', {P(2)}), ({P(1)}, 'malformed_dropped', {P(3)}) "
            + "ON CONFLICT (collector_id, name) DO UPDATE SET value = collector_counters.value + excluded.value";
        SetCounter = $"INSERT INTO counters (name, value) VALUES ({P(1)}, {P(2)}) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
        Summaries = $"SELECT device_id, seq, sensor, channel, window_start_ns, window_end_ns, {StoreRowMapping.FeatureColumns}, spectral FROM summaries WHERE ({P(1)}{dialect.TextCast} IS NULL OR device_id = {P(1)}) AND window_start_ns >= {P(2)} ORDER BY window_start_ns, device_id, seq LIMIT {P(3)}";
    }

    /// <summary>
    /// SQLite: rebuilds a table of a store written before incarnations (no <c>incarnation</c> column, key (device_id, seq))
    /// under the current layout and key, copying every row as incarnation 0. Run inside one transaction, then
    /// <see cref="Schema"/> again (it recreates the index the old table took with it).
    /// </summary>
    /// <param name="table">One of <see cref="KeyedTables"/>.</param>
    /// <returns>The statements.</returns>
    public string MigrateToIncarnation(string table)
    {
        Column[] columns = table switch
        {
            "summaries" => SummaryColumns,
            "alerts" => AlertColumns,
            "heartbeats" => HeartbeatColumns,
            _ => throw new ArgumentException($"table '{table}' has no incarnation key (expected summaries, alerts or heartbeats)", nameof(table)),
        };
        string old = table + "_before_incarnation";
        // Tables from before incarnations predate the later columns too (spectral, quantiles: NULL for their rows).
        string copied = string.Join(", ", columns.Where(c => c.Name is not "incarnation" and not "spectral" and not "quantiles").Select(c => c.Name));
        return $"ALTER TABLE {table} RENAME TO {old};\n{CreateTable(table, columns, null)}INSERT INTO {table} ({copied}, incarnation) SELECT {copied}, 0 FROM {old};\nDROP TABLE {old};\n";
    }

    /// <summary>Columns added to <c>devices</c> after the first schema (files of schema 1 collectors gain them on open).</summary>
    public static IReadOnlyList<string> AddedColumns { get; } = ["config_state", "health"];

    /// <summary>The dialect rendered.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Creates every missing table, index and counter row.</summary>
    public string Schema { get; }

    /// <summary>Parameters: device_id, seq, sensor, channel, window_start_ns, window_end_ns, 12 features (wire order), received_ns,
    /// incarnation, spectral (JSON text, <see cref="Contracts.Wire.SpectralJson"/>, or NULL), quantiles (JSON text,
    /// <see cref="Contracts.Wire.QuantileSketchJson"/>, or NULL).</summary>
    public string InsertSummary { get; }

    /// <summary>Parameters: device_id, seq, sensor, channel, time_ns, score, threshold, severity, detector, 12 features, received_ns, incarnation.</summary>
    public string InsertAlert { get; }

    /// <summary>Parameters: device_id, seq, uptime_ms, execution_provider, config_revision, counters, received_ns, incarnation.</summary>
    public string InsertHeartbeat { get; }

    /// <summary>Parameters: device_id, received_ns, seq, summaries stored, alerts stored (this batch). Last seen and last sequence
    /// only move forward; the counts are added to the row's (migration 2).</summary>
    public string UpsertDevice { get; }

    /// <summary>The <c>ON CONFLICT</c> clause of every <c>devices</c> upsert whose inserted row is <c>excluded</c>: last seen and last
    /// sequence move forward, the stored counts add up.</summary>
    public string DeviceConflict => $"ON CONFLICT (device_id) DO UPDATE SET last_seen_ns = {Dialect.Greatest}(devices.last_seen_ns, excluded.last_seen_ns), "
        + $"last_sequence = {Dialect.Greatest}(devices.last_sequence, excluded.last_sequence), "
        + "summaries = devices.summaries + excluded.summaries, alerts = devices.alerts + excluded.alerts";

    /// <summary>Parameters: device_id, seq, received_ns, uptime_ms, execution_provider, config_revision, config_state, health,
    /// labels (JSON object text, or NULL to keep the row's: a heartbeat from before labels; the column is migration 3's).
    /// Applies only when the heartbeat is newer than the one the row holds.</summary>
    public string UpdateDeviceHeartbeat { get; }

    /// <summary>Parameters: collector id, duplicates, malformed frames; added to that collector's rows of <c>collector_counters</c>.</summary>
    public string AddCounters { get; }

    /// <summary>Parameters: counter name, value; sets it (creating the row).</summary>
    public string SetCounter { get; }

    /// <summary>Parameters: device id (text or NULL for all), since (UTC Unix ns), limit.</summary>
    public string Summaries { get; }

    /// <summary>Counter set to 1 when the last collector started on the store accepted unauthenticated device identities.</summary>
    public const string UnauthenticatedCounter = "identities_unauthenticated";

    /// <summary>Totals at schema <paramref name="version"/>: devices, summaries, alerts, duplicates_rejected, malformed_dropped,
    /// identities_unauthenticated (NULL: never set). From version 2 on the counts come from the devices' own columns and the
    /// counters are summed over collectors (a few rows each; PostgreSQL's sum of bigint is numeric, cast back, SQLite's BIGINT has integer affinity): nothing counts the summaries or alerts tables. A store below 2
    /// (opened read-only, not migrated) is counted the old way.</summary>
    public static string Stats(int version) => version >= 2
        ? """
          SELECT (SELECT count(*) FROM devices), (SELECT CAST(coalesce(sum(summaries), 0) AS BIGINT) FROM devices),
                 (SELECT CAST(coalesce(sum(alerts), 0) AS BIGINT) FROM devices),
                 (SELECT CAST(coalesce(sum(value), 0) AS BIGINT) FROM collector_counters WHERE name = 'duplicates_rejected'),
                 (SELECT CAST(coalesce(sum(value), 0) AS BIGINT) FROM collector_counters WHERE name = 'malformed_dropped'),
                 (SELECT value FROM counters WHERE name = 'identities_unauthenticated')
          """
        : """
          SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM summaries), (SELECT count(*) FROM alerts),
                 (SELECT value FROM counters WHERE name = 'duplicates_rejected'),
                 (SELECT value FROM counters WHERE name = 'malformed_dropped'),
                 (SELECT value FROM counters WHERE name = 'identities_unauthenticated')
          """;

    /// <summary>The fleet at schema <paramref name="version"/>, ordered by id: read by <see cref="StoreRowMapping.Device"/>. From
    /// version 2 on the per-device counts are the row's own columns (kept by each batch's upsert).</summary>
    public static string Devices(int version) => $"""
        SELECT d.device_id, d.last_seen_ns, d.last_sequence, d.heartbeat_ns, d.uptime_ms, d.execution_provider, d.config_revision,
               {(version >= 2 ? "d.summaries, d.alerts" : "(SELECT count(*) FROM summaries s WHERE s.device_id = d.device_id), (SELECT count(*) FROM alerts a WHERE a.device_id = d.device_id)")},
               d.config_state, d.health
        FROM devices d ORDER BY d.device_id
        """;

    private string P(int position) => Dialect.P(position);

    private string InsertIfAbsent(string table, Column[] columns)
    {
        var sb = new StringBuilder(Dialect.InsertIgnorePrefix).Append(' ').Append(table).Append(" (");
        sb.AppendJoin(", ", columns.Select(c => c.Name)).Append(") VALUES (");
        sb.AppendJoin(", ", Enumerable.Range(1, columns.Length).Select(P)).Append(')').Append(Dialect.InsertIgnoreSuffix);
        return sb.ToString();
    }

    private string CreateTable(string name, Column[] columns, string? primaryKeyColumn)
    {
        var sb = new StringBuilder("CREATE TABLE IF NOT EXISTS ").Append(name).Append(" (\n    ");
        for (int i = 0; i < columns.Length; i++)
        {
            Column c = columns[i];
            sb.Append(i == 0 ? "" : ", ");
            if (i == 0 && primaryKeyColumn is not null)
            {
                sb.Append(primaryKeyColumn);
                continue;
            }

            sb.Append(c.Name).Append(' ').Append(c.Type switch
            {
                Kind.Text => "TEXT",
                Kind.Int => Dialect.Integer,
                _ => Dialect.Real,
            }).Append(c.NotNull ? " NOT NULL" : "");
        }

        return sb.Append(primaryKeyColumn is null ? ",\n    PRIMARY KEY (device_id, incarnation, seq));\n" : ");\n").ToString();
    }
}
