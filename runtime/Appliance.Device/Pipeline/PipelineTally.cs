namespace Appliance.Device.Pipeline;

/// <summary>The pipeline's running counts, shared by its stages and updated with <see cref="Interlocked"/> (read by any thread).</summary>
internal sealed class PipelineTally
{
    /// <summary>Samples read from all sources (written into a ring).</summary>
    public long SamplesRead;

    /// <summary>Failed samples (bus or chip faults after the supervisor's retries) and sources that stopped on an error.</summary>
    public long SampleFaults;

    /// <summary>Channel windows handed to the uplink as summaries.</summary>
    public long Windows;

    /// <summary>Alerts raised.</summary>
    public long Alerts;

    /// <summary>ONNX batches scored.</summary>
    public long InferenceRuns;

    /// <summary>Channel windows that received a model score.</summary>
    public long ScoredWindows;

    /// <summary>Batches whose run failed.</summary>
    public long InferenceFaults;

    /// <summary>The duration of each successful ONNX run (the device's, shared by its pipelines); null to time none.</summary>
    public Metrics.LatencyHistogram? InferenceLatency;
}
