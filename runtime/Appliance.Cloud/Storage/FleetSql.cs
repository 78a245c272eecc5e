using System.Data;
using System.Data.Common;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The operator's statements on the collector store (<see cref="IFleetReader"/>), rendered in a <see cref="SqlDialect"/> and
/// bound through <see cref="StoreStatements.Command"/>. Table <c>alert_acks</c> (device_id, seq, acknowledged_ns,
/// acknowledged_by; PRIMARY KEY (device_id, seq)) holds acknowledgements beside <c>alerts</c>, which the collector only
/// ever inserts into: a store created before it gains it on open (<c>CREATE TABLE IF NOT EXISTS</c> in <see cref="StoreSql.Schema"/>).
/// </summary>
internal sealed class FleetSql
{
    private const string AlertColumns =
        "a.device_id, a.seq, a.sensor, a.channel, a.time_ns, a.score, a.threshold, a.severity, a.detector, a.received_ns, k.acknowledged_ns, k.acknowledged_by";

    /// <summary>The alerts with their acknowledgement and, from migration 5 on, their operator label.</summary>
    private static string AlertSource(bool labels) => labels
        ? $"SELECT {AlertColumns}, l.label, l.labelled_ns FROM alerts a LEFT JOIN alert_acks k ON k.device_id = a.device_id AND k.seq = a.seq LEFT JOIN alert_labels l ON l.device_id = a.device_id AND l.seq = a.seq"
        : $"SELECT {AlertColumns}, NULL, NULL FROM alerts a LEFT JOIN alert_acks k ON k.device_id = a.device_id AND k.seq = a.seq";

    private readonly SqlDialect _d;

    /// <summary>Renders every statement in <paramref name="dialect"/>.</summary>
    public FleetSql(SqlDialect dialect)
    {
        _d = dialect;
        Acknowledge = $"{dialect.InsertIgnorePrefix} alert_acks (device_id, seq, acknowledged_ns, acknowledged_by) "
            + $"SELECT device_id, seq, {P(3)}, {P(4)} FROM alerts WHERE device_id = {P(1)} AND seq = {P(2)}{dialect.InsertIgnoreSuffix}";
        Alert = $"{AlertSource(true)} WHERE a.device_id = {P(1)} AND a.seq = {P(2)}";
        // One row per (device, seq) even where two journal incarnations reused a sequence (PostgreSQL refuses an upsert
        // that touches a row twice); an operator relabelling an alert replaces the label and its time.
        Label = $"INSERT INTO alert_labels (device_id, seq, label, labelled_ns) SELECT device_id, seq, {P(3)}, {P(4)} FROM alerts WHERE device_id = {P(1)} AND seq = {P(2)} LIMIT 1 "
            + "ON CONFLICT (device_id, seq) DO UPDATE SET label = excluded.label, labelled_ns = excluded.labelled_ns";
    }

    /// <summary>The acknowledgement table (created if missing).</summary>
    public static string Schema(SqlDialect d) =>
        $"CREATE TABLE IF NOT EXISTS alert_acks (device_id TEXT NOT NULL, seq {d.Integer} NOT NULL, acknowledged_ns {d.Integer} NOT NULL, acknowledged_by TEXT NOT NULL, PRIMARY KEY (device_id, seq));\n"
        + "CREATE INDEX IF NOT EXISTS alerts_time ON alerts (time_ns);\n";

    /// <summary>Migration 5 (issue 18 item 5): operators' labels of alerts, beside <c>alerts</c> as <c>alert_acks</c> is (the
    /// collector only inserts into <c>alerts</c>, which PostgreSQL partitions by day): label 1 = a true anomaly, 0 = a false
    /// alarm; labelled_ns = when, UTC Unix ns (collector clock).</summary>
    public static string LabelSchema(SqlDialect d) =>
        $"CREATE TABLE IF NOT EXISTS alert_labels (device_id TEXT NOT NULL, seq {d.Integer} NOT NULL, label {d.Integer} NOT NULL, labelled_ns {d.Integer} NOT NULL, PRIMARY KEY (device_id, seq));\n";

    /// <summary>Parameters: device id, seq, label (1 or 0), labelled_ns. Records the label only when the alert exists.</summary>
    public string Label { get; }

    /// <summary>Parameters: device id or NULL, sensor or NULL, from ns, to ns, limit. A filter that is absent is written as
    /// <c>P IS NULL</c> rather than <c>(P IS NULL OR column = P)</c>, so that SQLite can use the (device_id, seq) key for a
    /// device's rows (an OR of a parameter and a column hides the index from the planner).</summary>
    public string Summaries(bool device, bool sensor) =>
        $"SELECT device_id, seq, sensor, channel, window_start_ns, window_end_ns, {StoreRowMapping.FeatureColumns}, spectral FROM summaries "
        + $"WHERE {Filter("device_id", 1, device)} AND {Filter("sensor", 2, sensor)} AND window_start_ns >= {P(3)} AND window_start_ns < {P(4)} "
        + $"ORDER BY window_start_ns DESC, seq DESC LIMIT {P(5)}";

    /// <summary>Parameters: device id, seq, acknowledged_ns, acknowledged_by. Inserts only when the alert exists and is not yet acknowledged.</summary>
    public string Acknowledge { get; }

    /// <summary>Parameters: device id, seq: one alert with its acknowledgement.</summary>
    public string Alert { get; }

    /// <summary>Parameters: device id or NULL, from ns, to ns, detector or NULL, limit (the acknowledged filter is part of the
    /// text; absent filters as in <see cref="Summaries"/>).</summary>
    public string Alerts(bool device, bool detector, bool? acknowledged, bool labels = true) =>
        $"{AlertSource(labels)} "
        + $"WHERE {Filter("a.device_id", 1, device)} AND a.time_ns >= {P(2)} AND a.time_ns < {P(3)} AND {Filter("a.detector", 4, detector)}"
        + acknowledged switch { true => " AND k.seq IS NOT NULL", false => " AND k.seq IS NULL", null => "" }
        + $" ORDER BY a.time_ns DESC, a.seq DESC LIMIT {P(5)}";

    /// <summary>Runs <see cref="Summaries(bool, bool)"/>.</summary>
    public List<StoredSummary> QuerySummaries(DbConnection connection, StoreSql sql, SummaryQuery q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q.Limit, 1);
        using DbCommand c = StoreStatements.Command(connection, null, sql, Summaries(q.DeviceId is not null, q.Sensor is not null), 5);
        Bind(c, Text(q.DeviceId), Text(q.Sensor), q.FromNs, q.ToNs, (long)q.Limit);
        using DbDataReader r = c.ExecuteReader();
        return StoreRowMapping.All(r, StoreRowMapping.Summary);
    }

    /// <summary>Runs <see cref="Alerts(bool, bool, bool?, bool)"/>; <paramref name="version"/> is the store's schema version (a
    /// SQLite file opened read-only below 5 has no labels).</summary>
    public List<StoredAlert> QueryAlerts(DbConnection connection, StoreSql sql, AlertQuery q, int version = StoreMigrations.Latest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q.Limit, 1);
        using DbCommand c = StoreStatements.Command(connection, null, sql, Alerts(q.DeviceId is not null, q.Detector is not null, q.Acknowledged, version >= 5), 5);
        Bind(c, Text(q.DeviceId), q.FromNs, q.ToNs, Text(q.Detector), (long)q.Limit);
        using DbDataReader r = c.ExecuteReader();
        return StoreRowMapping.All(r, ReadAlert);
    }

    /// <summary>Runs <see cref="Acknowledge"/>, then reads the alert back (null when there is none).</summary>
    public StoredAlert? AcknowledgeAlert(DbConnection connection, StoreSql sql, string deviceId, long sequence, long nowNs, string by)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(by);
        using (DbCommand ack = StoreStatements.Command(connection, null, sql, Acknowledge, 4))
        {
            Bind(ack, deviceId, sequence, nowNs, by.Length > 200 ? by[..200] : by);
            ack.ExecuteNonQuery();
        }

        return ReadOne(connection, sql, deviceId, sequence);
    }

    /// <summary>Runs <see cref="Label"/>, then reads the alert back (null when there is none).</summary>
    public StoredAlert? LabelAlert(DbConnection connection, StoreSql sql, string deviceId, long sequence, bool label, long nowNs)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        using (DbCommand write = StoreStatements.Command(connection, null, sql, Label, 4))
        {
            Bind(write, deviceId, sequence, label ? 1L : 0L, nowNs);
            write.ExecuteNonQuery();
        }

        return ReadOne(connection, sql, deviceId, sequence);
    }

    private StoredAlert? ReadOne(DbConnection connection, StoreSql sql, string deviceId, long sequence)
    {
        using DbCommand read = StoreStatements.Command(connection, null, sql, Alert, 2);
        Bind(read, deviceId, sequence);
        using DbDataReader r = read.ExecuteReader();
        return r.Read() ? ReadAlert(r) : null;
    }

    private static StoredAlert ReadAlert(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4), Real(r, 5), Real(r, 6), r.GetInt64(7),
            r.GetString(8), r.GetInt64(9), r.IsDBNull(10) ? 0 : r.GetInt64(10), r.IsDBNull(11) ? "" : r.GetString(11),
            r.IsDBNull(12) ? null : r.GetInt64(12) != 0, r.IsDBNull(13) ? 0 : r.GetInt64(13));

    private static double Real(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    private static object Text(string? value) => (object?)value ?? DBNull.Value;

    private static void Bind(DbCommand c, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            c.Parameters[i].Value = values[i];
            if (values[i] is DBNull)
            {
                c.Parameters[i].DbType = DbType.String; // a NULL text filter still needs its type (PostgreSQL infers none)
            }
        }
    }

    private string P(int position) => _d.P(position);

    private string Filter(string column, int position, bool given) => given ? $"{column} = {P(position)}" : $"{P(position)}{_d.TextCast} IS NULL";
}
