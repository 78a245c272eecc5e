namespace Appliance.Kernels.Histograms;

/// <summary>
/// A histogram over fixed, equal-width buckets of [<see cref="Lower"/>, <see cref="Upper"/>): bucket i counts
/// Lower + i·w ≤ x &lt; Lower + (i+1)·w with w = (Upper - Lower) / BucketCount; samples below Lower, at or above Upper,
/// and NaN are counted apart. Two histograms with the same edges merge by adding counts, exactly, so they roll up across
/// windows, sensors and devices like the moment states.
/// </summary>
/// <remarks>The counts are allocated once; <see cref="Add(ReadOnlySpan{float})"/> allocates nothing.</remarks>
public sealed class FixedHistogram
{
    private readonly long[] _counts;
    private readonly double _scale;

    /// <summary>Creates an empty histogram.</summary>
    /// <param name="lower">Lower edge of the first bucket (inclusive), in the samples' units.</param>
    /// <param name="upper">Upper edge of the last bucket (exclusive); must be greater than lower, both finite.</param>
    /// <param name="bucketCount">Number of buckets, 1 to 1,000,000.</param>
    /// <exception cref="ArgumentOutOfRangeException">Edges not finite or not increasing, or bucketCount out of range.</exception>
    public FixedHistogram(double lower, double upper, int bucketCount)
    {
        if (!double.IsFinite(lower) || !double.IsFinite(upper) || !(upper > lower))
        {
            throw new ArgumentOutOfRangeException(nameof(upper), upper, $"histogram edges must be finite with upper > lower (lower = {lower})");
        }

        if (bucketCount is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketCount), bucketCount, "bucket count must be 1 to 1,000,000");
        }

        Lower = lower;
        Upper = upper;
        _counts = new long[bucketCount];
        _scale = bucketCount / (upper - lower);
    }

    /// <summary>Lower edge of the first bucket (inclusive).</summary>
    public double Lower { get; }

    /// <summary>Upper edge of the last bucket (exclusive).</summary>
    public double Upper { get; }

    /// <summary>Number of buckets.</summary>
    public int BucketCount => _counts.Length;

    /// <summary>Counts per bucket, lowest first.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Samples below <see cref="Lower"/> (including -Infinity).</summary>
    public long Underflow { get; private set; }

    /// <summary>Samples at or above <see cref="Upper"/> (including +Infinity).</summary>
    public long Overflow { get; private set; }

    /// <summary>NaN samples, skipped.</summary>
    public long NanCount { get; private set; }

    /// <summary>All non-NaN samples: the buckets plus underflow and overflow.</summary>
    public long Count
    {
        get
        {
            long n = Underflow + Overflow;
            foreach (long c in _counts)
            {
                n += c;
            }

            return n;
        }
    }

    /// <summary>Lower edge of bucket <paramref name="bucket"/>, Lower + bucket·(Upper - Lower)/BucketCount.</summary>
    public double EdgeOf(int bucket) => Lower + (bucket * (Upper - Lower) / _counts.Length);

    /// <summary>Adds one sample.</summary>
    public void Add(double x)
    {
        if (double.IsNaN(x))
        {
            NanCount++;
        }
        else if (x < Lower)
        {
            Underflow++;
        }
        else if (x >= Upper)
        {
            Overflow++;
        }
        else
        {
            // (x - Lower)·scale can round up to BucketCount just below Upper: clamp into the last bucket.
            int i = Math.Min((int)((x - Lower) * _scale), _counts.Length - 1);
            _counts[i]++;
        }
    }

    /// <summary>Adds every sample of a window.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        foreach (float x in samples)
        {
            Add(x);
        }
    }

    /// <summary>Adds every sample of a window.</summary>
    public void Add(ReadOnlySpan<double> samples)
    {
        foreach (double x in samples)
        {
            Add(x);
        }
    }

    /// <summary>Adds the counts of <paramref name="other"/>, which must have the same edges and bucket count.</summary>
    /// <exception cref="ArgumentException">The edges or bucket counts differ.</exception>
    public void Merge(FixedHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Lower != Lower || other.Upper != Upper || other.BucketCount != BucketCount)
        {
            throw new ArgumentException(
                $"cannot merge histogram [{other.Lower}, {other.Upper}) x {other.BucketCount} into [{Lower}, {Upper}) x {BucketCount}: edges differ", nameof(other));
        }

        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Underflow += other.Underflow;
        Overflow += other.Overflow;
        NanCount += other.NanCount;
    }

    /// <summary>Sets every count to 0.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Underflow = Overflow = NanCount = 0;
    }
}
