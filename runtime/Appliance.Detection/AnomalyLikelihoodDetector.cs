namespace Appliance.Detection;

/// <summary>
/// Anomaly likelihood over another detector's raw scores (Ahmad, Lavin, Purdy &amp; Agha 2017, "Unsupervised real-time
/// anomaly detection for streaming data", Neurocomputing 262, §4.2, eqs. 5–7; nupic <c>anomaly_likelihood.py</c>): the
/// raw scores' short-term mean μ̃ (last W′ samples) is compared with the mean μ and standard deviation σ of those short-term
/// means over a long window of W samples, L = 1 − Q((μ̃ − μ)/σ) (eq. 6 of the paper: one-sided, so raw scores below
/// their usual level give L &lt; ½; nupic's <c>tailProbability</c> reflects them instead). As in nupic (<c>estimateNormal</c> with the lower-bound check) μ is at least 0.03
/// and σ² at least 0.0003, so a detector that has been silent does not turn every small score into an alarm. Until
/// <c>warmup</c> samples have been seen L is 0.5. This turns a raw score whose usual level differs from series to
/// series (a novelty share, a prediction error) into a probability-like score that one threshold fits everywhere.
/// Memory: two rings (W′ raw scores, W short-term means) and running sums; O(1) per sample, no allocation.
/// </summary>
public sealed class AnomalyLikelihoodDetector : ISampleDetector
{
    private const double MinMean = 0.03;
    private const double MinVariance = 0.0003;

    private readonly ISampleDetector _inner;
    private readonly double[] _short;
    private readonly double[] _long;
    private readonly int _warmup;
    private double _shortSum;
    private double _longSum;
    private double _longSquares;
    private long _n;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The raw-score detector.</param>
    /// <param name="longWindow">W: short-term means the distribution is estimated over (nupic: 8640 = 30 days of 5-min rows).</param>
    /// <param name="shortWindow">W′: raw scores averaged (nupic <c>averagingWindow</c>: 10).</param>
    /// <param name="warmup">Samples before the first likelihood (nupic: learningPeriod 288 + estimationSamples 100).</param>
    /// <exception cref="ArgumentOutOfRangeException">A window is &lt; 1, or warmup &lt; 0.</exception>
    public AnomalyLikelihoodDetector(ISampleDetector inner, int longWindow = 8640, int shortWindow = 10, int warmup = 388)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(longWindow, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(shortWindow, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        _inner = inner;
        _short = new double[shortWindow];
        _long = new double[longWindow];
        _warmup = Math.Max(warmup, shortWindow);
    }

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        var raw = _inner.Update(value);
        var s = (int)(_n % _short.Length);
        _shortSum += raw - _short[s];
        _short[s] = raw;
        var count = Math.Min(_n + 1, _short.Length);
        var mean = _shortSum / count;

        // Score against the distribution of past short-term means, then add this one to it.
        var filled = Math.Min(_n, _long.Length);
        var likelihood = 0.5;
        if (_n >= _warmup && filled > 1)
        {
            var mu = _longSum / filled;
            var variance = Math.Max((_longSquares / filled) - (mu * mu), 0.0);
            mu = Math.Max(mu, MinMean);
            variance = Math.Max(variance, MinVariance);
            // 1 − Q(z) = 1 − ½·erfc(z/√2) (A&S 26.2.29).
            likelihood = 1.0 - (0.5 * NormalTail.Erfc((mean - mu) / Math.Sqrt(variance) * 0.7071067811865476));
        }

        var l = (int)(_n % _long.Length);
        if (_n >= _long.Length)
        {
            _longSum -= _long[l];
            _longSquares -= _long[l] * _long[l];
        }

        _long[l] = mean;
        _longSum += mean;
        _longSquares += mean * mean;
        _n++;
        if (l == _long.Length - 1)
        {
            // Re-sum once per lap so that rounding in the running sums cannot drift.
            _longSum = 0.0;
            _longSquares = 0.0;
            foreach (var m in _long)
            {
                _longSum += m;
                _longSquares += m * m;
            }
        }

        return likelihood;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _inner.Reset();
        Array.Clear(_short);
        Array.Clear(_long);
        _shortSum = 0.0;
        _longSum = 0.0;
        _longSquares = 0.0;
        _n = 0;
    }
}
