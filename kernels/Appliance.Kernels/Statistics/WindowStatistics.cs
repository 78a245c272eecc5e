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
public static class WindowStatistics
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
                512 => Accumulate512(samples, i, (float)k, shift, ref s),
                256 => Accumulate256(samples, i, (float)k, shift, ref s),
                _ => Accumulate128(samples, i, (float)k, shift, ref s),
            };
            if (!FitsFloatLanes(in s, shift))
            {
                // Rare: the window's spread is outside the range where d⁴ in float neither overflows nor underflows.
                // Redo it with every sample widened to double (half the speed, double rounding only).
                s = start;
                i = vectorWidthBits switch
                {
                    512 => AccumulateWidened512(samples, first + 1, (float)k, shift, ref s),
                    256 => AccumulateWidened256(samples, first + 1, (float)k, shift, ref s),
                    _ => AccumulateWidened128(samples, first + 1, (float)k, shift, ref s),
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
            i = Accumulate512(samples, i, k, shift, ref s);
        }
        else if (vectorWidthBits == 256)
        {
            i = Accumulate256(samples, i, k, shift, ref s);
        }
        else if (vectorWidthBits == 128)
        {
            i = Accumulate128(samples, i, k, shift, ref s);
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

    /// <summary>Smallest spread max |x - K| for which the float-lane sums are used: 2⁻²⁰ (about 9.5e-7).</summary>
    /// <remarks>Float subnormals start at 2⁻¹²⁶: with |d| ≥ 2⁻²⁰ the largest d⁴ is ≥ 2⁻⁸⁰, so flushing the smaller terms
    /// loses at most n·2⁻¹⁴⁹ absolute, under n·2⁻⁶⁹ relative to Σd⁴ (negligible beside the 2⁻²⁴ rounding).</remarks>
    internal const double FloatLaneMinSpread = 9.5367431640625E-07;

    /// <summary>Largest spread max |x - K| for which the float-lane sums are used: 2³⁰; 64 terms of d⁴ then stay under
    /// 2¹²⁶, below float's largest finite value (about 2¹²⁸).</summary>
    internal const double FloatLaneMaxSpread = 1073741824.0;

    /// <summary>Whether the float-lane sums were exact enough: the spread of the window is 0 (all equal: every d is 0
    /// exactly), within [<see cref="FloatLaneMinSpread"/>, <see cref="FloatLaneMaxSpread"/>], or infinite (the moments
    /// are NaN anyway).</summary>
    private static bool FitsFloatLanes(in ShiftedSums s, double shift)
    {
        double spread = Math.Max(s.Max - shift, shift - s.Min);
        if (double.IsInfinity(spread))
        {
            return true;
        }

        // Σx² in float lanes: 64 terms of x² stay finite while |x| ≤ 2⁶⁰.
        bool squaresFit = Math.Max(Math.Abs(s.Min), Math.Abs(s.Max)) <= 1.152921504606847E+18;
        return squaresFit && (spread == 0.0 || (spread >= FloatLaneMinSpread && spread <= FloatLaneMaxSpread));
    }

    /// <summary>
    /// Float vector paths: how many terms each float lane sums before its block sum is widened into the double lane sums.
    /// Bounds the float rounding of a block sum to (FloatTermsPerLane - 1)·2⁻²⁴ of its terms' magnitude (Higham 2002,
    /// §4.2); the fold costs about 3% of the loop at 64.
    /// </summary>
    internal const int FloatTermsPerLane = 64;

    // The vector loops below share one shape. For each vector x = samples[i .. i+W):
    //   ok = (x == x)              lanes that are numbers (NaN != NaN, IEEE 754 §5.11)
    //   xk = ok ? x : K            NaN lanes replaced by the first sample, so d = xk - K = 0 and Min/Max are unchanged
    //   x & ok                     NaN lanes replaced by +0 for Σx²
    //   count, crossings           popcounts of the lane bit masks of ok and (x < 0), the pair (i-1, i) carried over
    //   d = xk - K;  S1 += d;  S2 += d²;  S3 += d²·d;  S4 += d²·d²;  Σx² += x²   (FMA where present)
    // Double input: in double lanes. Float input: in float lanes for FloatTermsPerLane vectors, then the float lane sums
    // are widened and added to double lane sums. Widening every sample to double made the float pass compute-bound
    // (4.4e9 samples/s, about 17 GB/s, under the read bandwidth on a 2-core AVX-512 box); in float lanes, two vectors per
    // step, it does half the vector operations: about 23 GB/s with Vector512 there, above the 17-19 GB/s single-core read
    // bandwidth; with Vector256 about 10-12 GB/s, bound by operations per byte (appliance bench kernels).
    // Aggregation cannot realign the input: that would change which lanes each sum sees and so how rounding compounds.

    private static int Accumulate512(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        // Two vectors per step (v0, v1) with their own float accumulators: the adds and FMAs of one step do not wait on
        // each other, which halves the loop-carried latency (each accumulator chain has one FMA per step).
        const int W = 16;
        int start = i;
        if (samples.Length - i < 2 * W)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector512<float> kf = Vector512.Create(k);
        Vector512<float> sf = Vector512.Create((float)shift);
        Vector512<float> mn0 = kf, mx0 = kf, mn1 = kf, mx1 = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector512<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        int block = FloatTermsPerLane * 2 * W;
        while (samples.Length - i >= 2 * W)
        {
            int end = Math.Min(samples.Length - (2 * W), i + block - (2 * W));
            Vector512<float> a1 = default, a2 = default, a3 = default, a4 = default, aq = default;
            Vector512<float> b1 = default, b2 = default, b3 = default, b4 = default, bq = default;
            for (; i <= end; i += 2 * W)
            {
                Vector512<float> x0 = Vector512.LoadUnsafe(ref r, (nuint)i);
                Vector512<float> x1 = Vector512.LoadUnsafe(ref r, (nuint)(i + W));
                Vector512<float> ok0 = Vector512.Equals(x0, x0);
                Vector512<float> ok1 = Vector512.Equals(x1, x1);
                Vector512<float> xk0 = Vector512.ConditionalSelect(ok0, x0, kf);
                Vector512<float> xk1 = Vector512.ConditionalSelect(ok1, x1, kf);
                mn0 = Vector512.MinNative(mn0, xk0);
                mx0 = Vector512.MaxNative(mx0, xk0);
                mn1 = Vector512.MinNative(mn1, xk1);
                mx1 = Vector512.MaxNative(mx1, xk1);
                // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j of the
                // 2W samples; the pair (i-1+j, i+j) is a crossing when both are numbers and their signs differ
                // (x < 0 is false for NaN and -0).
                ulong okBits = ok0.ExtractMostSignificantBits() | ((ulong)ok1.ExtractMostSignificantBits() << W);
                ulong negativeBits = Vector512.LessThan(x0, Vector512<float>.Zero).ExtractMostSignificantBits()
                    | ((ulong)Vector512.LessThan(x1, Vector512<float>.Zero).ExtractMostSignificantBits() << W);
                count += BitOperations.PopCount(okBits);
                cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
                prevOk = okBits >> ((2 * W) - 1);
                prevNegative = negativeBits >> ((2 * W) - 1);
                Vector512<float> d0 = xk0 - sf;
                Vector512<float> d1 = xk1 - sf;
                Vector512<float> e0 = d0 * d0;
                Vector512<float> e1 = d1 * d1;
                Vector512<float> z0 = x0 & ok0;
                Vector512<float> z1 = x1 & ok1;
                a1 += d0;
                b1 += d1;
                a2 += e0;
                b2 += e1;
                a3 = Vector512.MultiplyAddEstimate(e0, d0, a3);
                b3 = Vector512.MultiplyAddEstimate(e1, d1, b3);
                a4 = Vector512.MultiplyAddEstimate(e0, e0, a4);
                b4 = Vector512.MultiplyAddEstimate(e1, e1, b4);
                aq = Vector512.MultiplyAddEstimate(z0, z0, aq);
                bq = Vector512.MultiplyAddEstimate(z1, z1, bq);
            }

            // Fold the block's float lane sums into the double lane sums (at most FloatTermsPerLane terms per float lane).
            s1 += WidenSum(a1) + WidenSum(b1);
            s2 += WidenSum(a2) + WidenSum(b2);
            s3 += WidenSum(a3) + WidenSum(b3);
            s4 += WidenSum(a4) + WidenSum(b4);
            sq += WidenSum(aq) + WidenSum(bq);
        }

        Fold(ref s, i - start, count, cross, Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3), Vector512.Sum(s4), Vector512.Sum(sq));
        Vector512<float> mn = Vector512.MinNative(mn0, mn1);
        Vector512<float> mx = Vector512.MaxNative(mx0, mx1);
        for (int j = 0; j < W; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> WidenSum(Vector512<float> a)
    {
        (Vector512<double> lo, Vector512<double> hi) = Vector512.Widen(a);
        return lo + hi;
    }

    private static int Accumulate256(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        // Two vectors per step (v0, v1) with their own float accumulators: the adds and FMAs of one step do not wait on
        // each other, which halves the loop-carried latency (each accumulator chain has one FMA per step).
        const int W = 8;
        int start = i;
        if (samples.Length - i < 2 * W)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector256<float> kf = Vector256.Create(k);
        Vector256<float> sf = Vector256.Create((float)shift);
        Vector256<float> mn0 = kf, mx0 = kf, mn1 = kf, mx1 = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector256<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        int block = FloatTermsPerLane * 2 * W;
        while (samples.Length - i >= 2 * W)
        {
            int end = Math.Min(samples.Length - (2 * W), i + block - (2 * W));
            Vector256<float> a1 = default, a2 = default, a3 = default, a4 = default, aq = default;
            Vector256<float> b1 = default, b2 = default, b3 = default, b4 = default, bq = default;
            for (; i <= end; i += 2 * W)
            {
                Vector256<float> x0 = Vector256.LoadUnsafe(ref r, (nuint)i);
                Vector256<float> x1 = Vector256.LoadUnsafe(ref r, (nuint)(i + W));
                Vector256<float> ok0 = Vector256.Equals(x0, x0);
                Vector256<float> ok1 = Vector256.Equals(x1, x1);
                Vector256<float> xk0 = Vector256.ConditionalSelect(ok0, x0, kf);
                Vector256<float> xk1 = Vector256.ConditionalSelect(ok1, x1, kf);
                mn0 = Vector256.MinNative(mn0, xk0);
                mx0 = Vector256.MaxNative(mx0, xk0);
                mn1 = Vector256.MinNative(mn1, xk1);
                mx1 = Vector256.MaxNative(mx1, xk1);
                // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j of the
                // 2W samples; the pair (i-1+j, i+j) is a crossing when both are numbers and their signs differ
                // (x < 0 is false for NaN and -0).
                ulong okBits = ok0.ExtractMostSignificantBits() | ((ulong)ok1.ExtractMostSignificantBits() << W);
                ulong negativeBits = Vector256.LessThan(x0, Vector256<float>.Zero).ExtractMostSignificantBits()
                    | ((ulong)Vector256.LessThan(x1, Vector256<float>.Zero).ExtractMostSignificantBits() << W);
                count += BitOperations.PopCount(okBits);
                cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
                prevOk = okBits >> ((2 * W) - 1);
                prevNegative = negativeBits >> ((2 * W) - 1);
                Vector256<float> d0 = xk0 - sf;
                Vector256<float> d1 = xk1 - sf;
                Vector256<float> e0 = d0 * d0;
                Vector256<float> e1 = d1 * d1;
                Vector256<float> z0 = x0 & ok0;
                Vector256<float> z1 = x1 & ok1;
                a1 += d0;
                b1 += d1;
                a2 += e0;
                b2 += e1;
                a3 = Vector256.MultiplyAddEstimate(e0, d0, a3);
                b3 = Vector256.MultiplyAddEstimate(e1, d1, b3);
                a4 = Vector256.MultiplyAddEstimate(e0, e0, a4);
                b4 = Vector256.MultiplyAddEstimate(e1, e1, b4);
                aq = Vector256.MultiplyAddEstimate(z0, z0, aq);
                bq = Vector256.MultiplyAddEstimate(z1, z1, bq);
            }

            // Fold the block's float lane sums into the double lane sums (at most FloatTermsPerLane terms per float lane).
            s1 += WidenSum(a1) + WidenSum(b1);
            s2 += WidenSum(a2) + WidenSum(b2);
            s3 += WidenSum(a3) + WidenSum(b3);
            s4 += WidenSum(a4) + WidenSum(b4);
            sq += WidenSum(aq) + WidenSum(bq);
        }

        Fold(ref s, i - start, count, cross, Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3), Vector256.Sum(s4), Vector256.Sum(sq));
        Vector256<float> mn = Vector256.MinNative(mn0, mn1);
        Vector256<float> mx = Vector256.MaxNative(mx0, mx1);
        for (int j = 0; j < W; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> WidenSum(Vector256<float> a)
    {
        (Vector256<double> lo, Vector256<double> hi) = Vector256.Widen(a);
        return lo + hi;
    }

    private static int Accumulate128(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        // Two vectors per step (v0, v1) with their own float accumulators: the adds and FMAs of one step do not wait on
        // each other, which halves the loop-carried latency (each accumulator chain has one FMA per step).
        const int W = 4;
        int start = i;
        if (samples.Length - i < 2 * W)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector128<float> kf = Vector128.Create(k);
        Vector128<float> sf = Vector128.Create((float)shift);
        Vector128<float> mn0 = kf, mx0 = kf, mn1 = kf, mx1 = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector128<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        int block = FloatTermsPerLane * 2 * W;
        while (samples.Length - i >= 2 * W)
        {
            int end = Math.Min(samples.Length - (2 * W), i + block - (2 * W));
            Vector128<float> a1 = default, a2 = default, a3 = default, a4 = default, aq = default;
            Vector128<float> b1 = default, b2 = default, b3 = default, b4 = default, bq = default;
            for (; i <= end; i += 2 * W)
            {
                Vector128<float> x0 = Vector128.LoadUnsafe(ref r, (nuint)i);
                Vector128<float> x1 = Vector128.LoadUnsafe(ref r, (nuint)(i + W));
                Vector128<float> ok0 = Vector128.Equals(x0, x0);
                Vector128<float> ok1 = Vector128.Equals(x1, x1);
                Vector128<float> xk0 = Vector128.ConditionalSelect(ok0, x0, kf);
                Vector128<float> xk1 = Vector128.ConditionalSelect(ok1, x1, kf);
                mn0 = Vector128.MinNative(mn0, xk0);
                mx0 = Vector128.MaxNative(mx0, xk0);
                mn1 = Vector128.MinNative(mn1, xk1);
                mx1 = Vector128.MaxNative(mx1, xk1);
                // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j of the
                // 2W samples; the pair (i-1+j, i+j) is a crossing when both are numbers and their signs differ
                // (x < 0 is false for NaN and -0).
                ulong okBits = ok0.ExtractMostSignificantBits() | ((ulong)ok1.ExtractMostSignificantBits() << W);
                ulong negativeBits = Vector128.LessThan(x0, Vector128<float>.Zero).ExtractMostSignificantBits()
                    | ((ulong)Vector128.LessThan(x1, Vector128<float>.Zero).ExtractMostSignificantBits() << W);
                count += BitOperations.PopCount(okBits);
                cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
                prevOk = okBits >> ((2 * W) - 1);
                prevNegative = negativeBits >> ((2 * W) - 1);
                Vector128<float> d0 = xk0 - sf;
                Vector128<float> d1 = xk1 - sf;
                Vector128<float> e0 = d0 * d0;
                Vector128<float> e1 = d1 * d1;
                Vector128<float> z0 = x0 & ok0;
                Vector128<float> z1 = x1 & ok1;
                a1 += d0;
                b1 += d1;
                a2 += e0;
                b2 += e1;
                a3 = Vector128.MultiplyAddEstimate(e0, d0, a3);
                b3 = Vector128.MultiplyAddEstimate(e1, d1, b3);
                a4 = Vector128.MultiplyAddEstimate(e0, e0, a4);
                b4 = Vector128.MultiplyAddEstimate(e1, e1, b4);
                aq = Vector128.MultiplyAddEstimate(z0, z0, aq);
                bq = Vector128.MultiplyAddEstimate(z1, z1, bq);
            }

            // Fold the block's float lane sums into the double lane sums (at most FloatTermsPerLane terms per float lane).
            s1 += WidenSum(a1) + WidenSum(b1);
            s2 += WidenSum(a2) + WidenSum(b2);
            s3 += WidenSum(a3) + WidenSum(b3);
            s4 += WidenSum(a4) + WidenSum(b4);
            sq += WidenSum(aq) + WidenSum(bq);
        }

        Fold(ref s, i - start, count, cross, Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3), Vector128.Sum(s4), Vector128.Sum(sq));
        Vector128<float> mn = Vector128.MinNative(mn0, mn1);
        Vector128<float> mx = Vector128.MaxNative(mx0, mx1);
        for (int j = 0; j < W; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> WidenSum(Vector128<float> a)
    {
        (Vector128<double> lo, Vector128<double> hi) = Vector128.Widen(a);
        return lo + hi;
    }

    private static int AccumulateWidened512(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector512<float>.Count)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector512<float> kf = Vector512.Create(k);
        Vector512<double> kd = Vector512.Create(shift);
        Vector512<float> mn = kf, mx = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector512<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector512<float>.Count; i += Vector512<float>.Count)
        {
            Vector512<float> x = Vector512.LoadUnsafe(ref r, (nuint)i);
            Vector512<float> ok = Vector512.Equals(x, x);
            Vector512<float> xk = Vector512.ConditionalSelect(ok, x, kf);
            mn = Vector512.MinNative(mn, xk);
            mx = Vector512.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector512.LessThan(x, Vector512<float>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector512<float>.Count - 1);
            prevNegative = negativeBits >> (Vector512<float>.Count - 1);
            (Vector512<double> xlo, Vector512<double> xhi) = Vector512.Widen(xk);
            (Vector512<double> zlo, Vector512<double> zhi) = Vector512.Widen(x & ok);
            Add(xlo - kd, zlo, ref s1, ref s2, ref s3, ref s4, ref sq);
            Add(xhi - kd, zhi, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3), Vector512.Sum(s4), Vector512.Sum(sq));
        for (int j = 0; j < Vector512<float>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    private static int AccumulateWidened256(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector256<float>.Count)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector256<float> kf = Vector256.Create(k);
        Vector256<double> kd = Vector256.Create(shift);
        Vector256<float> mn = kf, mx = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector256<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            Vector256<float> x = Vector256.LoadUnsafe(ref r, (nuint)i);
            Vector256<float> ok = Vector256.Equals(x, x);
            Vector256<float> xk = Vector256.ConditionalSelect(ok, x, kf);
            mn = Vector256.MinNative(mn, xk);
            mx = Vector256.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector256.LessThan(x, Vector256<float>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector256<float>.Count - 1);
            prevNegative = negativeBits >> (Vector256<float>.Count - 1);
            (Vector256<double> xlo, Vector256<double> xhi) = Vector256.Widen(xk);
            (Vector256<double> zlo, Vector256<double> zhi) = Vector256.Widen(x & ok);
            Add(xlo - kd, zlo, ref s1, ref s2, ref s3, ref s4, ref sq);
            Add(xhi - kd, zhi, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3), Vector256.Sum(s4), Vector256.Sum(sq));
        for (int j = 0; j < Vector256<float>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    private static int AccumulateWidened128(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector128<float>.Count)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        Vector128<float> kf = Vector128.Create(k);
        Vector128<double> kd = Vector128.Create(shift);
        Vector128<float> mn = kf, mx = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector128<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector128<float>.Count; i += Vector128<float>.Count)
        {
            Vector128<float> x = Vector128.LoadUnsafe(ref r, (nuint)i);
            Vector128<float> ok = Vector128.Equals(x, x);
            Vector128<float> xk = Vector128.ConditionalSelect(ok, x, kf);
            mn = Vector128.MinNative(mn, xk);
            mx = Vector128.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector128.LessThan(x, Vector128<float>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector128<float>.Count - 1);
            prevNegative = negativeBits >> (Vector128<float>.Count - 1);
            (Vector128<double> xlo, Vector128<double> xhi) = Vector128.Widen(xk);
            (Vector128<double> zlo, Vector128<double> zhi) = Vector128.Widen(x & ok);
            Add(xlo - kd, zlo, ref s1, ref s2, ref s3, ref s4, ref sq);
            Add(xhi - kd, zhi, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3), Vector128.Sum(s4), Vector128.Sum(sq));
        for (int j = 0; j < Vector128<float>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }


    private static int Accumulate512(ReadOnlySpan<double> samples, int i, double k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector512<double>.Count)
        {
            return i;
        }

        ref double r = ref MemoryMarshal.GetReference(samples);
        Vector512<double> kv = Vector512.Create(k);
        Vector512<double> kd = Vector512.Create(shift);
        Vector512<double> mn = kv, mx = kv;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector512<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector512<double>.Count; i += Vector512<double>.Count)
        {
            Vector512<double> x = Vector512.LoadUnsafe(ref r, (nuint)i);
            Vector512<double> ok = Vector512.Equals(x, x);
            Vector512<double> xk = Vector512.ConditionalSelect(ok, x, kv);
            mn = Vector512.MinNative(mn, xk);
            mx = Vector512.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector512.LessThan(x, Vector512<double>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector512<double>.Count - 1);
            prevNegative = negativeBits >> (Vector512<double>.Count - 1);
            Add(xk - kd, x & ok, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3), Vector512.Sum(s4), Vector512.Sum(sq));
        for (int j = 0; j < Vector512<double>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    private static int Accumulate256(ReadOnlySpan<double> samples, int i, double k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector256<double>.Count)
        {
            return i;
        }

        ref double r = ref MemoryMarshal.GetReference(samples);
        Vector256<double> kv = Vector256.Create(k);
        Vector256<double> kd = Vector256.Create(shift);
        Vector256<double> mn = kv, mx = kv;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector256<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            Vector256<double> x = Vector256.LoadUnsafe(ref r, (nuint)i);
            Vector256<double> ok = Vector256.Equals(x, x);
            Vector256<double> xk = Vector256.ConditionalSelect(ok, x, kv);
            mn = Vector256.MinNative(mn, xk);
            mx = Vector256.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector256.LessThan(x, Vector256<double>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector256<double>.Count - 1);
            prevNegative = negativeBits >> (Vector256<double>.Count - 1);
            Add(xk - kd, x & ok, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3), Vector256.Sum(s4), Vector256.Sum(sq));
        for (int j = 0; j < Vector256<double>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    private static int Accumulate128(ReadOnlySpan<double> samples, int i, double k, double shift, ref ShiftedSums s)
    {
        int start = i;
        if (samples.Length - i < Vector128<double>.Count)
        {
            return i;
        }

        ref double r = ref MemoryMarshal.GetReference(samples);
        Vector128<double> kv = Vector128.Create(k);
        Vector128<double> kd = Vector128.Create(shift);
        Vector128<double> mn = kv, mx = kv;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        Vector128<double> s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - Vector128<double>.Count; i += Vector128<double>.Count)
        {
            Vector128<double> x = Vector128.LoadUnsafe(ref r, (nuint)i);
            Vector128<double> ok = Vector128.Equals(x, x);
            Vector128<double> xk = Vector128.ConditionalSelect(ok, x, kv);
            mn = Vector128.MinNative(mn, xk);
            mx = Vector128.MaxNative(mx, xk);
            // Counts and crossings in general registers, off the vector ports: bit j of a mask is lane j; the pair
            // (i-1+j, i+j) is a crossing when both are numbers and their signs differ (x < 0 is false for NaN and -0).
            ulong okBits = ok.ExtractMostSignificantBits();
            ulong negativeBits = Vector128.LessThan(x, Vector128<double>.Zero).ExtractMostSignificantBits();
            count += BitOperations.PopCount(okBits);
            cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
            prevOk = okBits >> (Vector128<double>.Count - 1);
            prevNegative = negativeBits >> (Vector128<double>.Count - 1);
            Add(xk - kd, x & ok, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, Vector128.Sum(s1), Vector128.Sum(s2), Vector128.Sum(s3), Vector128.Sum(s4), Vector128.Sum(sq));
        for (int j = 0; j < Vector128<double>.Count; j++)
        {
            s.Min = Math.Min(s.Min, mn[j]);
            s.Max = Math.Max(s.Max, mx[j]);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(
        Vector512<double> d, Vector512<double> x,
        ref Vector512<double> s1, ref Vector512<double> s2, ref Vector512<double> s3, ref Vector512<double> s4, ref Vector512<double> sq)
    {
        Vector512<double> d2 = d * d;
        s1 += d;
        s2 += d2;
        s3 = Vector512.MultiplyAddEstimate(d2, d, s3);
        s4 = Vector512.MultiplyAddEstimate(d2, d2, s4);
        sq = Vector512.MultiplyAddEstimate(x, x, sq);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(
        Vector256<double> d, Vector256<double> x,
        ref Vector256<double> s1, ref Vector256<double> s2, ref Vector256<double> s3, ref Vector256<double> s4, ref Vector256<double> sq)
    {
        Vector256<double> d2 = d * d;
        s1 += d;
        s2 += d2;
        s3 = Vector256.MultiplyAddEstimate(d2, d, s3);
        s4 = Vector256.MultiplyAddEstimate(d2, d2, s4);
        sq = Vector256.MultiplyAddEstimate(x, x, sq);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(
        Vector128<double> d, Vector128<double> x,
        ref Vector128<double> s1, ref Vector128<double> s2, ref Vector128<double> s3, ref Vector128<double> s4, ref Vector128<double> sq)
    {
        Vector128<double> d2 = d * d;
        s1 += d;
        s2 += d2;
        s3 = Vector128.MultiplyAddEstimate(d2, d, s3);
        s4 = Vector128.MultiplyAddEstimate(d2, d2, s4);
        sq = Vector128.MultiplyAddEstimate(x, x, sq);
    }

    private static void Fold(ref ShiftedSums s, int samples, long numbers, long crossings, double s1, double s2, double s3, double s4, double sq)
    {
        s.Count += numbers;
        s.NanCount += samples - numbers;
        s.AdjacentCrossings += crossings;
        s.S1 += s1;
        s.S2 += s2;
        s.S3 += s3;
        s.S4 += s4;
        s.SumOfSquares += sq;
    }
}
