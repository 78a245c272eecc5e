namespace Appliance.Drivers.Sources;

/// <summary>
/// A source of samples for one sensor: a chip read through its driver, or a replayed recording.
/// One sample is one value per channel, taken at one instant.
/// </summary>
public interface ISampleSource : IDisposable
{
    /// <summary>The sensor's name, as in configuration (for example <c>"env"</c>).</summary>
    string Name { get; }

    /// <summary>Channel names with their SI unit as a suffix (for example <c>temperature_c</c>, <c>pressure_pa</c>).</summary>
    IReadOnlyList<string> Channels { get; }

    /// <summary>
    /// Reads one sample into <paramref name="values"/> (length at least <see cref="Channels"/>.Count).
    /// A channel that could not be read is NaN.
    /// </summary>
    /// <param name="values">Receives one value per channel, in SI units.</param>
    /// <param name="timestampNs">Receives the sample's time as Unix nanoseconds (UTC).</param>
    /// <returns><see cref="SampleStatus.Ok"/>, <see cref="SampleStatus.EndOfStream"/> for a finished replay,
    /// or <see cref="SampleStatus.Fault"/> when the bus or chip failed (counted by the caller).</returns>
    SampleStatus Read(Span<float> values, out long timestampNs);
}

/// <summary>The outcome of one <see cref="ISampleSource.Read"/>.</summary>
public enum SampleStatus
{
    /// <summary>A sample was read.</summary>
    Ok,

    /// <summary>A replay reached the end of its recording; no sample was read.</summary>
    EndOfStream,

    /// <summary>The bus or chip failed; no sample was read.</summary>
    Fault,
}
