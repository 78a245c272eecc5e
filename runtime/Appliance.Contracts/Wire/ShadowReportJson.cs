using System.Text.Json;

namespace Appliance.Contracts.Wire;

/// <summary>
/// A <see cref="ShadowReport"/>'s figures as JSON properties, the one form <c>status.json</c> (device) and
/// <c>rollout status --json</c> / <c>GET /api/rollouts/{name}</c> (cloud) write: <c>windows</c>, <c>would_alert</c>,
/// <c>incumbent_alerts</c>, <c>agreements</c>, <c>errors</c> (integers), <c>latency_p50_us</c>, <c>latency_p99_us</c>,
/// <c>score_p50</c>, <c>score_p90</c>, <c>score_p99</c> (numbers; null before the first scored window, RFC 8259 §6 has no
/// NaN) and <c>rejection</c> (a string, empty when the candidate loaded); names as the wire layout gives them.
/// </summary>
public static class ShadowReportJson
{
    /// <summary>Writes the figures of <paramref name="r"/> into the object <paramref name="w"/> is writing.</summary>
    /// <param name="w">A writer inside an object.</param>
    /// <param name="r">The report.</param>
    public static void WriteFigures(Utf8JsonWriter w, ShadowReport r)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        w.WriteNumber("windows", r.Windows);
        w.WriteNumber("would_alert", r.WouldAlert);
        w.WriteNumber("incumbent_alerts", r.IncumbentAlerts);
        w.WriteNumber("agreements", r.Agreements);
        w.WriteNumber("errors", r.Errors);
        Number(w, "latency_p50_us", r.LatencyP50Us);
        Number(w, "latency_p99_us", r.LatencyP99Us);
        Number(w, "score_p50", r.ScoreP50);
        Number(w, "score_p90", r.ScoreP90);
        Number(w, "score_p99", r.ScoreP99);
        w.WriteString("rejection", r.Rejection);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
