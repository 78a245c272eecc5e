namespace Appliance.Detection;

/// <summary>
/// Confirmation (on-delay) of an alarm: an inner score ≥ <c>level</c> is reported only when another score ≥ level came
/// within the previous <c>window</c> samples; a lone exceedance reads 0, scores below level pass unchanged. This is the
/// alarm on-delay of alarm management (ANSI/ISA-18.2-2016 §11.4 "alarm delay"; EEMUA 191 §A8: an alarm must persist
/// before it is annunciated), counted in exceedances rather than time so it also confirms a burst of spikes.
/// Memory: two integers; no allocation per sample.
/// </summary>
public sealed class OnDelayDetector : ISampleDetector
{
    private const long Never = -(1L << 40);
    private readonly ISampleDetector _inner;
    private readonly double _level;
    private readonly int _window;
    private long _n;
    private long _lastExceedance = Never;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The detector.</param>
    /// <param name="level">Score at or above which a sample is an exceedance.</param>
    /// <param name="window">Samples back in which an earlier exceedance confirms this one (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">window &lt; 1.</exception>
    public OnDelayDetector(ISampleDetector inner, double level, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _inner = inner;
        _level = level;
        _window = window;
    }

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public double Update(double value)
    {
        var score = _inner.Update(value);
        _n++;
        if (score < _level)
        {
            return score;
        }

        var confirmed = _n - _lastExceedance <= _window;
        _lastExceedance = _n;
        return confirmed ? score : 0.0;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _inner.Reset();
        _n = 0;
        _lastExceedance = Never;
    }
}
