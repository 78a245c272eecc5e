namespace Appliance.Detection;

/// <summary>
/// An ensemble that reports the largest of its detectors' scores (an OR of their alarms at any one threshold; the
/// "max" combination rule of Kittler et al. 1998, "On combining classifiers", IEEE TPAMI 20(3)). Every detector sees
/// every sample.
/// </summary>
public sealed class MaxDetector : ISampleDetector
{
    private readonly ISampleDetector[] _detectors;

    /// <summary>Combines <paramref name="detectors"/> (at least one).</summary>
    /// <exception cref="ArgumentException">No detectors.</exception>
    public MaxDetector(params ISampleDetector[] detectors)
    {
        if (detectors.Length == 0)
        {
            throw new ArgumentException("an ensemble needs at least one detector", nameof(detectors));
        }

        _detectors = detectors;
        Name = string.Join("+", detectors.Select(d => d.Name));
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public double Update(double value)
    {
        var best = 0.0;
        foreach (var d in _detectors)
        {
            best = Math.Max(best, d.Update(value));
        }

        return best;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        foreach (var d in _detectors)
        {
            d.Reset();
        }
    }
}
