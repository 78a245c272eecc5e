namespace Appliance.Detection;

/// <summary>
/// Hold-off after a detection: once the inner detector's score reaches <c>level</c>, the scores of the next
/// <c>samples</c> samples are reported as 0 (the inner detector still learns them). This is the refractory period of
/// alarm management (ANSI/ISA-18.2-2016 §11.5 "re-alarming" and shelving; EEMUA 191): one incident raises one alarm,
/// not a burst. It matters for NAB, whose scoring counts only the first detection in a window and charges every
/// detection outside one (Lavin &amp; Ahmad 2015, §III).
/// With <c>restartOnAlarm</c> it is the rest period of the Contextual Anomaly Detector instead (Smirnov 2016, CAD OSE;
/// numenta/NAB <c>nab/detectors/context_ose/cad_ose.py</c>, <c>getAnomalyScore</c>: a score is reported only when none of
/// the last <c>restPeriod</c> raw scores reached the threshold): every inner score ≥ level, reported or not, restarts
/// the quiet period, so a disturbance that keeps firing raises one alarm until it has been quiet for <c>samples</c>.
/// </summary>
public sealed class HoldOffDetector : ISampleDetector
{
    private readonly ISampleDetector _inner;
    private readonly double _level;
    private readonly int _samples;
    private readonly bool _restartOnAlarm;
    private readonly int _initial;
    private int _left;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The detector.</param>
    /// <param name="level">Score at or above which the hold-off starts.</param>
    /// <param name="samples">Samples held off after it (≥ 1).</param>
    /// <param name="restartOnAlarm">Inner scores ≥ level during the hold-off restart it (CAD OSE's rest period).</param>
    /// <param name="initial">Samples held off from the start (the detector learns them but reports 0): a quiet learning
    /// period; 0: none.</param>
    /// <exception cref="ArgumentOutOfRangeException">samples &lt; 1 or initial &lt; 0.</exception>
    public HoldOffDetector(ISampleDetector inner, double level, int samples, bool restartOnAlarm = false, int initial = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        _initial = initial;
        _left = initial;
        _restartOnAlarm = restartOnAlarm;
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
        if (_left > 0)
        {
            _left = _restartOnAlarm && score >= _level ? _samples : _left - 1;
            return 0.0;
        }

        if (score >= _level)
        {
            _left = _samples;
        }

        return score;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _inner.Reset();
        _left = _initial;
    }
}
