using System.Text.Json;
using Appliance.Cloud.Storage;

namespace Appliance.Cloud.Http.Api;

/// <summary>Turns store rows into API views: a device's health JSON (heartbeat schema 2, <see cref="DeviceRecord.Health"/>)
/// into sensors, link and journal; non-finite numbers into null (JSON has no NaN, RFC 8259 §6).</summary>
public static class FleetViews
{
    /// <summary>The view of one device at <paramref name="nowNs"/>.</summary>
    /// <param name="d">The store's row.</param>
    /// <param name="nowNs">Now, UTC Unix ns (collector clock).</param>
    /// <param name="timeout">The heartbeat timeout that decides online.</param>
    /// <returns>The view.</returns>
    public static DeviceView Device(DeviceRecord d, long nowNs, TimeSpan timeout)
    {
        long lastNs = Math.Max(d.LastSeenNs, d.HeartbeatNs);
        double age = Math.Max(0, (nowNs - lastNs) / 1e9);
        bool online = age < timeout.TotalSeconds;
        string configError = "", modelRejection = "";
        string model = "";
        var sensors = new List<SensorView>();
        long written = 0, acked = 0, bytes = 0, budget = 0, dropped = 0, retransmits = 0;
        if (d.Health.Length > 0)
        {
            using JsonDocument doc = JsonDocument.Parse(d.Health);
            JsonElement h = doc.RootElement;
            configError = Str(h, "config_error");
            model = Str(h, "model_id");
            modelRejection = Str(h, "model_rejection");
            if (h.TryGetProperty("sensors", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement s in list.EnumerateArray())
                {
                    sensors.Add(new SensorView(Str(s, "name"), Str(s, "health"), Str(s, "reason"), Int(s, "faults"),
                        Num(s, "rate_hz"), Num(s, "jitter_p50_us"), Num(s, "jitter_p99_us")));
                }
            }

            if (h.TryGetProperty("counters", out JsonElement c) && c.ValueKind == JsonValueKind.Object)
            {
                written = Int(c, "seq_written");
                acked = Int(c, "seq_acked");
                bytes = Int(c, "journal_bytes");
                budget = Int(c, "journal_budget_bytes");
                dropped = Int(c, "dropped");
                retransmits = Int(c, "retransmits");
            }
        }

        return new DeviceView(d.DeviceId, online, ApiTime.Iso(d.LastSeenNs), d.HeartbeatNs == 0 ? null : ApiTime.Iso(d.HeartbeatNs),
            d.LastSequence, d.UptimeMs, d.ExecutionProvider, d.ConfigRevision, d.ConfigState, configError, model, modelRejection,
            d.Summaries, d.Alerts, sensors, new LinkView(online, Math.Round(age, 3), retransmits),
            new JournalView(Math.Max(0, written - acked), bytes, budget, dropped));
    }

    /// <summary>The view of one summary.</summary>
    public static SummaryView Summary(StoredSummary s) =>
        new(s.DeviceId, s.Sequence, s.Sensor, s.Channel, ApiTime.Iso(s.WindowStartNs), ApiTime.Iso(s.WindowEndNs), s.WindowStartNs,
            s.WindowEndNs, s.Features.Count, Finite(s.Features.Mean), Finite(s.Features.Min), Finite(s.Features.Max));

    /// <summary>The view of one alert.</summary>
    public static AlertView Alert(StoredAlert a) =>
        new(AlertId(a.DeviceId, a.Sequence), a.DeviceId, a.Sequence, a.Sensor, a.Channel, ApiTime.Iso(a.TimeNs), a.TimeNs, Finite(a.Score),
            a.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), Finite(a.Threshold), a.Severity, a.Detector,
            ApiTime.Iso(a.ReceivedNs), a.Acknowledged, a.Acknowledged ? ApiTime.Iso(a.AcknowledgedNs) : null, a.AcknowledgedBy,
            a.Label, a.Label is null ? null : ApiTime.Iso(a.LabelledNs));

    /// <summary>An alert's id: <c>DEVICE:SEQ</c>.</summary>
    public static string AlertId(string deviceId, long sequence) =>
        deviceId + ":" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Splits an alert id at its last colon.</summary>
    /// <param name="id">The id, <c>DEVICE:SEQ</c>.</param>
    /// <returns>Device and sequence.</returns>
    /// <exception cref="ApiInputException">Not <c>DEVICE:SEQ</c> (400, field <c>id</c>).</exception>
    public static (string DeviceId, long Sequence) ParseAlertId(string id)
    {
        if (AlertLabels.TryParseId(id, out string device, out long seq))
        {
            return (device, seq);
        }

        throw new ApiInputException(400, "id", $"alert id '{id}': expected DEVICE:SEQ as GET /api/alerts gives it (e.g. pump-7:42)");
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static long Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : 0;

    private static double Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}
