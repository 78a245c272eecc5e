using System.Numerics;
using System.Runtime.CompilerServices;

namespace Appliance.Kernels.Statistics;

/// <summary>
/// Running state of one window pass: counts, extremes and the power sums of the samples shifted by K,
/// S1 = Σ (x - K), S2 = Σ (x - K)², S3, S4, plus Σ x² and the adjacent-pair zero crossings.
/// </summary>
/// <remarks>
/// Shifting by a sample of the window (K = the first non-NaN sample) keeps |x - K| on the scale of the spread,
/// not of the offset, so converting the power sums to central sums in <see cref="ToFeatures"/> loses only
/// about (mean - K)² / variance ulps instead of mean² / variance ulps: for 1e6 + noise of σ = 1e-2 the naive
/// Σx² - (Σx)²/n loses all 16 digits, the shifted form keeps about 15 (Chan, Golub and LeVeque 1983,
/// "Algorithms for computing the sample variance: analysis and recommendations", The American Statistician 37(3),
/// section 3, "shifted data").
/// </remarks>
internal struct ShiftedSums
{
    public long Count;
    public long NanCount;
    public double Min;
    public double Max;
    public double S1;
    public double S2;
    public double S3;
    public double S4;
    public double SumOfSquares;

    /// <summary>Sign changes between adjacent (index i-1, i) non-NaN samples; pairs split by NaNs are added later.</summary>
    public long AdjacentCrossings;

    /// <summary>Adds the samples [start, end) one by one; pairs (i-1, i) are counted for crossings when i &gt; 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddScalar<T>(ReadOnlySpan<T> samples, int start, double shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = start; i < samples.Length; i++)
        {
            T t = samples[i];
            if (T.IsNaN(t))
            {
                NanCount++;
                continue;
            }

            double x = double.CreateTruncating(t);
            Count++;
            Min = Math.Min(Min, x);
            Max = Math.Max(Max, x);
            double d = x - shift;
            double d2 = d * d;
            S1 += d;
            S2 += d2;
            S3 += d2 * d;
            S4 += d2 * d2;
            SumOfSquares += x * x;
            if (i > 0)
            {
                T p = samples[i - 1];
                if (!T.IsNaN(p) && (t < T.Zero) != (p < T.Zero))
                {
                    AdjacentCrossings++;
                }
            }
        }
    }

    /// <summary>
    /// Converts the shifted power sums to the central sums M2..M4 (binomial expansion of Σ (d - δ)^p with
    /// δ = S1 / n = mean - K; Pébay 2008, SAND2008-6212, eq. 1.1 specialised to one sample set).
    /// </summary>
    public readonly WindowFeatures ToFeatures(double shift, double first, double last, long crossings)
    {
        var f = new WindowFeatures
        {
            Count = Count,
            NanCount = NanCount,
            Min = Min,
            Max = Max,
            SumOfSquares = SumOfSquares,
            First = first,
            Last = last,
            ZeroCrossings = crossings,
        };

        if (double.IsInfinity(Min) || double.IsInfinity(Max))
        {
            // An infinite sample makes every central moment undefined; the mean is that infinity,
            // or NaN when both signs occur (IEEE 754: +inf + -inf is NaN).
            bool neg = double.IsNegativeInfinity(Min);
            bool pos = double.IsPositiveInfinity(Max);
            f.Mean = neg && pos ? double.NaN : neg ? double.NegativeInfinity : double.PositiveInfinity;
            f.M2 = f.M3 = f.M4 = double.NaN;
            return f;
        }

        double n = Count;
        double delta = S1 / n;
        double delta2 = delta * delta;
        f.Mean = shift + delta;
        // M2 = S2 - n δ², M3 = S3 - 3δ S2 + 2n δ³, M4 = S4 - 4δ S3 + 6δ² S2 - 3n δ⁴ (using S1 = n δ).
        // All equal samples give d = 0 exactly, so S1..S4 = 0 and M2 = 0 exactly.
        f.M2 = Math.Max(0.0, S2 - S1 * delta);
        f.M3 = S3 - 3.0 * delta * S2 + 2.0 * n * delta2 * delta;
        f.M4 = Math.Max(0.0, S4 - 4.0 * delta * S3 + 6.0 * delta2 * S2 - 3.0 * n * delta2 * delta2);
        return f;
    }
}
