namespace Appliance.Detection;

/// <summary>
/// A streaming anomaly detector over one channel's samples: one value at a time, in time order, bounded memory, no
/// allocation per sample. <see cref="Update"/> scores the value against what came before it and then learns it.
/// A window detector (<see cref="IDetector"/>) runs one of these over window features through
/// <see cref="WindowScoreDetector"/>, which adds the alert threshold and hysteresis.
/// </summary>
public interface ISampleDetector
{
    /// <summary>The detector's kind as named in configuration and on the wire (for example <c>windowed-gaussian</c>).</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="value"/>, then absorbs it.</summary>
    /// <param name="value">The next sample (SI units); NaN is neither scored nor absorbed (score 0).</param>
    /// <returns>The anomaly score in [0, 1]: 0 ordinary, 1 as anomalous as this detector can say.</returns>
    double Update(double value);

    /// <summary>Forgets everything learned, as if newly created.</summary>
    void Reset();
}
