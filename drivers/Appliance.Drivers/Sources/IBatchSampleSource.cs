namespace Appliance.Drivers.Sources;

/// <summary>
/// A source that can hand over several samples per bus access, because the chip buffers them (the ADXL345's 32-entry FIFO).
/// The sampling scheduler then wakes once per batch instead of once per sample.
/// </summary>
public interface IBatchSampleSource : ISampleSource
{
    /// <summary>The most samples one <see cref="ReadBatch"/> returns.</summary>
    int MaxBatch { get; }

    /// <summary>The chip's own output data rate, samples per second; the batch's timestamps are spaced by its inverse.</summary>
    double OutputDataRateHz { get; }

    /// <summary>Reads after which the chip reported that its FIFO had overflowed and dropped its oldest samples (the ADXL345's
    /// INT_SOURCE Overrun bit); each leaves a gap in the timestamps. 0 for a source that cannot tell.</summary>
    long FifoOverruns => 0;

    /// <summary>
    /// Reads every sample the chip holds, oldest first, up to <see cref="MaxBatch"/>.
    /// </summary>
    /// <param name="values">Receives <paramref name="count"/> × Channels.Count values, sample-major (sample i's channel c at
    /// i · Channels.Count + c), in SI units; length at least <see cref="MaxBatch"/> × Channels.Count.</param>
    /// <param name="timestampsNs">Receives one Unix-nanosecond timestamp per sample, increasing; length at least <see cref="MaxBatch"/>.</param>
    /// <param name="count">The number of samples read (0 when none was ready).</param>
    /// <returns><see cref="SampleStatus.Ok"/> (possibly with <paramref name="count"/> = 0) or <see cref="SampleStatus.Fault"/>.</returns>
    SampleStatus ReadBatch(Span<float> values, Span<long> timestampsNs, out int count);
}
