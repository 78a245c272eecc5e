using Appliance.Kernels.Detection;

namespace Appliance.Detection;

/// <summary>
/// EWMA z-score as a tail score: z = (x − μ)/σ against the exponentially weighted mean and variance of the samples
/// before x (Hunter 1986, J. Quality Technology 18(4); NIST/SEMATECH e-Handbook §6.3.2.4; update of Finch 2009, see
/// <see cref="EwmaZScore"/>), scored 1 − Q(|z|) (0.5 at the mean, → 1 in the tails). Memory: three doubles.
/// </summary>
public sealed class EwmaTailDetector : ISampleDetector
{
    private readonly double _alpha;
    private readonly int _warmup;
    private EwmaZScore _ewma;

    /// <summary>Creates the detector.</summary>
    /// <param name="alpha">Weight of the newest sample, in (0, 1]; about 2/(N+1) for an N-sample memory.</param>
    /// <param name="warmup">Samples absorbed before any score other than 0.5 (≥ 2).</param>
    /// <exception cref="ArgumentOutOfRangeException">alpha or warmup out of range.</exception>
    public EwmaTailDetector(double alpha = 0.01, int warmup = 30)
    {
        _alpha = alpha;
        _warmup = warmup;
        _ewma = new EwmaZScore(alpha, warmup);
    }

    /// <inheritdoc/>
    public string Name => "ewma-tail";

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        var z = _ewma.Update(value);
        return double.IsInfinity(z) ? 1.0 : 1.0 - (0.5 * NormalTail.Erfc(Math.Abs(z) * 0.7071067811865476));
    }

    /// <inheritdoc/>
    public void Reset() => _ewma = new EwmaZScore(_alpha, _warmup);
}
