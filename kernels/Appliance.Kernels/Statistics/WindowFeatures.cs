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
}
