namespace Appliance.Kernels.Quantiles;

/// <summary>
/// DDSketch, a mergeable quantile sketch with a relative-error guarantee: Masson, Rim and Lee (2019), "DDSketch: a fast
/// and fully-mergeable quantile sketch with relative-error guarantees", PVLDB 12(12), 2195-2205.
/// </summary>
/// <remarks>
/// <para>A value x &gt; 0 goes to bin ⌈log_γ x⌉ with γ = (1 + α) / (1 - α) (§2.1, Algorithm 1); negative values to the
/// same bins of |x| in a second store, and |x| below <see cref="MinIndexableValue"/> (including 0) to a zero count. The
/// estimate of bin i is 2γ^i / (γ + 1), so every quantile is returned within relative error α of the true value
/// (Theorem 1): |estimate - x_q| ≤ α·|x_q|, where x_q is the sample of rank ⌊q (n - 1)⌋ (0-based) in sorted order.</para>
/// <para>Merging two sketches of the same α adds their bin counts (§2.3), so merge(sketch(A), sketch(B)) equals
/// sketch(A ∪ B) exactly, in any order and split: the same states roll up windows (1 s → 1 min → 1 h), sensors and
/// devices. Each store keeps <c>maxBins</c> bins, allocated at construction; with α = 0.01 the default 2048 bins cover
/// values over a ratio of γ^2048 ≈ 6e17 before the lowest bins are collapsed (§2.2; the guarantee then holds for the
/// quantiles above the collapsed bins, and <see cref="CollapsedBins"/> reports it). Adding allocates nothing.</para>
/// <para>NaN samples are skipped and counted in <see cref="NanCount"/>; ±Infinity is refused as a NaN is
/// (counted in <see cref="NanCount"/> too, as no bin can hold it).</para>
/// </remarks>
public sealed class DDSketch
{
    /// <summary>Smallest |x| given a bin; smaller magnitudes are counted as zero. 1e-300, far below any sensor's resolution.</summary>
    public const double MinIndexableValue = 1e-300;

    private readonly double _gamma;
    private readonly double _inverseLogGamma;
    private readonly DDSketchStore _positive;
    private readonly DDSketchStore _negative;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="relativeAccuracy">α, the relative error bound of every quantile: in (0, 1), for example 0.01 (1%).</param>
    /// <param name="maxBins">Bins kept per sign, at least 16; memory is 16 bytes per bin.</param>
    /// <exception cref="ArgumentOutOfRangeException">α is not in (0, 1) or maxBins is below 16.</exception>
    public DDSketch(double relativeAccuracy = 0.01, int maxBins = 2048)
    {
        if (!(relativeAccuracy > 0.0 && relativeAccuracy < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "relative accuracy α must be in (0, 1), for example 0.01");
        }

        if (maxBins < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBins), maxBins, "maxBins must be at least 16");
        }

        RelativeAccuracy = relativeAccuracy;
        _gamma = (1.0 + relativeAccuracy) / (1.0 - relativeAccuracy);
        _inverseLogGamma = 1.0 / Math.Log(_gamma);
        _positive = new DDSketchStore(maxBins);
        _negative = new DDSketchStore(maxBins);
    }

    /// <summary>α: every quantile estimate is within this relative error of the true sample quantile.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>Number of values in the sketch (NaN and infinities excluded).</summary>
    public long Count => _positive.Count + _negative.Count + ZeroCount;

    /// <summary>Values with |x| below <see cref="MinIndexableValue"/>.</summary>
    public long ZeroCount { get; private set; }

    /// <summary>NaN and infinite samples, skipped.</summary>
    public long NanCount { get; private set; }

    /// <summary>Bins collapsed because the values spanned more than maxBins bins (0 means the α bound holds for every quantile).</summary>
    public long CollapsedBins => _positive.CollapsedBins + _negative.CollapsedBins;

    /// <summary>Adds one sample.</summary>
    public void Add(double x)
    {
        if (!double.IsFinite(x))
        {
            NanCount++;
        }
        else if (x >= MinIndexableValue)
        {
            _positive.Add(Key(x), 1);
        }
        else if (x <= -MinIndexableValue)
        {
            _negative.Add(Key(-x), 1);
        }
        else
        {
            ZeroCount++;
        }
    }

    /// <summary>Adds every sample of a window (NaN skipped and counted).</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        foreach (float x in samples)
        {
            Add(x);
        }
    }

    /// <summary>Adds every sample of a window (NaN skipped and counted).</summary>
    public void Add(ReadOnlySpan<double> samples)
    {
        foreach (double x in samples)
        {
            Add(x);
        }
    }

    /// <summary>Adds the bins of <paramref name="other"/> to this sketch (§2.3): the result is the sketch of both inputs.</summary>
    /// <exception cref="ArgumentException">The sketches differ in α or in bins per sign.</exception>
    public void Merge(DDSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RelativeAccuracy != RelativeAccuracy || other._positive.Capacity != _positive.Capacity)
        {
            throw new ArgumentException(
                $"cannot merge a DDSketch with α={other.RelativeAccuracy}, {other._positive.Capacity} bins into one with α={RelativeAccuracy}, {_positive.Capacity} bins", nameof(other));
        }

        _positive.MergeFrom(other._positive);
        _negative.MergeFrom(other._negative);
        ZeroCount += other.ZeroCount;
        NanCount += other.NanCount;
    }

    /// <summary>Bins per sign this sketch keeps (its <c>maxBins</c>).</summary>
    public int MaxBins => _positive.Capacity;

    /// <summary>
    /// The occupied bins of one sign, lowest key first, for a wire or storage form (the sketch is its α, its zero count
    /// and these bins, §2.1): <paramref name="offset"/> is the key of the first count, and the counts run over consecutive
    /// keys (zeros inside the range included). Empty when the sign holds nothing. Allocates the array.
    /// </summary>
    /// <param name="negative">True for the store of negative values (keys of |x|), false for positive values.</param>
    /// <param name="offset">The key of the first returned count (0 when empty).</param>
    /// <returns>The counts.</returns>
    public long[] Bins(bool negative, out int offset) => (negative ? _negative : _positive).Occupied(out offset);

    /// <summary>
    /// Adds <paramref name="count"/> values to the bin <paramref name="key"/> of one sign, as a merge of a sketch with the
    /// same α would (§2.3); with <see cref="Bins"/> it rebuilds a sketch from its wire or storage form.
    /// </summary>
    /// <param name="negative">True for the store of negative values.</param>
    /// <param name="key">The bin key, ⌈log_γ |x|⌉.</param>
    /// <param name="count">Values in the bin, at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">count is negative.</exception>
    public void AddBin(bool negative, int key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > 0)
        {
            (negative ? _negative : _positive).Add(key, count);
        }
    }

    /// <summary>Adds <paramref name="count"/> values counted as zero (|x| below <see cref="MinIndexableValue"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">count is negative.</exception>
    public void AddZeros(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ZeroCount += count;
    }

    /// <summary>Empties the sketch, keeping its bins allocated.</summary>
    public void Clear()
    {
        _positive.Clear();
        _negative.Clear();
        ZeroCount = 0;
        NanCount = 0;
    }

    /// <summary>
    /// Estimates the q-quantile: within relative error α of the sample of 0-based rank ⌊q (n - 1)⌋ in sorted order
    /// (the "lower" quantile; numpy <c>quantile(method="lower")</c>). NaN when the sketch is empty.
    /// </summary>
    /// <param name="q">Quantile in [0, 1]: 0.5 the median, 0.99 the 99th percentile.</param>
    /// <exception cref="ArgumentOutOfRangeException">q is not in [0, 1].</exception>
    public double Quantile(double q)
    {
        if (!(q >= 0.0 && q <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "quantile must be in [0, 1]");
        }

        long n = Count;
        if (n == 0)
        {
            return double.NaN;
        }

        long rank = (long)(q * (n - 1));
        if (rank < _negative.Count)
        {
            // Most negative first: the highest keys of |x|.
            return -Value(_negative.KeyAtRankFromTop(rank));
        }

        rank -= _negative.Count;
        if (rank < ZeroCount)
        {
            return 0.0;
        }

        return Value(_positive.KeyAtRank(rank - ZeroCount));
    }

    private int Key(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) * _inverseLogGamma);

    private double Value(int key) => 2.0 * Math.Pow(_gamma, key) / (_gamma + 1.0);
}
