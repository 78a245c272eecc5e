namespace Appliance.Detection;

/// <summary>
/// Windowed Gaussian tail detector, as in the Numenta Anomaly Benchmark's <c>windowedGaussian</c> (numenta/NAB
/// <c>nab/detectors/gaussian/windowedGaussian_detector.py</c>, the version that produced the published results: window
/// 6400, step 100): the score of x is 1 − Q(|x − μ|/σ) under the mean μ and population standard deviation σ of a
/// sliding window of past samples (σ = 1e-6 when the window is constant). The window fills sample by sample (μ, σ by
/// Welford's update); once full it slides by <c>step</c> samples at a time, and μ, σ are recomputed then (two-pass).
/// Memory: one ring of <c>window + step</c> doubles. Cost: O(1) per sample plus O(window) every <c>step</c> samples.
/// </summary>
public sealed class WindowedGaussianDetector : ISampleDetector
{
    private readonly double[] _window;
    private readonly double[] _step;
    private int _count;
    private int _head;
    private int _stepCount;
    private double _mean;
    private double _sigma = 1.0;
    private double _m2;

    /// <summary>Creates the detector.</summary>
    /// <param name="window">Samples in the window (≥ 2); NAB: 6400.</param>
    /// <param name="step">Samples the window slides by once full (1 ≤ step ≤ window); NAB: 100.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public WindowedGaussianDetector(int window = 6400, int step = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, window);
        _window = new double[window];
        _step = new double[step];
    }

    /// <inheritdoc/>
    public string Name => "windowed-gaussian";

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        var score = _count > 0 ? NormalTail.TailScore(value, _mean, _sigma) : 0.0;
        if (_count < _window.Length)
        {
            // Filling: Welford's running mean and M2 (Welford 1962), O(1) per sample.
            _window[_count++] = value;
            var delta = value - _mean;
            _mean += delta / _count;
            _m2 += delta * (value - _mean);
            _sigma = Math.Sqrt(_m2 / _count);
            if (_sigma == 0.0)
            {
                _sigma = 1e-6;
            }
        }
        else
        {
            _step[_stepCount++] = value;
            if (_stepCount == _step.Length)
            {
                // Drop the oldest `step` samples, append the buffered ones.
                for (var i = 0; i < _stepCount; i++)
                {
                    _window[_head] = _step[i];
                    _head = (_head + 1) % _window.Length;
                }

                _stepCount = 0;
                Recompute();
            }
        }

        return score;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _count = 0;
        _head = 0;
        _stepCount = 0;
        _mean = 0;
        _m2 = 0;
        _sigma = 1.0;
    }

    private void Recompute()
    {
        var n = _count;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += _window[i];
        }

        var mean = sum / n;
        var ss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var d = _window[i] - mean;
            ss += d * d;
        }

        _mean = mean;
        _sigma = Math.Sqrt(ss / n);
        if (_sigma == 0.0)
        {
            _sigma = 1e-6;
        }
    }
}
