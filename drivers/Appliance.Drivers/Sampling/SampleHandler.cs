namespace Appliance.Drivers.Sampling;

/// <summary>Receives one sample from a <see cref="SamplingLoop"/> (for example, writes it into the pipeline's sample ring).</summary>
/// <param name="timestampNs">The sample's time, Unix nanoseconds.</param>
/// <param name="values">One value per channel, SI units; valid only during the call.</param>
public delegate void SampleHandler(long timestampNs, ReadOnlySpan<float> values);
