namespace Appliance.Contracts.Wire;

/// <summary>
/// Ids of the counters in <see cref="Heartbeat.Counters"/> (the map's integer keys). Values are part of the wire contract and
/// never change meaning; a collector names an id it does not know <c>c&lt;id&gt;</c>.
/// </summary>
public enum HeartbeatCounter
{
    /// <summary>Highest sequence written to the outbox.</summary>
    SeqWritten = 1,

    /// <summary>Highest sequence acknowledged contiguously by the collector.</summary>
    SeqAcked = 2,

    /// <summary>Journal size on disk, bytes.</summary>
    JournalBytes = 3,

    /// <summary>Journal disk budget, bytes.</summary>
    JournalBudgetBytes = 4,

    /// <summary>Summaries merged into coarser ones under budget pressure.</summary>
    Merged = 5,

    /// <summary>Records dropped (oldest first) beyond merging.</summary>
    Dropped = 6,

    /// <summary>Messages sent again after a reconnect or an ack timeout.</summary>
    Retransmits = 7,

    /// <summary>Samples read by the pipeline.</summary>
    SamplesRead = 8,

    /// <summary>Failed sample reads seen by the pipeline.</summary>
    SampleFaults = 9,

    /// <summary>Windows summarised.</summary>
    WindowsSummarised = 10,

    /// <summary>Alerts raised.</summary>
    Alerts = 11,

    /// <summary>Samples the windows dropped as late (out of order) or early (before a pipeline's start).</summary>
    LateSamples = 20,

    /// <summary>Wall-clock steps (over 1 s, either way) the device's sample clock detected and re-anchored at.</summary>
    ClockSteps = 21,

    /// <summary>Reads after which a sensor's FIFO had overflowed and dropped samples, all FIFO sensors (the ADXL345's INT_SOURCE
    /// Overrun); sent only by a device with a FIFO sensor.</summary>
    FifoOverruns = 22,

    /// <summary>Camera frames analysed, all cameras (docs/video.md).</summary>
    VideoFramesRead = 40,

    /// <summary>Camera frames lost (a short last frame of a pipe), all cameras.</summary>
    VideoFramesDropped = 41,

    /// <summary>Camera motion events closed, all cameras.</summary>
    VideoEvents = 42,

    /// <summary>Clips whose chunks all went into the journal.</summary>
    ClipsSent = 43,

    /// <summary>Bytes of those clips.</summary>
    ClipBytesSent = 44,

    /// <summary>Clips dropped whole for a camera's hourly budget (<c>clips_dropped_budget</c>).</summary>
    ClipsDroppedBudget = 45,

    /// <summary>Restarts of the device's supervised stages (sampling loops, pipeline worker, reconciler) since the process
    /// started (<c>stage_restarts</c> of <c>status.json</c>; docs/operations.md, "Supervision and watchdogs").</summary>
    StageRestarts = 50,
}
