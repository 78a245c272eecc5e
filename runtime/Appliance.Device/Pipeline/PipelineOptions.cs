namespace Appliance.Device.Pipeline;

/// <summary>How the device pipeline paces its sources and reports.</summary>
public sealed class PipelineOptions
{
    /// <summary>
    /// For replayed sources: 0 replays as fast as the pipeline takes samples (<c>--speed max</c>); N &gt; 0 replays
    /// N times faster than the recording's own timestamps. Live sources always sample at their configured rate.
    /// </summary>
    public double ReplaySpeed { get; init; }

    /// <summary>Called with one human-readable line per closed sensor window (the demo's live output); may be null.</summary>
    public Action<string>? LiveLine { get; init; }

    /// <summary>Windows whose features train the ONNX scorer's normalisation before it starts scoring.</summary>
    public int ScorerTrainingWindows { get; init; } = 5;

    /// <summary>
    /// Samples stamped before this instant (Unix ns) are skipped and counted as late: a pipeline that takes over from
    /// another at a window boundary must not produce a window the previous one already closed (timers can fire a little
    /// early). <see cref="long.MinValue"/> (the default) takes every sample.
    /// </summary>
    public long NotBeforeNs { get; init; } = long.MinValue;

    /// <summary>
    /// Restarts the sampling loops and the worker when they throw, counts it and escalates repeated failure
    /// (<see cref="Health.StageSupervisor"/>); the device passes its own, whose counts outlive the pipelines. Null: the pipeline
    /// makes one whose escalation exits the process.
    /// </summary>
    public Health.StageSupervisor? Supervisor { get; init; }

    /// <summary>Test hook: called by the worker on every turn of its loop (a throw there is a fault of the worker); null in
    /// the product.</summary>
    internal Action? WorkerFault { get; init; }

    /// <summary>A copy that takes the samples from <paramref name="notBeforeNs"/> on (<see cref="NotBeforeNs"/>), the rest as here.</summary>
    /// <param name="notBeforeNs">The first instant taken, Unix ns.</param>
    /// <param name="supervisor">The supervisor of the copy; this one's when null.</param>
    /// <returns>The copy.</returns>
    public PipelineOptions From(long notBeforeNs, Health.StageSupervisor? supervisor = null) => new()
    {
        ReplaySpeed = ReplaySpeed,
        LiveLine = LiveLine,
        ScorerTrainingWindows = ScorerTrainingWindows,
        NotBeforeNs = notBeforeNs,
        Supervisor = supervisor ?? Supervisor,
        WorkerFault = WorkerFault,
    };
}
