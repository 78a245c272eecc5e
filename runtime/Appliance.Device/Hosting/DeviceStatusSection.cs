using System.Text.Json;
using Appliance.Device.GitOps;
using Appliance.Device.Health;
using Appliance.Device.Outbox;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;

namespace Appliance.Device.Hosting;

/// <summary>
/// The device's part of <c>status.json</c>: the uplink and journal figures (seq_written, seq_acked, journal_bytes, ...),
/// the running revision (config_revision, config_state, config_error), the device's counters since start and the running
/// revision's (<c>revision_windows_summarised</c>, <c>revision_alerts</c>).
/// </summary>
internal sealed class DeviceStatusSection(
    JournalOutbox outbox,
    Func<UplinkClient?> uplink,
    Func<GitOpsStatus?> gitOps,
    Func<DevicePipeline?> pipeline,
    Func<PipelineCounters> lifetime,
    Func<IReadOnlyList<Appliance.Drivers.Sampling.SamplingStats>> sensors) : IStatusSection
{
    public void Write(System.Text.Json.Utf8JsonWriter writer)
    {
        if (uplink() is { } u)
        {
            new UplinkStatusSection(outbox, u).Write(writer);
        }

        if (gitOps() is { } g)
        {
            writer.WriteString("config_revision", g.ConfigRevision);
            writer.WriteString("config_state", g.StateName);
            writer.WriteString("config_error", g.ConfigError); // JSON null when there is none
            writer.WriteString("failed_revision", g.FailedRevision); // the refused tip beside the running config_revision, or null
            writer.WriteNumber("lkg_pin_failures", g.PinFailures);
        }

        if (pipeline() is { } p)
        {
            // Since the device started (every revision's pipeline), then this revision's pipeline alone.
            var c = lifetime();
            writer.WriteNumber("samples_read", c.SamplesRead);
            writer.WriteNumber("sample_faults", c.SampleFaults);
            writer.WriteNumber("sample_overruns", c.Overruns);
            writer.WriteNumber("windows_summarised", c.WindowsSummarised);
            writer.WriteNumber("alerts", c.Alerts);
            writer.WriteNumber("late_samples", c.LateSamples);
            var r = p.Counters;
            writer.WriteNumber("revision_windows_summarised", r.WindowsSummarised);
            writer.WriteNumber("revision_alerts", r.Alerts);
            writer.WriteString("execution_provider", p.ExecutionProvider);
            writer.WriteString("active_model", p.ActiveModel);
            writer.WriteString("last_model_rejection", p.LastModelRejection);
            WriteShadow(writer, p.ShadowReports);
        }

        // Wall-clock steps the sample clock re-anchored at (SteadyClock), and the last one's size in seconds (negative: back).
        var clock = Appliance.Drivers.Sampling.SteadyClock.Shared;
        writer.WriteNumber("clock_steps", clock.Steps);
        writer.WriteNumber("clock_last_step_s", clock.LastStep.TotalSeconds);

        // Per bus sensor: configured and measured rate, jitter p50/p99 (µs), faults, FIFO overruns (FIFO sensors) and health (drivers/Sampling).
        writer.WriteStartArray("sensors");
        foreach (var stats in sensors())
        {
            var x = stats.Snapshot();
            writer.WriteStartObject();
            writer.WriteString("name", x.Sensor);
            writer.WriteString("chip", x.Chip);
            writer.WriteNumber("rate_hz", x.ConfiguredRateHz);
            writer.WriteNumber("measured_rate_hz", double.IsFinite(x.MeasuredRateHz) ? x.MeasuredRateHz : 0);
            writer.WriteNumber("jitter_p50_us", double.IsFinite(x.JitterP50Us) ? x.JitterP50Us : 0);
            writer.WriteNumber("jitter_p99_us", double.IsFinite(x.JitterP99Us) ? x.JitterP99Us : 0);
            writer.WriteNumber("samples", x.Samples);
            writer.WriteNumber("faults", x.Faults);
            writer.WriteNumber("retries", x.Retries);
            writer.WriteNumber("missed_deadlines", x.MissedDeadlines);
            if (x.FifoOverruns is { } fifoOverruns)
            {
                // A FIFO sensor (ADXL345): reads after which the chip had dropped samples; measured_rate_hz is its effective rate.
                writer.WriteNumber("fifo_overruns", fifoOverruns);
            }

            writer.WriteString("health", x.Health.ToString().ToLowerInvariant());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    // The candidates in shadow (rollouts; the heartbeat's ShadowReport, docs/models.md): one object per rollout, keys as the
    // wire layout names them; quantiles and latencies null before the first scored window (JSON has no NaN).
    private static void WriteShadow(Utf8JsonWriter writer, IReadOnlyList<Appliance.Contracts.Wire.ShadowReport> reports)
    {
        writer.WriteStartArray("shadow");
        foreach (var r in reports)
        {
            writer.WriteStartObject();
            writer.WriteString("rollout", r.Rollout);
            writer.WriteString("model", r.Model);
            writer.WriteString("incumbent", r.Incumbent);
            Appliance.Contracts.Wire.ShadowReportJson.WriteFigures(writer, r);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
