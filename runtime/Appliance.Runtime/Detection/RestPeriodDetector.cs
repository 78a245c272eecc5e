namespace Appliance.Runtime.Detection;

/// <summary>
/// Rest period as in the Contextual Anomaly Detector (Smirnov 2016, CAD OSE; numenta/NAB
/// <c>nab/detectors/context_ose/cad_ose.py</c>, <c>getAnomalyScore</c>): the inner score is reported only when none of
/// the inner detector's own scores in the previous <c>samples</c> samples reached <c>level</c>; otherwise 0. Unlike a
/// hold-off (<see cref="HoldOffDetector"/>), which is timed from the last reported alarm, every inner alarm, reported or
/// not, extends the rest, so a disturbance that keeps the detector firing raises one alarm at its start and another
/// only after it has been quiet for <c>samples</c> samples. Memory: one counter.
/// </summary>
public sealed class RestPeriodDetector : ISampleDetector
{
    private readonly ISampleDetector _inner;
    private readonly double _level;
    private readonly int _samples;
    private long _sinceAlarm = long.MaxValue;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The detector.</param>
    /// <param name="level">Inner score at or above which the rest (re)starts.</param>
    /// <param name="samples">Rest length in samples (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1.</exception>
    public RestPeriodDetector(ISampleDetector inner, double level, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        _inner = inner;
        _level = level;
        _samples = samples;
    }

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public double Update(double value)
    {
        var score = _inner.Update(value);
        var resting = _sinceAlarm < _samples;
        _sinceAlarm = score >= _level ? 0 : _sinceAlarm == long.MaxValue ? long.MaxValue : _sinceAlarm + 1;
        return resting ? 0.0 : score;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _inner.Reset();
        _sinceAlarm = long.MaxValue;
    }
}
