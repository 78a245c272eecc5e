using System.Text.Json;
using Appliance.Contracts.Config;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Rollouts;

/// <summary>
/// A rollout as JSON, the one shape of <c>appliance cloud rollout status NAME --json</c> and <c>GET /api/rollouts/{name}</c>
/// (docs/api.md): <c>name, model, incumbent, target, phase, wave, waves [{wave, size, devices}], shadow, active, reason,
/// wave_started_unix_ms, bake_s, commit, devices [{device_id, role, received_ns, windows, would_alert, incumbent_alerts,
/// agreements, errors, latency_p50_us, latency_p99_us, score_p50, score_p90, score_p99, rejection}], audit [{at_ns, wave,
/// event, devices, reason, figures, commit}]</c>; NaN figures are written as null.
/// </summary>
public static class RolloutJson
{
    /// <summary>Writes the short form (<c>GET /api/rollouts</c>'s items): name, model, incumbent, phase, wave, waves (count), shadow, active, reason.</summary>
    public static void WriteSummary(Utf8JsonWriter w, RolloutSpec spec)
    {
        w.WriteStartObject();
        Head(w, spec);
        w.WriteNumber("waves", spec.Waves.Count);
        w.WriteEndObject();
    }

    /// <summary>Writes the full form of <paramref name="status"/>.</summary>
    public static void Write(Utf8JsonWriter w, RolloutStatus status)
    {
        var spec = status.Spec;
        w.WriteStartObject();
        Head(w, spec);
        w.WriteString("target", spec.Target ?? "devices");
        w.WriteNumber("wave_started_unix_ms", spec.State.WaveStartedUnixMs);
        w.WriteNumber("bake_s", spec.Bake.TotalSeconds);
        w.WriteString("commit", status.Commit);
        w.WriteStartArray("waves");
        foreach (var (wave, devices) in WaveDevices(status))
        {
            w.WriteStartObject();
            w.WriteNumber("wave", wave);
            w.WriteString("size", spec.Waves[wave - 1].ToString());
            Strings(w, "devices", devices);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("devices");
        foreach (var d in status.Reports)
        {
            var r = d.Report;
            w.WriteStartObject();
            w.WriteString("device_id", d.DeviceId);
            w.WriteString("role", spec.RoleOf(d.DeviceId).ToString().ToLowerInvariant());
            w.WriteNumber("received_ns", d.ReceivedNs);
            ShadowReportJson.WriteFigures(w, r);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("audit");
        foreach (var a in status.Audit)
        {
            w.WriteStartObject();
            w.WriteNumber("at_ns", a.AtNs);
            w.WriteNumber("wave", a.Wave);
            w.WriteString("event", a.Event);
            Strings(w, "devices", a.Devices);
            w.WriteString("reason", a.Reason);
            w.WriteString("figures", a.Figures);
            w.WriteString("commit", a.CommitId);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The devices of each wave started so far, from the audit trail (started and promoted rows name their wave's
    /// devices) and the current state's shadow list.</summary>
    public static IReadOnlyList<(int Wave, IReadOnlyList<string> Devices)> WaveDevices(RolloutStatus status)
    {
        var waves = new SortedDictionary<int, IReadOnlyList<string>>();
        foreach (var a in status.Audit)
        {
            if (a.Event == "started")
            {
                waves.Clear();
            }

            if (a.Event is "started" or "promoted" or "completed")
            {
                waves[a.Wave] = a.Devices;
            }
        }

        if (status.Spec.State.Phase == RolloutPhase.Shadow)
        {
            waves[status.Spec.State.Wave] = status.Spec.State.Shadow;
        }

        return [.. waves.Select(p => (p.Key, p.Value))];
    }

    private static void Head(Utf8JsonWriter w, RolloutSpec spec)
    {
        w.WriteString("name", spec.Name);
        w.WriteString("model", spec.Model);
        w.WriteString("incumbent", spec.Incumbent);
        w.WriteString("phase", spec.State.Phase.ToString().ToLowerInvariant());
        w.WriteNumber("wave", spec.State.Wave);
        Strings(w, "shadow", spec.State.Shadow);
        Strings(w, "active", spec.State.Active);
        w.WriteString("reason", spec.State.Reason);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (string s in items)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
    }
}
