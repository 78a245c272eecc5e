using Appliance.Drivers.Sampling;
using Appliance.Device.GitOps;
using Appliance.Device.Outbox;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;
using Appliance.Contracts.Wire;

namespace Appliance.Device.Health;

/// <summary>
/// Builds the device's <see cref="Heartbeat"/> from the parts that hold its health: the journal and uplink counters (the same
/// figures as <c>status.json</c>'s seq_written, seq_acked, journal_bytes, journal_budget_bytes, merged, dropped, retransmits),
/// the pipeline's counters, each sensor's sampling statistics (rate, jitter p50/p99, health, last fault; FIFO overruns summed over
/// the FIFO sensors as counter 22), and the reconciler's
/// revision, state and last error.
/// </summary>
public static class DeviceHeartbeat
{
    /// <summary>Builds one heartbeat.</summary>
    /// <param name="uptimeMs">Milliseconds since the runtime started.</param>
    /// <param name="executionProvider">ONNX Runtime execution provider of the running pipeline (<c>none</c> before one runs).</param>
    /// <param name="revision">Revision of the configuration running now (the reconciler's is used when this is empty).</param>
    /// <param name="gitOps">The reconciler's state, or null when the device runs without one.</param>
    /// <param name="journal">The device's outbox journal, or null (memory outbox).</param>
    /// <param name="uplink">The device's uplink client, or null.</param>
    /// <param name="pipeline">The running pipeline's counters, or null before one runs.</param>
    /// <param name="sensors">Per-sensor sampling statistics.</param>
    /// <param name="modelId">Active model id (<c>DevicePipeline.ActiveModel</c>: <c>models/NAME@sha256:HEX12</c>, <c>on-device:standard-score</c>, or <c>none</c>); empty when unknown.</param>
    /// <param name="modelRejection">Why the last offered model was rejected; empty when none was.</param>
    /// <param name="clock">The clock that stamps the samples (its wall-clock steps are counted), or null.</param>
    /// <param name="cameras">The cameras' counters (summed into the video counters, ids 40 to 45), or null for none.</param>
    /// <param name="stageRestarts">Restarts of the device's supervised stages since start (<see cref="StageSupervisor.Restarts"/>;
    /// counter <see cref="HeartbeatCounter.StageRestarts"/>, sent when not 0).</param>
    /// <param name="labels">The device's <c>[device] labels</c>, or null when it has none (the heartbeat then carries none).</param>
    /// <param name="shadow">The candidates the device runs in shadow (<c>DevicePipeline.ShadowReports</c>), or null for none.</param>
    /// <returns>The heartbeat, counters keyed by <see cref="HeartbeatCounter"/>.</returns>
    public static Heartbeat Create(
        long uptimeMs,
        string executionProvider,
        string revision,
        GitOpsStatus? gitOps,
        JournalOutbox? journal,
        UplinkClient? uplink,
        PipelineCounters? pipeline,
        IEnumerable<SamplingStats> sensors,
        string modelId = "",
        string modelRejection = "",
        SteadyClock? clock = null,
        IEnumerable<Video.CameraCounters>? cameras = null,
        long stageRestarts = 0,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyList<ShadowReport>? shadow = null)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        var counters = new Dictionary<int, long>();
        if (journal is not null)
        {
            JournalCounters j = journal.Counters;
            counters[(int)HeartbeatCounter.SeqWritten] = j.HighestWritten;
            counters[(int)HeartbeatCounter.SeqAcked] = j.HighestAcknowledged;
            counters[(int)HeartbeatCounter.JournalBytes] = j.JournalBytes;
            counters[(int)HeartbeatCounter.JournalBudgetBytes] = j.BudgetBytes;
            counters[(int)HeartbeatCounter.Merged] = j.Merged;
            counters[(int)HeartbeatCounter.Dropped] = j.Dropped;
        }

        if (uplink is not null)
        {
            counters[(int)HeartbeatCounter.Retransmits] = uplink.Counters.Retransmits;
        }

        if (pipeline is { } p)
        {
            counters[(int)HeartbeatCounter.SamplesRead] = p.SamplesRead;
            counters[(int)HeartbeatCounter.SampleFaults] = p.SampleFaults;
            counters[(int)HeartbeatCounter.WindowsSummarised] = p.WindowsSummarised;
            counters[(int)HeartbeatCounter.Alerts] = p.Alerts;
            counters[(int)HeartbeatCounter.LateSamples] = p.LateSamples;
        }

        if (clock is not null)
        {
            counters[(int)HeartbeatCounter.ClockSteps] = clock.Steps;
        }

        if (cameras is not null && cameras.Any())
        {
            counters[(int)HeartbeatCounter.VideoFramesRead] = cameras.Sum(c => c.FramesRead);
            counters[(int)HeartbeatCounter.VideoFramesDropped] = cameras.Sum(c => c.FramesDropped);
            counters[(int)HeartbeatCounter.VideoEvents] = cameras.Sum(c => c.Events);
            counters[(int)HeartbeatCounter.ClipsSent] = cameras.Sum(c => c.Clips.ClipsSent);
            counters[(int)HeartbeatCounter.ClipBytesSent] = cameras.Sum(c => c.Clips.BytesSent);
            counters[(int)HeartbeatCounter.ClipsDroppedBudget] = cameras.Sum(c => c.Clips.DroppedBudget);
        }

        if (stageRestarts != 0)
        {
            counters[(int)HeartbeatCounter.StageRestarts] = stageRestarts;
        }

        var reports = new List<SensorReport>();
        long? fifoOverruns = null;
        foreach (SamplingStats stats in sensors)
        {
            SamplingStatsSnapshot x = stats.Snapshot();
            fifoOverruns = x.FifoOverruns is { } o ? (fifoOverruns ?? 0) + o : fifoOverruns;
            reports.Add(new SensorReport
            {
                Name = x.Sensor,
                Health = x.Health switch
                {
                    SensorHealth.Ok => "ok",
                    SensorHealth.Degraded => "degraded",
                    _ => "starting",
                },
                Reason = x.LastFault ?? "",
                Faults = x.Faults,
                RateHz = double.IsFinite(x.MeasuredRateHz) ? x.MeasuredRateHz : 0,
                JitterP50Us = double.IsFinite(x.JitterP50Us) ? x.JitterP50Us : 0,
                JitterP99Us = double.IsFinite(x.JitterP99Us) ? x.JitterP99Us : 0,
            });
        }

        if (fifoOverruns is { } overruns)
        {
            counters[(int)HeartbeatCounter.FifoOverruns] = overruns;
        }

        return new Heartbeat
        {
            UptimeMs = uptimeMs,
            ExecutionProvider = executionProvider,
            ConfigRevision = revision.Length > 0 ? revision : gitOps?.ConfigRevision ?? "",
            Counters = counters,
            ConfigState = gitOps?.StateName ?? "",
            ConfigError = gitOps?.ConfigError ?? "",
            ModelId = modelId,
            ModelRejection = modelRejection,
            Sensors = reports,
            Labels = labels,
            Shadow = shadow ?? [],
        };
    }
}
