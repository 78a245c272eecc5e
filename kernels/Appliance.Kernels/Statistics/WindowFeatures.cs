namespace Appliance.Kernels.Statistics;

/// <summary>
/// The features of one window of samples of one channel: a plain struct that the window kernel fills
/// and the wire contract copies. Samples that are NaN are skipped and counted in <see cref="NanCount"/>.
/// </summary>
/// <remarks>
/// The central moments are kept as sums (<c>M2 = Σ (x - mean)²</c>, likewise M3 and M4) so that two windows'
/// features merge exactly with the pairwise update of Chan, Golub and LeVeque (1979) and Pébay (2008),
/// "Formulas for robust, one-pass parallel computation of covariances and arbitrary-order statistical moments",
/// Sandia report SAND2008-6212.
/// </remarks>
public struct WindowFeatures
{
    /// <summary>Number of finite or infinite (non-NaN) samples.</summary>
    public long Count;

    /// <summary>Number of NaN samples, skipped.</summary>
    public long NanCount;

    /// <summary>Smallest sample; <see cref="double.NaN"/> when <see cref="Count"/> is 0.</summary>
    public double Min;

    /// <summary>Largest sample; <see cref="double.NaN"/> when <see cref="Count"/> is 0.</summary>
    public double Max;

    /// <summary>Arithmetic mean; <see cref="double.NaN"/> when <see cref="Count"/> is 0.</summary>
    public double Mean;

    /// <summary>Second central moment sum, Σ (x - mean)².</summary>
    public double M2;

    /// <summary>Third central moment sum, Σ (x - mean)³.</summary>
    public double M3;

    /// <summary>Fourth central moment sum, Σ (x - mean)⁴.</summary>
    public double M4;

    /// <summary>Sum of squares, Σ x² (for RMS).</summary>
    public double SumOfSquares;

    /// <summary>First non-NaN sample of the window; NaN when none.</summary>
    public double First;

    /// <summary>Last non-NaN sample of the window; NaN when none.</summary>
    public double Last;

    /// <summary>Number of sign changes between consecutive non-NaN samples (zero counts as non-negative).</summary>
    public long ZeroCrossings;

    /// <summary>
    /// The features of a window with no samples: counts 0, moment sums 0, and Min, Max, Mean, First, Last NaN.
    /// It is the identity of <see cref="WindowStatistics.Merge(in WindowFeatures, in WindowFeatures)"/>.
    /// </summary>
    public static WindowFeatures Empty => new()
    {
        Min = double.NaN,
        Max = double.NaN,
        Mean = double.NaN,
        First = double.NaN,
        Last = double.NaN,
    };

    /// <summary>Sum of the non-NaN samples, Σ x, computed as <c>Mean · Count</c> (0 when Count is 0).</summary>
    public readonly double Sum => Count == 0 ? 0.0 : Mean * Count;

    /// <summary>
    /// Sample variance with Bessel's correction, <c>M2 / (Count - 1)</c>, the square of pandas <c>Series.std()</c>
    /// (ddof = 1); NaN when <see cref="Count"/> &lt; 2.
    /// </summary>
    public readonly double Variance => Count < 2 ? double.NaN : M2 / (Count - 1);

    /// <summary>Sample standard deviation, √<see cref="Variance"/> (pandas <c>Series.std()</c>); NaN when Count &lt; 2.</summary>
    public readonly double StdDev => Math.Sqrt(Variance);

    /// <summary>Population variance, <c>M2 / Count</c> (numpy <c>var()</c>, ddof = 0); NaN when Count is 0.</summary>
    public readonly double PopulationVariance => Count < 1 ? double.NaN : M2 / Count;

    /// <summary>
    /// Adjusted Fisher-Pearson sample skewness G1 = n·√(n-1)/(n-2) · M3 / M2^(3/2), as pandas <c>Series.skew()</c>
    /// (pandas/core/nanops.py <c>nanskew</c>; Joanes and Gill 1998, "Comparing measures of sample skewness and
    /// kurtosis", The Statistician 47(1), G1). NaN when Count &lt; 3; 0 when M2 is 0 (all samples equal), as pandas.
    /// </summary>
    /// <remarks>pandas also zeroes M2 and M3 below an absolute 1e-14; that threshold depends on the units of the
    /// signal, so it is not copied: only an exact 0 gives skewness 0 here.</remarks>
    public readonly double Skewness
    {
        get
        {
            if (Count < 3)
            {
                return double.NaN;
            }

            if (M2 == 0.0)
            {
                return 0.0;
            }

            double n = Count;
            return n * Math.Sqrt(n - 1.0) / (n - 2.0) * (M3 / Math.Pow(M2, 1.5));
        }
    }

    /// <summary>
    /// Bias-corrected sample excess kurtosis G2 = n(n+1)(n-1)·M4 / ((n-2)(n-3)·M2²) - 3(n-1)²/((n-2)(n-3)),
    /// as pandas <c>Series.kurt()</c> (pandas/core/nanops.py <c>nankurt</c>; Joanes and Gill 1998, G2).
    /// NaN when Count &lt; 4; 0 when M2 is 0 (all samples equal), as pandas.
    /// </summary>
    public readonly double Kurtosis
    {
        get
        {
            if (Count < 4)
            {
                return double.NaN;
            }

            if (M2 == 0.0)
            {
                return 0.0;
            }

            double n = Count;
            double d = (n - 2.0) * (n - 3.0);
            return n * (n + 1.0) * (n - 1.0) * M4 / (d * M2 * M2) - 3.0 * (n - 1.0) * (n - 1.0) / d;
        }
    }

    /// <summary>Root mean square, √(SumOfSquares / Count), in the units of the samples; NaN when Count is 0.</summary>
    public readonly double Rms => Count == 0 ? double.NaN : Math.Sqrt(SumOfSquares / Count);

    /// <summary>Peak-to-peak amplitude, Max - Min; NaN when Count is 0.</summary>
    public readonly double PeakToPeak => Max - Min;

    /// <summary>Crest factor, max(|Min|, |Max|) / <see cref="Rms"/> (the ratio of peak value to r.m.s. value);
    /// NaN when Count is 0 or when every sample is 0.</summary>
    public readonly double CrestFactor
    {
        get
        {
            double rms = Rms;
            return Count == 0 || rms == 0.0 ? double.NaN : Math.Max(Math.Abs(Min), Math.Abs(Max)) / rms;
        }
    }

    /// <summary>Zero-crossing rate per sample interval, ZeroCrossings / (Count - 1); NaN when Count &lt; 2.</summary>
    public readonly double ZeroCrossingRate => Count < 2 ? double.NaN : (double)ZeroCrossings / (Count - 1);
}
