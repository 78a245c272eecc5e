using System.Data.Common;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Rollouts;

/// <summary>
/// The rollout tables of the collector store (migration 6, both dialects): <c>shadow_reports</c>, the latest
/// <see cref="ShadowReport"/> per rollout and device with its receive time, and <c>rollout_audit</c>, one row per step of a
/// rollout (started, promoted, aborted, completed) with the commit that made it. Statements use <c>{n}</c> for parameter n
/// (<see cref="ControlSql"/>); the upsert is <c>INSERT ... ON CONFLICT ... DO UPDATE</c>, which SQLite (3.24+) and PostgreSQL share.
/// </summary>
internal static class RolloutSql
{
    private const string ReportColumns = "rollout, device_id, received_ns, model, incumbent, windows, would_alert, incumbent_alerts, agreements, errors, latency_p50_us, latency_p99_us, score_p50, score_p90, score_p99, rejection";

    private const string AuditColumns = "rollout, at_ns, wave, event, devices, reason, figures, commit_id";

    /// <summary>Migration 6's statements.</summary>
    public static string Schema(SqlDialect d) => $"""
        CREATE TABLE IF NOT EXISTS shadow_reports (rollout TEXT NOT NULL, device_id TEXT NOT NULL, received_ns {d.Integer} NOT NULL,
            model TEXT NOT NULL, incumbent TEXT NOT NULL, windows {d.Integer} NOT NULL, would_alert {d.Integer} NOT NULL,
            incumbent_alerts {d.Integer} NOT NULL, agreements {d.Integer} NOT NULL, errors {d.Integer} NOT NULL,
            latency_p50_us {d.Real}, latency_p99_us {d.Real}, score_p50 {d.Real}, score_p90 {d.Real}, score_p99 {d.Real},
            rejection TEXT NOT NULL, PRIMARY KEY (rollout, device_id));
        CREATE TABLE IF NOT EXISTS rollout_audit (id {d.Identity}, rollout TEXT NOT NULL, at_ns {d.Integer} NOT NULL,
            wave {d.Integer} NOT NULL, event TEXT NOT NULL, devices TEXT NOT NULL, reason TEXT NOT NULL, figures TEXT NOT NULL,
            commit_id TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS rollout_audit_rollout ON rollout_audit (rollout, id);

        """;

    /// <summary>Keeps <paramref name="report"/> as the latest of its rollout and device.</summary>
    public static void Upsert(DbConnection c, SqlDialect d, string deviceId, long receivedNs, ShadowReport report) =>
        ControlSql.Execute(c, d,
            $"INSERT INTO shadow_reports ({ReportColumns}) VALUES ({{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}, {{7}}, {{8}}, {{9}}, {{10}}, {{11}}, {{12}}, {{13}}, {{14}}, {{15}}, {{16}}) "
            + "ON CONFLICT (rollout, device_id) DO UPDATE SET received_ns = excluded.received_ns, model = excluded.model, incumbent = excluded.incumbent, "
            + "windows = excluded.windows, would_alert = excluded.would_alert, incumbent_alerts = excluded.incumbent_alerts, agreements = excluded.agreements, "
            + "errors = excluded.errors, latency_p50_us = excluded.latency_p50_us, latency_p99_us = excluded.latency_p99_us, score_p50 = excluded.score_p50, "
            + "score_p90 = excluded.score_p90, score_p99 = excluded.score_p99, rejection = excluded.rejection",
            report.Rollout, deviceId, receivedNs, report.Model, report.Incumbent, report.Windows, report.WouldAlert, report.IncumbentAlerts,
            report.Agreements, report.Errors, d.Real64(report.LatencyP50Us), d.Real64(report.LatencyP99Us), d.Real64(report.ScoreP50),
            d.Real64(report.ScoreP90), d.Real64(report.ScoreP99), report.Rejection);

    /// <summary>Forgets a rollout's reports (a rollout started again under the same name starts from none).</summary>
    public static void ClearReports(DbConnection c, SqlDialect d, string rollout) =>
        ControlSql.Execute(c, d, "DELETE FROM shadow_reports WHERE rollout = {1}", rollout);

    /// <summary>The latest report of each device in <paramref name="rollout"/>, ordered by device id.</summary>
    public static List<DeviceShadowReport> Reports(DbConnection c, SqlDialect d, string rollout) =>
        ControlSql.Query(c, d, $"SELECT {ReportColumns} FROM shadow_reports WHERE rollout = {{1}} ORDER BY device_id", r => new DeviceShadowReport(
            r.GetString(1), r.GetInt64(2), new ShadowReport
            {
                Rollout = r.GetString(0), Model = r.GetString(3), Incumbent = r.GetString(4), Windows = r.GetInt64(5), WouldAlert = r.GetInt64(6),
                IncumbentAlerts = r.GetInt64(7), Agreements = r.GetInt64(8), Errors = r.GetInt64(9), LatencyP50Us = Real(r, 10),
                LatencyP99Us = Real(r, 11), ScoreP50 = Real(r, 12), ScoreP90 = Real(r, 13), ScoreP99 = Real(r, 14), Rejection = r.GetString(15),
            }), rollout);

    /// <summary>Appends one audit row.</summary>
    public static void Audit(DbConnection c, SqlDialect d, RolloutAuditRow row) =>
        ControlSql.Execute(c, d, $"INSERT INTO rollout_audit ({AuditColumns}) VALUES ({{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}, {{7}}, {{8}})",
            row.Rollout, row.AtNs, row.Wave, row.Event, string.Join(',', row.Devices), row.Reason, row.Figures, row.CommitId);

    /// <summary>The audit rows of <paramref name="rollout"/> (every rollout when null), oldest first.</summary>
    public static List<RolloutAuditRow> AuditRows(DbConnection c, SqlDialect d, string? rollout) =>
        rollout is null
            ? ControlSql.Query(c, d, $"SELECT {AuditColumns} FROM rollout_audit ORDER BY id", ReadAudit)
            : ControlSql.Query(c, d, $"SELECT {AuditColumns} FROM rollout_audit WHERE rollout = {{1}} ORDER BY id", ReadAudit, rollout);

    private static RolloutAuditRow ReadAudit(DbDataReader r) => new(r.GetString(0), r.GetInt64(1), (int)r.GetInt64(2), r.GetString(3),
        r.GetString(4).Length == 0 ? [] : r.GetString(4).Split(','), r.GetString(5), r.GetString(6), r.GetString(7));

    /// <summary>Every device the store has seen: id, labels, latest configuration state and heartbeat time, ordered by id.</summary>
    public static List<FleetDevice> Devices(DbConnection c, SqlDialect d) =>
        ControlSql.Query(c, d, "SELECT device_id, labels, config_state, heartbeat_ns, config_revision FROM devices ORDER BY device_id", r => new FleetDevice(
            r.GetString(0), DeviceLabels.Parse(r.IsDBNull(1) ? null : r.GetString(1)), r.IsDBNull(2) ? "" : r.GetString(2),
            r.IsDBNull(3) ? 0 : r.GetInt64(3), r.IsDBNull(4) ? "" : r.GetString(4)));

    private static double Real(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
}

/// <summary>A device's latest shadow report for a rollout, as the store keeps it.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="ReceivedNs">When the heartbeat that carried it was stored, UTC Unix ns (collector clock).</param>
/// <param name="Report">The report.</param>
public sealed record DeviceShadowReport(string DeviceId, long ReceivedNs, ShadowReport Report);

/// <summary>One step of a rollout, as <c>rollout_audit</c> keeps it.</summary>
/// <param name="Rollout">The rollout's name.</param>
/// <param name="AtNs">When, UTC Unix ns (the controller's clock).</param>
/// <param name="Wave">The wave the step concerns (1-based).</param>
/// <param name="Event"><c>started</c>, <c>promoted</c> (a wave became active and the next one started), <c>completed</c>
/// (the last wave promoted) or <c>aborted</c>.</param>
/// <param name="Devices">The devices of the step: the wave's devices (started, promoted, completed) or those it judged (aborted).</param>
/// <param name="Reason">Why (empty for started).</param>
/// <param name="Figures">The figures judged, as text (<see cref="RolloutVerdict.Figures"/>).</param>
/// <param name="CommitId">The signed commit that made the step.</param>
public sealed record RolloutAuditRow(string Rollout, long AtNs, int Wave, string Event, IReadOnlyList<string> Devices, string Reason, string Figures, string CommitId);

/// <summary>A device as the rollout controller sees it in the store.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="Labels">Its labels (latest heartbeat).</param>
/// <param name="ConfigState">Its configuration state (latest heartbeat): applied, rejected, rolled_back, pending, or empty.</param>
/// <param name="HeartbeatNs">When its latest heartbeat was stored, UTC Unix ns; 0 when none.</param>
/// <param name="ConfigRevision">The configuration revision of its latest heartbeat.</param>
public sealed record FleetDevice(string DeviceId, IReadOnlyDictionary<string, string> Labels, string ConfigState, long HeartbeatNs, string ConfigRevision);
