using Appliance.Kernels.Detection;

namespace Appliance.Detection;

/// <summary>
/// Two-sided tabular CUSUM (Page 1954, Biometrika 41; NIST/SEMATECH e-Handbook §6.3.2.3; Montgomery, "Introduction to
/// Statistical Quality Control", §9.1) on values standardised by an EWMA mean and variance (<see cref="EwmaZScore"/>).
/// Score: max(C⁺, C⁻)/h, capped at 1; 1 when the CUSUM signals (C⁺ or C⁻ &gt; h), after which both sums restart.
/// With k = 0.5 and h = 5 the in-control average run length is about 465 samples (Montgomery Table 9.3).
/// A standardised value that is infinite (zero variance) is clamped to ±h so that one step does not poison the sums.
/// </summary>
public sealed class CusumDetector : ISampleDetector
{
    private readonly double _alpha;
    private readonly int _warmup;
    private readonly double _k;
    private readonly double _h;
    private EwmaZScore _ewma;
    private Cusum _cusum;

    /// <summary>Creates the detector.</summary>
    /// <param name="alpha">EWMA weight for the in-control mean and variance, in (0, 1].</param>
    /// <param name="warmup">Samples before the CUSUM starts (≥ 2).</param>
    /// <param name="k">Allowance in σ (half the shift to detect).</param>
    /// <param name="h">Decision interval in σ.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public CusumDetector(double alpha = 0.01, int warmup = 30, double k = 0.5, double h = 5.0)
    {
        _alpha = alpha;
        _warmup = warmup;
        _k = k;
        _h = h;
        _ewma = new EwmaZScore(alpha, warmup);
        _cusum = new Cusum(k, h);
    }

    /// <inheritdoc/>
    public string Name => "cusum";

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        var z = Math.Clamp(_ewma.Update(value), -_h, _h);
        return _cusum.Update(z) ? 1.0 : Math.Min(1.0, Math.Max(_cusum.High, _cusum.Low) / _h);
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _ewma = new EwmaZScore(_alpha, _warmup);
        _cusum = new Cusum(_k, _h);
    }
}
