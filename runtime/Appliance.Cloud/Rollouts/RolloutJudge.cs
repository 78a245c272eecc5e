using System.Globalization;
using Appliance.Contracts.Config;

namespace Appliance.Cloud.Rollouts;

/// <summary>What the controller does with a rollout's current wave now.</summary>
public enum RolloutDecision
{
    /// <summary>Not yet judged: the bake time runs, or a device has not yet scored enough windows.</summary>
    Wait,

    /// <summary>The wave passed: its devices become active and the next wave starts (or the rollout completes).</summary>
    Promote,

    /// <summary>The wave failed: every device back on the incumbent.</summary>
    Abort,
}

/// <summary>The judgement of a wave.</summary>
/// <param name="Decision">What to do.</param>
/// <param name="Reason">Why, one line: for an abort it starts with <c>rejected</c>, <c>failed</c>, <c>timed out</c>,
/// <c>too few windows</c> or <c>alert rate</c>; empty while waiting.</param>
/// <param name="Figures">The wave's totals as text: <c>windows=N would_alert=W rate=R incumbent_alerts=I incumbent_rate=Q
/// limit=L errors=E precision=P</c> (P: the precision on labelled alerts, <c>not judged</c> without <c>min_precision</c>, or
/// <c>not evaluated</c> while no alert of the devices running the candidate is labelled).</param>
public sealed record RolloutVerdict(RolloutDecision Decision, string Reason, string Figures);

/// <summary>
/// Which devices a rollout targets, in wave order, and how a wave is judged (docs/models.md, "Rollouts"). Pure functions of
/// the rollout, the store's devices, their shadow reports and the time: the <see cref="RolloutController"/> applies them.
/// </summary>
public static class RolloutJudge
{
    /// <summary>
    /// The devices <paramref name="spec"/> targets, in wave order: the listed ones in their order (<c>devices</c>: the first
    /// is the canary), or every known device (<c>all</c>) or those whose label matches (<c>label:KEY=VALUE</c>, from the
    /// devices' heartbeats) in ordinal order of device id.
    /// </summary>
    /// <param name="spec">The rollout.</param>
    /// <param name="fleet">The devices the store knows.</param>
    public static IReadOnlyList<string> Targets(RolloutSpec spec, IReadOnlyList<FleetDevice> fleet)
    {
        if (spec.Devices is not null)
        {
            return spec.Devices;
        }

        if (spec.Target == "all")
        {
            return [.. fleet.Select(d => d.DeviceId).Order(StringComparer.Ordinal)];
        }

        Contracts.Wire.DeviceLabels.TryParseSelector(spec.Target!, out string key, out string? value);
        return [.. fleet.Where(d => d.Labels.TryGetValue(key, out string? v) && v == value).Select(d => d.DeviceId).Order(StringComparer.Ordinal)];
    }

    /// <summary>The devices that join in wave <paramref name="wave"/> (1-based) when <paramref name="active"/> already run the
    /// candidate: the next ones of <paramref name="targets"/> not active, up to the wave's cumulative size. Empty when the
    /// wave adds none (its size equals the waves' before).</summary>
    public static IReadOnlyList<string> WaveDevices(RolloutSpec spec, IReadOnlyList<string> targets, IReadOnlyList<string> active, int wave)
    {
        int previous = 0;
        for (int i = 0; i < wave; i++)
        {
            previous = spec.Waves[i].CumulativeSize(targets.Count, previous);
        }

        return [.. targets.Where(t => !active.Contains(t)).Take(Math.Max(0, previous - active.Count))];
    }

    /// <summary>
    /// Judges the current wave of <paramref name="spec"/> (phase shadow) at <paramref name="nowMs"/>. Aborts at once when a
    /// wave device reports a rejection of the candidate (<see cref="Contracts.Wire.ShadowReport.Rejection"/>) or its
    /// configuration state after the wave started is <c>rejected</c> or <c>rolled_back</c> (failed). After the bake time:
    /// aborts when a device has sent no shadow report within <see cref="RolloutCriteria.Timeout"/> of the wave's start
    /// (timed out); waits while a device has scored fewer than <see cref="RolloutCriteria.MinWindows"/> windows, until bake +
    /// report timeout (then aborts, too few windows); then promotes when the wave's would-alert rate (Σ would_alert / Σ
    /// windows) is at most <see cref="RolloutCriteria.MaxAlertRateFactor"/> × max(incumbent alert rate on the same windows,
    /// <see cref="RolloutCriteria.AlertRateFloor"/>), else aborts (alert rate). With <see cref="RolloutCriteria.MinPrecision"/>
    /// set, a wave is also aborted (precision) when <paramref name="precision"/>, the precision on operator-labelled alerts of
    /// the devices that run the candidate as active during this wave (the waves promoted before it), is below it; it is not
    /// evaluated while none of their alerts is labelled (the canary wave has no candidate alerts: shadow models raise none).
    /// </summary>
    /// <param name="spec">The rollout, in phase shadow.</param>
    /// <param name="fleet">The store's devices (configuration state and heartbeat time).</param>
    /// <param name="reports">The latest shadow report of each device for this rollout.</param>
    /// <param name="nowMs">Now, Unix ms (the controller's clock).</param>
    /// <param name="precision">The labelled alerts of the active devices since the wave started (<see cref="Storage.AlertLabels.Precision"/>);
    /// null when not asked for.</param>
    public static RolloutVerdict Judge(RolloutSpec spec, IReadOnlyList<FleetDevice> fleet, IReadOnlyList<DeviceShadowReport> reports, long nowMs,
        Storage.LabelPrecision? precision = null)
    {
        var s = spec.State;
        var c = spec.Criteria;
        long startNs = s.WaveStartedUnixMs * 1_000_000;
        var fresh = reports.Where(r => r.ReceivedNs >= startNs && r.Report.Model == spec.Model && s.Shadow.Contains(r.DeviceId))
            .ToDictionary(r => r.DeviceId, r => r.Report, StringComparer.Ordinal);
        long windows = fresh.Values.Sum(r => r.Windows), would = fresh.Values.Sum(r => r.WouldAlert);
        long incumbent = fresh.Values.Sum(r => r.IncumbentAlerts), errors = fresh.Values.Sum(r => r.Errors);
        double rate = windows > 0 ? (double)would / windows : 0, incumbentRate = windows > 0 ? (double)incumbent / windows : 0;
        double limit = c.MaxAlertRateFactor * Math.Max(incumbentRate, c.AlertRateFloor);
        string figures = string.Create(CultureInfo.InvariantCulture,
            $"devices={s.Shadow.Count} reporting={fresh.Count} windows={windows} would_alert={would} rate={rate:0.####} incumbent_alerts={incumbent} incumbent_rate={incumbentRate:0.####} limit={limit:0.####} errors={errors} precision={(c.MinPrecision is null ? "not judged" : precision is { Labelled: > 0 } p ? $"{p.Precision:0.####} ({p.TrueAlerts} of {p.Labelled} labelled)" : "not evaluated")}");
        RolloutVerdict Abort(string reason) => new(RolloutDecision.Abort, reason, figures);
        RolloutVerdict Wait() => new(RolloutDecision.Wait, "", figures);

        if (fresh.FirstOrDefault(r => r.Value.Rejection.Length > 0) is { Key: not null } rejected)
        {
            return Abort($"rejected: {rejected.Key} could not load {spec.Model}: {rejected.Value.Rejection}");
        }

        foreach (var d in fleet.Where(d => s.Shadow.Contains(d.DeviceId) && d.HeartbeatNs >= startNs))
        {
            if (d.ConfigState is "rejected" or "rolled_back")
            {
                return Abort($"failed: {d.DeviceId} reports configuration {d.ConfigState.Replace('_', ' ')}");
            }
        }

        long elapsedMs = nowMs - s.WaveStartedUnixMs;
        if (elapsedMs < spec.Bake.TotalMilliseconds)
        {
            return Wait();
        }

        if (elapsedMs >= c.Timeout.TotalMilliseconds && s.Shadow.FirstOrDefault(id => !fresh.ContainsKey(id)) is { } silent)
        {
            return Abort($"timed out: {silent} sent no shadow report within {Duration.Format(c.Timeout)} of the wave's start");
        }

        if (s.Shadow.FirstOrDefault(id => fresh.GetValueOrDefault(id)?.Windows is not long n || n < c.MinWindows) is { } few)
        {
            long scored = fresh.GetValueOrDefault(few)?.Windows ?? 0;
            return elapsedMs >= (spec.Bake + c.Timeout).TotalMilliseconds
                ? Abort($"too few windows: {few} scored {scored} of the {c.MinWindows} needed within bake + report timeout")
                : Wait();
        }

        if (c.MinPrecision is { } least && precision is { Labelled: > 0 } labelled && labelled.Precision < least)
        {
            return Abort(string.Create(CultureInfo.InvariantCulture, $"precision: {labelled.Precision:0.####} on {labelled.Labelled} labelled alerts of the devices running {spec.Model} < min_precision {least:0.##}"));
        }

        return rate <= limit
            ? new RolloutVerdict(RolloutDecision.Promote, string.Create(CultureInfo.InvariantCulture, $"would-alert rate {rate:0.####} within {c.MaxAlertRateFactor:0.##} x max(incumbent {incumbentRate:0.####}, floor {c.AlertRateFloor:0.####})"), figures)
            : Abort(string.Create(CultureInfo.InvariantCulture, $"alert rate: would-alert rate {rate:0.####} > {c.MaxAlertRateFactor:0.##} x max(incumbent {incumbentRate:0.####}, floor {c.AlertRateFloor:0.####}) = {limit:0.####}"));
    }
}
