using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Appliance.Kernels.Statistics;

/// <summary>The SIMD accumulation passes of <see cref="WindowStatistics"/>: float lanes, widened and double paths.</summary>
public static partial class WindowStatistics
{
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

    // The vector loops below are written once, generic over an operator struct (IVectorLanes: VectorLanes128/256/512)
    // that the compiler specialises per width. For each vector x = samples[i .. i+W):
    //   ok = (x == x)              lanes that are numbers (NaN != NaN, IEEE 754 §5.11)
    //   xk = ok ? x : K            NaN lanes replaced by the first sample, so d = xk - K = 0 and Min/Max are unchanged
    //   x & ok                     NaN lanes replaced by +0 for Σx²
    //   count, crossings           popcounts of the lane bit masks of ok and (x < 0), the pair (i-1, i) carried over
    //   d = xk - K;  S1 += d;  S2 += d²;  S3 += d²·d;  S4 += d²·d²;  Σx² += x²   (FMA where present)
    // Double input: in double lanes. Float input: in float lanes for FloatTermsPerLane vectors, then the float lane sums
    // are widened and added to double lane sums. Widening every sample to double made the float pass compute-bound
    // (4.4e9 samples/s, about 17 GB/s, under the read bandwidth on a 2-core AVX-512 box); in float lanes, two vectors per
    // step, it does half the vector operations.
    // Float input takes each block first without the NaN masks (no compare, select or AND per vector: sensor windows
    // rarely hold a NaN); a NaN in the block shows as a NaN in the block's Σd, and the block is then redone with the
    // masks. The masked and unmasked passes add the same values in the same lanes in the same order (a NaN-free lane has
    // xk = x and x & ok = x), so the result does not depend on which pass ran.
    // Aggregation cannot realign the input: that would change which lanes each sum sees and so how rounding compounds.

    private static int AccumulateFloat<TLanes, TFloat, TDouble>(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
        where TLanes : struct, IVectorLanes<TFloat, TDouble>
        where TFloat : struct
        where TDouble : struct
    {
        // Two vectors per step (x0, x1) with their own float accumulators: the adds and FMAs of one step do not wait on
        // each other, which halves the loop-carried latency (each accumulator chain has one FMA per step). Min and Max
        // take the two vectors' lane-wise min/max first, so they need one register each.
        int w = TLanes.FloatCount;
        int step = 2 * w;
        int start = i;
        if (samples.Length - i < step)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        TFloat kf = TLanes.Create(k);
        TFloat sf = TLanes.Create((float)shift);
        TFloat mn = kf, mx = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        ulong stepBits = step == 64 ? ulong.MaxValue : (1UL << step) - 1;
        TDouble s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        int block = FloatTermsPerLane * step;
        while (samples.Length - i >= step)
        {
            int blockStart = i;
            int end = Math.Min(samples.Length - step, i + block - step);
            TFloat mnStart = mn, mxStart = mx;
            long crossStart = cross;
            // After a NaN the pair (NaN, next) is no crossing: take the next sample's own sign as the previous one.
            ulong prevNeg = prevOk != 0 ? prevNegative : (samples[i] < 0 ? 1UL : 0UL);
            TFloat a1 = default, a2 = default, a3 = default, a4 = default, aq = default;
            TFloat b1 = default, b2 = default, b3 = default, b4 = default, bq = default;
            for (; i <= end; i += step)
            {
                TFloat x0 = TLanes.Load(ref r, (nuint)i);
                TFloat x1 = TLanes.Load(ref r, (nuint)(i + w));
                mn = TLanes.Min(mn, TLanes.Min(x0, x1));
                mx = TLanes.Max(mx, TLanes.Max(x0, x1));
                // Bit j of neg is sample i + j; the pair (i-1+j, i+j) is a crossing when their signs differ.
                ulong neg = TLanes.NegativeBits(x0) | (TLanes.NegativeBits(x1) << w);
                cross += BitOperations.PopCount((neg ^ ((neg << 1) | prevNeg)) & stepBits);
                prevNeg = neg >> (step - 1);
                AddTerms<TLanes, TFloat, TDouble>(x0, x0, sf, ref a1, ref a2, ref a3, ref a4, ref aq);
                AddTerms<TLanes, TFloat, TDouble>(x1, x1, sf, ref b1, ref b2, ref b3, ref b4, ref bq);
            }

            if (TLanes.AllNumbers(TLanes.Add(a1, b1)))
            {
                count += i - blockStart;
                prevOk = 1;
                prevNegative = prevNeg;
            }
            else
            {
                // A NaN sample (or +inf and -inf in one lane): redo the block with the masks, from its start state.
                i = blockStart;
                mn = mnStart;
                mx = mxStart;
                cross = crossStart;
                a1 = a2 = a3 = a4 = aq = default;
                b1 = b2 = b3 = b4 = bq = default;
                for (; i <= end; i += step)
                {
                    TFloat x0 = TLanes.Load(ref r, (nuint)i);
                    TFloat x1 = TLanes.Load(ref r, (nuint)(i + w));
                    TFloat ok0 = TLanes.IsNumber(x0);
                    TFloat ok1 = TLanes.IsNumber(x1);
                    TFloat xk0 = TLanes.Select(ok0, x0, kf);
                    TFloat xk1 = TLanes.Select(ok1, x1, kf);
                    mn = TLanes.Min(mn, TLanes.Min(xk0, xk1));
                    mx = TLanes.Max(mx, TLanes.Max(xk0, xk1));
                    CountLanes(
                        TLanes.Bits(ok0) | (TLanes.Bits(ok1) << w),
                        TLanes.NegativeBits(x0) | (TLanes.NegativeBits(x1) << w),
                        step,
                        ref count,
                        ref cross,
                        ref prevOk,
                        ref prevNegative);
                    AddTerms<TLanes, TFloat, TDouble>(xk0, TLanes.And(x0, ok0), sf, ref a1, ref a2, ref a3, ref a4, ref aq);
                    AddTerms<TLanes, TFloat, TDouble>(xk1, TLanes.And(x1, ok1), sf, ref b1, ref b2, ref b3, ref b4, ref bq);
                }
            }

            // Fold the block's float lane sums into the double lane sums (at most FloatTermsPerLane terms per float lane).
            s1 = TLanes.Add(s1, TLanes.Add(TLanes.WidenSum(a1), TLanes.WidenSum(b1)));
            s2 = TLanes.Add(s2, TLanes.Add(TLanes.WidenSum(a2), TLanes.WidenSum(b2)));
            s3 = TLanes.Add(s3, TLanes.Add(TLanes.WidenSum(a3), TLanes.WidenSum(b3)));
            s4 = TLanes.Add(s4, TLanes.Add(TLanes.WidenSum(a4), TLanes.WidenSum(b4)));
            sq = TLanes.Add(sq, TLanes.Add(TLanes.WidenSum(aq), TLanes.WidenSum(bq)));
        }

        Fold(ref s, i - start, count, cross, TLanes.Sum(s1), TLanes.Sum(s2), TLanes.Sum(s3), TLanes.Sum(s4), TLanes.Sum(sq));
        for (int j = 0; j < w; j++)
        {
            s.Min = Math.Min(s.Min, TLanes.Lane(mn, j));
            s.Max = Math.Max(s.Max, TLanes.Lane(mx, j));
        }

        return i;
    }

    /// <summary>One vector's float-lane terms: d = xk - K; S1 += d, S2 += d², S3 += d²·d, S4 += d²·d², Σx² += z².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTerms<TLanes, TFloat, TDouble>(
        TFloat xk, TFloat z, TFloat shift, ref TFloat s1, ref TFloat s2, ref TFloat s3, ref TFloat s4, ref TFloat sq)
        where TLanes : struct, IVectorLanes<TFloat, TDouble>
        where TFloat : struct
        where TDouble : struct
    {
        TFloat d = TLanes.Subtract(xk, shift);
        TFloat d2 = TLanes.Multiply(d, d);
        s1 = TLanes.Add(s1, d);
        s2 = TLanes.Add(s2, d2);
        s3 = TLanes.MultiplyAdd(d2, d, s3);
        s4 = TLanes.MultiplyAdd(d2, d2, s4);
        sq = TLanes.MultiplyAdd(z, z, sq);
    }

    /// <summary>The float pass with every sample widened to double (see <see cref="FitsFloatLanes"/>).</summary>
    private static int AccumulateWidened<TLanes, TFloat, TDouble>(ReadOnlySpan<float> samples, int i, float k, double shift, ref ShiftedSums s)
        where TLanes : struct, IVectorLanes<TFloat, TDouble>
        where TFloat : struct
        where TDouble : struct
    {
        int w = TLanes.FloatCount;
        int start = i;
        if (samples.Length - i < w)
        {
            return i;
        }

        ref float r = ref MemoryMarshal.GetReference(samples);
        TFloat kf = TLanes.Create(k);
        TDouble kd = TLanes.Create(shift);
        TFloat mn = kf, mx = kf;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        TDouble s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - w; i += w)
        {
            TFloat x = TLanes.Load(ref r, (nuint)i);
            TFloat ok = TLanes.IsNumber(x);
            TFloat xk = TLanes.Select(ok, x, kf);
            mn = TLanes.Min(mn, xk);
            mx = TLanes.Max(mx, xk);
            CountLanes(TLanes.Bits(ok), TLanes.NegativeBits(x), w, ref count, ref cross, ref prevOk, ref prevNegative);
            (TDouble xlo, TDouble xhi) = TLanes.Widen(xk);
            (TDouble zlo, TDouble zhi) = TLanes.Widen(TLanes.And(x, ok));
            Add<TLanes, TFloat, TDouble>(TLanes.Subtract(xlo, kd), zlo, ref s1, ref s2, ref s3, ref s4, ref sq);
            Add<TLanes, TFloat, TDouble>(TLanes.Subtract(xhi, kd), zhi, ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, TLanes.Sum(s1), TLanes.Sum(s2), TLanes.Sum(s3), TLanes.Sum(s4), TLanes.Sum(sq));
        for (int j = 0; j < w; j++)
        {
            s.Min = Math.Min(s.Min, TLanes.Lane(mn, j));
            s.Max = Math.Max(s.Max, TLanes.Lane(mx, j));
        }

        return i;
    }

    private static int AccumulateDouble<TLanes, TFloat, TDouble>(ReadOnlySpan<double> samples, int i, double k, double shift, ref ShiftedSums s)
        where TLanes : struct, IVectorLanes<TFloat, TDouble>
        where TFloat : struct
        where TDouble : struct
    {
        int w = TLanes.DoubleCount;
        int start = i;
        if (samples.Length - i < w)
        {
            return i;
        }

        ref double r = ref MemoryMarshal.GetReference(samples);
        TDouble kv = TLanes.Create(k);
        TDouble kd = TLanes.Create(shift);
        TDouble mn = kv, mx = kv;
        long count = 0, cross = 0;
        ulong prevOk = 1, prevNegative = samples[i - 1] < 0 ? 1UL : 0UL; // samples[i - 1] is the first number
        TDouble s1 = default, s2 = default, s3 = default, s4 = default, sq = default;
        for (; i <= samples.Length - w; i += w)
        {
            TDouble x = TLanes.Load(ref r, (nuint)i);
            TDouble ok = TLanes.IsNumber(x);
            TDouble xk = TLanes.Select(ok, x, kv);
            mn = TLanes.Min(mn, xk);
            mx = TLanes.Max(mx, xk);
            CountLanes(TLanes.Bits(ok), TLanes.NegativeBits(x), w, ref count, ref cross, ref prevOk, ref prevNegative);
            Add<TLanes, TFloat, TDouble>(TLanes.Subtract(xk, kd), TLanes.And(x, ok), ref s1, ref s2, ref s3, ref s4, ref sq);
        }

        Fold(ref s, i - start, count, cross, TLanes.Sum(s1), TLanes.Sum(s2), TLanes.Sum(s3), TLanes.Sum(s4), TLanes.Sum(sq));
        for (int j = 0; j < w; j++)
        {
            s.Min = Math.Min(s.Min, TLanes.Lane(mn, j));
            s.Max = Math.Max(s.Max, TLanes.Lane(mx, j));
        }

        return i;
    }

    /// <summary>
    /// Counts the numbers and the zero crossings of <paramref name="lanes"/> consecutive samples from their bit masks: bit
    /// j of <paramref name="okBits"/> is set when sample j is a number, of <paramref name="negativeBits"/> when it is
    /// below zero (false for NaN and -0). The pair (j-1, j) is a crossing when both are numbers and their signs differ;
    /// for j = 0 the previous call's last sample (<paramref name="prevOk"/>, <paramref name="prevNegative"/>) is j-1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CountLanes(ulong okBits, ulong negativeBits, int lanes, ref long count, ref long cross, ref ulong prevOk, ref ulong prevNegative)
    {
        count += BitOperations.PopCount(okBits);
        cross += BitOperations.PopCount((negativeBits ^ ((negativeBits << 1) | prevNegative)) & okBits & ((okBits << 1) | prevOk));
        prevOk = okBits >> (lanes - 1);
        prevNegative = negativeBits >> (lanes - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TLanes, TFloat, TDouble>(
        TDouble d, TDouble x, ref TDouble s1, ref TDouble s2, ref TDouble s3, ref TDouble s4, ref TDouble sq)
        where TLanes : struct, IVectorLanes<TFloat, TDouble>
        where TFloat : struct
        where TDouble : struct
    {
        TDouble d2 = TLanes.Multiply(d, d);
        s1 = TLanes.Add(s1, d);
        s2 = TLanes.Add(s2, d2);
        s3 = TLanes.MultiplyAdd(d2, d, s3);
        s4 = TLanes.MultiplyAdd(d2, d2, s4);
        sq = TLanes.MultiplyAdd(x, x, sq);
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
