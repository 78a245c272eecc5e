namespace Appliance.Device.Pipeline;

/// <summary>A snapshot of the device pipeline's counters.</summary>
/// <param name="SamplesRead">Samples read from all sources.</param>
/// <param name="SampleFaults">Reads that failed (bus or chip faults), counted per read.</param>
/// <param name="Overruns">Samples dropped because a ring was full.</param>
/// <param name="WindowsSummarised">Channel windows closed and handed to the outbox as summaries.</param>
/// <param name="Alerts">Alerts raised.</param>
/// <param name="InferenceRuns">ONNX batches scored.</param>
/// <param name="LateSamples">Out-of-order samples dropped by the windows, and samples stamped before the pipeline's start (<see cref="PipelineOptions.NotBeforeNs"/>).</param>
public readonly record struct PipelineCounters(long SamplesRead, long SampleFaults, long Overruns, long WindowsSummarised, long Alerts, long InferenceRuns, long LateSamples)
{
    /// <summary>The counts of two pipelines together (for a device's lifetime across the pipelines its revisions ran).</summary>
    /// <param name="a">One pipeline's counts.</param>
    /// <param name="b">The other's.</param>
    /// <returns>Each count summed.</returns>
    public static PipelineCounters operator +(PipelineCounters a, PipelineCounters b) => new(
        a.SamplesRead + b.SamplesRead,
        a.SampleFaults + b.SampleFaults,
        a.Overruns + b.Overruns,
        a.WindowsSummarised + b.WindowsSummarised,
        a.Alerts + b.Alerts,
        a.InferenceRuns + b.InferenceRuns,
        a.LateSamples + b.LateSamples);
}
