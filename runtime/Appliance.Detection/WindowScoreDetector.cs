using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>
/// A window detector built from a sample detector: each closed window's mean is scored by an
/// <see cref="ISampleDetector"/>, and <see cref="AlertHysteresis"/> turns the scores into incidents (one alert each).
/// Severity: critical when the score is within a tenth of the way from the threshold to 1 (for example ≥ 0.9999 at
/// threshold 0.999).
/// </summary>
public sealed class WindowScoreDetector : IDetector
{
    private readonly ISampleDetector _detector;
    private readonly double _critical;
    private AlertHysteresis _hysteresis;

    /// <summary>Creates the detector.</summary>
    /// <param name="detector">The sample detector that scores window means.</param>
    /// <param name="threshold">Score in (0, 1] that opens an incident.</param>
    /// <param name="cooldown">Windows below the threshold that close it (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">threshold not in (0, 1] or cooldown &lt; 1.</exception>
    public WindowScoreDetector(ISampleDetector detector, double threshold, int cooldown)
    {
        if (!(threshold > 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a score threshold must be in (0, 1]");
        }

        _detector = detector;
        _hysteresis = new AlertHysteresis(threshold, threshold, cooldown);
        _critical = 1.0 - ((1.0 - threshold) / 10.0);
    }

    /// <inheritdoc/>
    public string Name => _detector.Name;

    /// <inheritdoc/>
    public WindowVerdict Observe(in WindowFeatures window)
    {
        if (window.Count == 0)
        {
            return new WindowVerdict(0, _hysteresis.Threshold, false, false);
        }

        var score = _detector.Update(window.Mean);
        var fired = _hysteresis.Update(score);
        return new WindowVerdict(score, _hysteresis.Threshold, fired, score >= _critical);
    }
}
