using System.Globalization;
using System.Text;
using Appliance.Device.Outbox;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;

namespace Appliance.Device.Metrics;

/// <summary>
/// Writes the device's figures in Prometheus' text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): <c># HELP</c> and <c># TYPE</c> before each family,
/// counters ending in <c>_total</c>, label values escaped (<c>\\</c>, <c>\"</c>, <c>\n</c>). The values are those of
/// status.json and the heartbeat, read when the exposition is written: the device's counters since it started
/// (<see cref="PipelineCounters"/> of every pipeline), the journal's (<see cref="JournalCounters"/>), the uplink's
/// (<see cref="UplinkCounters"/>, absent before the first revision) and each bus sensor's health.
/// </summary>
internal sealed class DeviceExposition(
    JournalOutbox outbox,
    Func<UplinkClient?> uplink,
    Func<PipelineCounters> lifetime,
    Func<IReadOnlyList<Appliance.Drivers.Sampling.SamplingStats>> sensors,
    LatencyHistogram inferenceLatency)
{
    /// <summary>The exposition's media type, as the format's specification names it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes the exposition now.</summary>
    /// <returns>The text, ending in a newline.</returns>
    public string Write()
    {
        var b = new StringBuilder(4096);
        var c = lifetime();
        Counter(b, "samples_total", "Samples read from all sensors since the device started.", c.SamplesRead);
        Counter(b, "sample_faults_total", "Failed sensor reads (after the supervisor's retries) since the device started.", c.SampleFaults);
        Counter(b, "windows_total", "Channel windows summarised and handed to the uplink since the device started.", c.WindowsSummarised);
        Counter(b, "alerts_total", "Alerts raised since the device started.", c.Alerts);
        Counter(b, "onnx_runs_total", "ONNX batches scored since the device started.", c.InferenceRuns);

        var j = outbox.Counters;
        Gauge(b, "journal_backlog_records", "Journal records written and not yet acknowledged by the collector (seq_written - seq_acked).", j.HighestWritten - j.HighestAcknowledged);
        Gauge(b, "journal_bytes", "Bytes of the outbox journal on disk (segments and checkpoint).", j.JournalBytes);

        if (uplink() is { } u)
        {
            var uc = u.Counters;
            Gauge(b, "link_up", "1 when a frame from the collector arrived within the liveness window, else 0 (connecting or down).", u.Link == UplinkLinkState.Up ? 1 : 0);
            Counter(b, "retransmits_total", "Messages sent again after a resend timeout.", uc.Retransmits);
        }

        var name = Family(b, "sensor_healthy", "gauge", "1 when the sensor's health is ok, 0 while it starts or is degraded.");
        foreach (var s in sensors())
        {
            var x = s.Snapshot();
            b.Append(name).Append("{sensor=\"");
            Escape(b, x.Sensor);
            b.Append("\"} ").Append(x.Health == Appliance.Drivers.Sampling.SensorHealth.Ok ? '1' : '0').Append('\n');
        }

        WriteHistogram(b);
        return b.ToString();
    }

    private void WriteHistogram(StringBuilder b)
    {
        var name = Family(b, "onnx_run_seconds", "histogram", "Duration of one ONNX run (a batch of windows), in seconds, since the device started.");
        Span<long> counts = stackalloc long[LatencyHistogram.Bounds.Length + 1];
        inferenceLatency.CopyCounts(counts);
        long cumulative = 0;
        for (var i = 0; i < LatencyHistogram.Bounds.Length; i++)
        {
            cumulative += counts[i];
            b.Append(name).Append("_bucket{le=\"").Append(LatencyHistogram.Bounds[i].ToString("R", CultureInfo.InvariantCulture)).Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        cumulative += counts[^1];
        b.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        b.Append(name).Append("_sum ").Append(inferenceLatency.SumSeconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        b.Append(name).Append("_count ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Counter(StringBuilder b, string name, string help, long value) =>
        b.Append(Family(b, name, "counter", help)).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Gauge(StringBuilder b, string name, string help, long value) =>
        b.Append(Family(b, name, "gauge", help)).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>Writes the family's HELP and TYPE lines.</summary>
    /// <returns>The full metric name (with the <c>appliance_device_</c> prefix).</returns>
    private static string Family(StringBuilder b, string name, string type, string help)
    {
        var full = "appliance_device_" + name;
        b.Append("# HELP ").Append(full).Append(' ').Append(help).Append('\n');
        b.Append("# TYPE ").Append(full).Append(' ').Append(type).Append('\n');
        return full;
    }

    private static void Escape(StringBuilder b, string value)
    {
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '\\' => b.Append("\\\\"),
                '"' => b.Append("\\\""),
                '\n' => b.Append("\\n"),
                _ => b.Append(ch),
            };
        }
    }
}
