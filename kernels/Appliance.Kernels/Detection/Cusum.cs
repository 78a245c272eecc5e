namespace Appliance.Kernels.Detection;

/// <summary>
/// Two-sided tabular CUSUM on standardised values (Page 1954, "Continuous inspection schemes", Biometrika 41;
/// tabular form as in NIST/SEMATECH e-Handbook §6.3.2.3 and Montgomery, "Introduction to Statistical Quality
/// Control", §9.1.2): High ← max(0, High + z - k), Low ← max(0, Low - z - k); an alarm when either exceeds h,
/// after which both restart from 0.
/// </summary>
/// <remarks>With k = 0.5 and h = 5 (σ units) the in-control average run length is about 465 samples and a 1σ shift
/// is found after about 10.4 (Montgomery, Table 9.3). A value type with no allocation; not thread-safe.</remarks>
public struct Cusum
{
    private readonly double _k;
    private readonly double _h;
    private double _high;
    private double _low;

    /// <summary>Creates a CUSUM state with both sums at 0.</summary>
    /// <param name="k">Reference value (allowance) k ≥ 0 in σ units, usually half the shift to detect.</param>
    /// <param name="h">Decision interval h &gt; 0 in σ units.</param>
    /// <exception cref="ArgumentOutOfRangeException">k is negative or not finite, or h is not positive and finite.</exception>
    public Cusum(double k, double h)
    {
        if (!(k >= 0.0 && double.IsFinite(k)))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "CUSUM reference k must be finite and ≥ 0");
        }

        if (!(h > 0.0 && double.IsFinite(h)))
        {
            throw new ArgumentOutOfRangeException(nameof(h), h, "CUSUM decision interval h must be finite and > 0");
        }

        _k = k;
        _h = h;
    }

    /// <summary>Upper cumulative sum C⁺ (evidence of an upward shift), ≥ 0.</summary>
    public readonly double High => _high;

    /// <summary>Lower cumulative sum C⁻ as a magnitude (evidence of a downward shift), ≥ 0.</summary>
    public readonly double Low => _low;

    /// <summary>Adds one standardised value and reports an alarm.</summary>
    /// <param name="z">The value in σ units (e.g. from <see cref="EwmaZScore.Update"/>); NaN is ignored.</param>
    /// <returns>True when High or Low exceeded h; both are then reset to 0.</returns>
    public bool Update(double z)
    {
        if (double.IsNaN(z))
        {
            return false;
        }

        _high = Math.Max(0.0, _high + z - _k);
        _low = Math.Max(0.0, _low - z - _k);
        if (_high > _h || _low > _h)
        {
            _high = 0.0;
            _low = 0.0;
            return true;
        }

        return false;
    }
}
