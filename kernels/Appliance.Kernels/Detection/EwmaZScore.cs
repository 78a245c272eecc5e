namespace Appliance.Kernels.Detection;

/// <summary>
/// Streaming z-score against an exponentially weighted moving mean and variance.
/// </summary>
/// <remarks>
/// Update rule of Finch (2009), "Incremental calculation of weighted mean and variance", University of Cambridge
/// Computing Service, section "Exponentially-weighted incremental variance and standard deviation": with diff = x - mean and incr = α·diff,
/// mean ← mean + incr and variance ← (1 - α)·(variance + diff·incr).
/// The state equals the exponentially weighted mean Σ wᵢxᵢ and variance Σ wᵢ(xᵢ - mean)² with weights
/// wᵢ = α(1-α)^(n-i) for i &gt; 1 and (1-α)^(n-1) for the first sample (which seeds the mean, variance 0).
/// A value type with no allocation; one instance per channel, not thread-safe.
/// </remarks>
public struct EwmaZScore
{
    private readonly double _alpha;
    private readonly int _warmup;
    private double _mean;
    private double _variance;
    private long _count;

    /// <summary>Creates a detector state.</summary>
    /// <param name="alpha">Smoothing factor α in (0, 1]: the weight of the newest sample (NIST/SEMATECH
    /// e-Handbook §6.3.2.4 λ); about 2/(N+1) for an N-sample memory.</param>
    /// <param name="warmup">Samples absorbed before <see cref="Update"/> returns a z-score other than 0; ≥ 2 so that
    /// the variance has seen a spread.</param>
    /// <exception cref="ArgumentOutOfRangeException">alpha is not in (0, 1], or warmup &lt; 2.</exception>
    public EwmaZScore(double alpha, int warmup)
    {
        if (!(alpha > 0.0 && alpha <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "EWMA alpha must be in (0, 1]");
        }

        if (warmup < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "EWMA warmup must be at least 2 samples");
        }

        _alpha = alpha;
        _warmup = warmup;
    }

    /// <summary>EWMA mean of the samples absorbed so far; 0 before the first.</summary>
    public readonly double Mean => _mean;

    /// <summary>EWMA variance of the samples absorbed so far (units²); 0 before the second.</summary>
    public readonly double Variance => _variance;

    /// <summary>Number of (non-NaN) samples absorbed.</summary>
    public readonly long Count => _count;

    /// <summary>
    /// Scores <paramref name="x"/> against the state before it, z = (x - Mean) / √Variance, then absorbs it.
    /// </summary>
    /// <param name="x">The next sample; NaN is neither scored nor absorbed.</param>
    /// <returns>The z-score; NaN when x is NaN; 0 while fewer than <c>warmup</c> samples have been absorbed, and when
    /// the variance is 0 and x equals the mean; ±Infinity when the variance is 0 and x differs from the mean.</returns>
    public double Update(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (_count == 0)
        {
            _mean = x;
            _variance = 0.0;
            _count = 1;
            return 0.0;
        }

        double diff = x - _mean;
        double z = 0.0;
        if (_count >= _warmup && diff != 0.0)
        {
            z = diff / Math.Sqrt(_variance);
        }

        double incr = _alpha * diff;
        _mean += incr;
        _variance = (1.0 - _alpha) * (_variance + diff * incr);
        _count++;
        return z;
    }
}
