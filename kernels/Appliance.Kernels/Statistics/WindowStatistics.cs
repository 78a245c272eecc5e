using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>
/// Fused window statistics: one pass over a window's samples fills every field of <see cref="WindowFeatures"/>
/// (count, NaN count, min, max, mean, central moment sums M2..M4, Σx², first, last, zero crossings), and
/// <see cref="Merge(in WindowFeatures, in WindowFeatures)"/> combines two adjacent windows exactly.
/// </summary>
/// <remarks>
/// <para>Effectively computed, over the non-NaN samples x of the window (NaN samples are skipped and counted):
/// Count = n, Min, Max, Mean = Σx / n, M_p = Σ (x - Mean)^p for p = 2, 3, 4, SumOfSquares = Σ x².</para>
/// <para>The pass accumulates power sums of x - K with K the first non-NaN sample, then converts them to central
/// sums (see <c>ShiftedSums</c>). Shifting keeps |x - K| on the scale of the spread, so a large offset (1e6 + small
/// noise) does not cancel catastrophically (Chan, Golub and LeVeque 1983, §3).</para>
/// <para>Double input: d = x - K and the sums are in double; the rounding is at most about (n + 8)·2⁻⁵³ relative to
/// Σ|x - K|^p (Higham 2002, "Accuracy and Stability of Numerical Algorithms", §4.2).</para>
/// <para>Float input: d, d², d³, d⁴ and x² are formed in float lanes and summed there for
/// <see cref="FloatTermsPerLane"/> (64) terms per lane, then the block sums are added in double. d = x - K is exact
/// when x and K are within a factor 2 of each other (Sterbenz lemma), as for any slowly varying sensor channel; each
/// term then carries at most 3 float roundings and each block sum 63 more, so M_p is within about
/// (64 + 8)·2⁻²⁴ ≈ 4.3e-6 of Σ|x - K|^p + Σ|x - mean|^p (stated and tested as 2·(64 + 8)·2⁻²⁴), which is the float
/// input's own precision scale; quantised sensor data (multiples of one ADC step) are typically summed exactly.
/// A window whose spread max|x - K| is outside [2⁻²⁰, 2³⁰] (where d⁴ in float would underflow or overflow), or whose
/// samples exceed 2⁶⁰ in magnitude, is redone with every sample widened to double (the double bound then holds).
/// Callers that need double accuracy on float data widen it first and call the double overload.</para>
/// <para>±Infinity samples take part in Min, Max, SumOfSquares and Mean (which becomes that infinity, or NaN when
/// both signs occur); M2, M3 and M4 are then NaN. Double samples further than about 1e77 from K overflow M4 to
/// infinity.</para>
/// <para>The vector path is the widest of Vector512, Vector256, Vector128 that the machine accelerates
/// (<see cref="VectorWidthBits"/>); the sums are reduced in a different order from the scalar path, so the
/// results agree to rounding, not bit for bit. The result is deterministic for a given width and input. The pass
/// allocates nothing.</para>
/// </remarks>
public static partial class WindowStatistics
{
    /// <summary>
    /// Width in bits of the vector path <see cref="Compute(ReadOnlySpan{float})"/> takes on this machine:
    /// 512, 256 or 128, or 0 when only the scalar path runs.
    /// </summary>
    public static int VectorWidthBits =>
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>Computes the features of one window of float samples in one pass (see the class remarks).</summary>
    /// <param name="samples">The window, oldest first; any length, NaN samples allowed (skipped and counted).</param>
    /// <returns>The features; <see cref="WindowFeatures.Empty"/> with <c>NanCount</c> set when no sample is a number.</returns>
    public static WindowFeatures Compute(ReadOnlySpan<float> samples) => Compute(samples, VectorWidthBits);

    /// <summary>Computes the features of one window of double samples in one pass (see the class remarks).</summary>
    /// <param name="samples">The window, oldest first; any length, NaN samples allowed (skipped and counted).</param>
    /// <returns>The features; <see cref="WindowFeatures.Empty"/> with <c>NanCount</c> set when no sample is a number.</returns>
    public static WindowFeatures Compute(ReadOnlySpan<double> samples) => Compute(samples, VectorWidthBits);

    /// <summary>
    /// Merges the features of two adjacent windows, <paramref name="a"/> before <paramref name="b"/> in time, into the
    /// features of their concatenation: counts and Σx² add, Min/Max combine, First is a's, Last is b's, zero crossings
    /// add plus one when a's last and b's first non-NaN samples differ in sign, and the moment sums use the pairwise
    /// update of Chan, Golub and LeVeque (1979) extended to M3, M4 by Pébay (2008), SAND2008-6212, eq. 2.1 and 3.1:
    /// with δ = mean_b - mean_a and n = n_a + n_b,
    /// M2 = M2a + M2b + δ² n_a n_b / n,
    /// M3 = M3a + M3b + δ³ n_a n_b (n_a - n_b) / n² + 3δ (n_a M2b - n_b M2a) / n,
    /// M4 = M4a + M4b + δ⁴ n_a n_b (n_a² - n_a n_b + n_b²) / n³ + 6δ² (n_a² M2b + n_b² M2a) / n² + 4δ (n_a M3b - n_b M3a) / n.
    /// </summary>
    /// <param name="a">Features of the earlier window.</param>
    /// <param name="b">Features of the later window.</param>
    /// <returns>The features of a followed by b; equal to computing them over the concatenated samples, to rounding.</returns>
    public static WindowFeatures Merge(in WindowFeatures a, in WindowFeatures b)
    {
        if (b.Count == 0)
        {
            WindowFeatures only = a;
            only.NanCount += b.NanCount;
            return only;
        }

        if (a.Count == 0)
        {
            WindowFeatures only = b;
            only.NanCount += a.NanCount;
            return only;
        }

        double na = a.Count;
        double nb = b.Count;
        double n = na + nb;
        var f = new WindowFeatures
        {
            Count = a.Count + b.Count,
            NanCount = a.NanCount + b.NanCount,
            Min = Math.Min(a.Min, b.Min),
            Max = Math.Max(a.Max, b.Max),
            SumOfSquares = a.SumOfSquares + b.SumOfSquares,
            First = a.First,
            Last = b.Last,
            ZeroCrossings = a.ZeroCrossings + b.ZeroCrossings + ((a.Last < 0.0) != (b.First < 0.0) ? 1 : 0),
        };

        if (!double.IsFinite(a.Mean) || !double.IsFinite(b.Mean))
        {
            // Same convention as Compute: an infinite sample leaves the mean infinite (or NaN) and M2..M4 undefined.
            f.Mean = a.Mean + b.Mean;
            f.M2 = f.M3 = f.M4 = double.NaN;
            return f;
        }

        double delta = b.Mean - a.Mean;
        double delta2 = delta * delta;
        double nanb = na * nb;
        f.Mean = a.Mean + delta * nb / n;
        f.M2 = a.M2 + b.M2 + delta2 * nanb / n;
        f.M3 = a.M3 + b.M3
            + delta2 * delta * nanb * (na - nb) / (n * n)
            + 3.0 * delta * (na * b.M2 - nb * a.M2) / n;
        f.M4 = a.M4 + b.M4
            + delta2 * delta2 * nanb * (na * na - nanb + nb * nb) / (n * n * n)
            + 6.0 * delta2 * (na * na * b.M2 + nb * nb * a.M2) / (n * n)
            + 4.0 * delta * (na * b.M3 - nb * a.M3) / n;
        return f;
    }

    /// <summary>Computes the float features with the given vector width (0 = scalar); for tests that compare paths.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 0, 128, 256 or 512, or is wider than the machine accelerates.</exception>
    internal static WindowFeatures Compute(ReadOnlySpan<float> samples, int vectorWidthBits)
    {
        CheckWidth(vectorWidthBits);
        int first = IndexOfFirstNumber(samples);
        if (first < 0)
        {
            WindowFeatures none = WindowFeatures.Empty;
            none.NanCount = samples.Length;
            return none;
        }

        double k = samples[first];
        // An infinite first sample cannot be the shift (inf - inf is NaN); the result is infinite or NaN anyway.
        double shift = double.IsFinite(k) ? k : 0.0;
        ShiftedSums s = Start(first, k, shift);
        int i = first + 1;
        if (vectorWidthBits != 0)
        {
            ShiftedSums start = s;
            i = vectorWidthBits switch
            {
                512 => AccumulateFloat<VectorLanes512, Vector512<float>, Vector512<double>>(samples, i, (float)k, shift, ref s),
                256 => AccumulateFloat<VectorLanes256, Vector256<float>, Vector256<double>>(samples, i, (float)k, shift, ref s),
                _ => AccumulateFloat<VectorLanes128, Vector128<float>, Vector128<double>>(samples, i, (float)k, shift, ref s),
            };
            if (!FitsFloatLanes(in s, shift))
            {
                // Rare: the window's spread is outside the range where d⁴ in float neither overflows nor underflows.
                // Redo it with every sample widened to double (half the speed, double rounding only).
                s = start;
                i = vectorWidthBits switch
                {
                    512 => AccumulateWidened<VectorLanes512, Vector512<float>, Vector512<double>>(samples, first + 1, (float)k, shift, ref s),
                    256 => AccumulateWidened<VectorLanes256, Vector256<float>, Vector256<double>>(samples, first + 1, (float)k, shift, ref s),
                    _ => AccumulateWidened<VectorLanes128, Vector128<float>, Vector128<double>>(samples, first + 1, (float)k, shift, ref s),
                };
            }
        }

        s.AddScalar(samples, i, shift);
        return Finish(samples, first, shift, in s);
    }

    /// <summary>Computes the double features with the given vector width (0 = scalar); for tests that compare paths.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 0, 128, 256 or 512, or is wider than the machine accelerates.</exception>
    internal static WindowFeatures Compute(ReadOnlySpan<double> samples, int vectorWidthBits)
    {
        CheckWidth(vectorWidthBits);
        int first = IndexOfFirstNumber(samples);
        if (first < 0)
        {
            WindowFeatures none = WindowFeatures.Empty;
            none.NanCount = samples.Length;
            return none;
        }

        double k = samples[first];
        double shift = double.IsFinite(k) ? k : 0.0;
        ShiftedSums s = Start(first, k, shift);
        int i = first + 1;
        if (vectorWidthBits == 512)
        {
            i = AccumulateDouble<VectorLanes512, Vector512<float>, Vector512<double>>(samples, i, k, shift, ref s);
        }
        else if (vectorWidthBits == 256)
        {
            i = AccumulateDouble<VectorLanes256, Vector256<float>, Vector256<double>>(samples, i, k, shift, ref s);
        }
        else if (vectorWidthBits == 128)
        {
            i = AccumulateDouble<VectorLanes128, Vector128<float>, Vector128<double>>(samples, i, k, shift, ref s);
        }

        s.AddScalar(samples, i, shift);
        return Finish(samples, first, shift, in s);
    }

    private static void CheckWidth(int bits)
    {
        bool ok = bits switch
        {
            0 => true,
            128 => Vector128.IsHardwareAccelerated,
            256 => Vector256.IsHardwareAccelerated,
            512 => Vector512.IsHardwareAccelerated,
            _ => false,
        };
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bits), bits, $"vector width {bits} bits is not available here (expected 0, or 128/256/512 up to {VectorWidthBits})");
        }
    }

    private static ShiftedSums Start(int first, double k, double shift)
    {
        double d = k - shift;
        return new ShiftedSums
        {
            Count = 1,
            NanCount = first,
            Min = k,
            Max = k,
            S1 = d,
            S2 = d * d,
            S3 = d * d * d,
            S4 = d * d * d * d,
            SumOfSquares = k * k,
        };
    }

    private static WindowFeatures Finish<T>(ReadOnlySpan<T> samples, int first, double shift, in ShiftedSums s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int last = samples.Length - 1;
        while (T.IsNaN(samples[last]))
        {
            last--;
        }

        long crossings = s.AdjacentCrossings;
        if (s.NanCount > first)
        {
            crossings += CrossingsAcrossNaNRuns(samples, first);
        }

        return s.ToFeatures(shift, double.CreateTruncating(samples[first]), double.CreateTruncating(samples[last]), crossings);
    }

    /// <summary>
    /// Sign changes between non-NaN samples separated by a run of NaNs, which the adjacent-pair count in the vector
    /// loop cannot see. A second, scalar pass, run only when the window holds a NaN after its first number.
    /// </summary>
    private static long CrossingsAcrossNaNRuns<T>(ReadOnlySpan<T> samples, int first)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long crossings = 0;
        bool lastNegative = samples[first] < T.Zero;
        bool inGap = false;
        for (int i = first + 1; i < samples.Length; i++)
        {
            T x = samples[i];
            if (T.IsNaN(x))
            {
                inGap = true;
                continue;
            }

            bool negative = x < T.Zero;
            if (inGap && negative != lastNegative)
            {
                crossings++;
            }

            inGap = false;
            lastNegative = negative;
        }

        return crossings;
    }

    private static int IndexOfFirstNumber<T>(ReadOnlySpan<T> samples)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < samples.Length; i++)
        {
            if (!T.IsNaN(samples[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
