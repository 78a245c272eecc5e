using Appliance.Kernels.Quantiles;

namespace Appliance.Contracts.Wire;

/// <summary>
/// A window's mergeable quantile sketch as it travels and is stored: the state of a <see cref="DDSketch"/> (Masson, Rim and
/// Lee 2019, "DDSketch: a fast and fully-mergeable quantile sketch with relative-error guarantees", PVLDB 12(12)):
/// its relative accuracy α, the count of values at zero, and the occupied bins of each sign as a first key and the counts
/// of consecutive keys. Merging two sketches of the same α adds their bins (§2.3), so windows, hours and devices roll up
/// exactly and every merged quantile stays within relative error α of the true one (Theorem 1).
/// </summary>
/// <param name="Alpha">α, in (0, 1): every quantile is within relative error α (0.01: 1 %).</param>
/// <param name="ZeroCount">Values with |x| below <see cref="DDSketch.MinIndexableValue"/>.</param>
/// <param name="PositiveOffset">Key ⌈log_γ x⌉ of <c>PositiveCounts[0]</c>, γ = (1 + α) / (1 - α).</param>
/// <param name="PositiveCounts">Counts of consecutive keys from <paramref name="PositiveOffset"/>, values x &gt; 0.</param>
/// <param name="NegativeOffset">Key ⌈log_γ |x|⌉ of <c>NegativeCounts[0]</c>.</param>
/// <param name="NegativeCounts">Counts of consecutive keys from <paramref name="NegativeOffset"/>, values x &lt; 0.</param>
public sealed record QuantileSketch(double Alpha, long ZeroCount, int PositiveOffset, long[] PositiveCounts, int NegativeOffset, long[] NegativeCounts)
{
    /// <summary>Most bins of one sign a reader accepts (the device's sketch keeps 2048 per sign).</summary>
    public const int MaxBins = 4096;

    /// <summary>Number of values the sketch holds.</summary>
    public long Count => ZeroCount + PositiveCounts.Sum() + NegativeCounts.Sum();

    /// <summary>The state of <paramref name="sketch"/> (copies its bins).</summary>
    /// <param name="sketch">The sketch.</param>
    /// <returns>Its wire form.</returns>
    public static QuantileSketch From(DDSketch sketch)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        long[] positive = sketch.Bins(negative: false, out int positiveOffset);
        long[] negative = sketch.Bins(negative: true, out int negativeOffset);
        return new QuantileSketch(sketch.RelativeAccuracy, sketch.ZeroCount, positiveOffset, positive, negativeOffset, negative);
    }

    /// <summary>Adds this state's values to <paramref name="sketch"/> (a merge, §2.3).</summary>
    /// <param name="sketch">A sketch of the same α.</param>
    /// <exception cref="ArgumentException">The sketch's α differs.</exception>
    public void AddTo(DDSketch sketch)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        if (sketch.RelativeAccuracy != Alpha)
        {
            throw new ArgumentException($"cannot merge a quantile sketch with α={Alpha} into one with α={sketch.RelativeAccuracy}", nameof(sketch));
        }

        sketch.AddZeros(ZeroCount);
        for (int i = 0; i < PositiveCounts.Length; i++)
        {
            sketch.AddBin(negative: false, PositiveOffset + i, PositiveCounts[i]);
        }

        for (int i = 0; i < NegativeCounts.Length; i++)
        {
            sketch.AddBin(negative: true, NegativeOffset + i, NegativeCounts[i]);
        }
    }

    /// <summary>Checks the state a reader was given: α in (0, 1), counts not negative, at most <see cref="MaxBins"/> per sign,
    /// keys within int32.</summary>
    /// <returns>Null when valid, else what is wrong.</returns>
    public string? Problem()
    {
        if (!(Alpha > 0.0 && Alpha < 1.0))
        {
            return $"alpha {Alpha}: expected a relative accuracy in (0, 1)";
        }

        if (ZeroCount < 0)
        {
            return $"zero count {ZeroCount}: expected >= 0";
        }

        foreach (var (offset, counts, sign) in new[] { (PositiveOffset, PositiveCounts, "positive"), (NegativeOffset, NegativeCounts, "negative") })
        {
            if (counts.Length > MaxBins)
            {
                return $"{sign} bins: {counts.Length}, expected at most {MaxBins}";
            }

            if ((long)offset + counts.Length > int.MaxValue)
            {
                return $"{sign} bins from key {offset}: {counts.Length} bins run past int32 keys";
            }

            foreach (long c in counts)
            {
                if (c < 0)
                {
                    return $"{sign} bins: count {c}, expected >= 0";
                }
            }
        }

        return null;
    }
}
