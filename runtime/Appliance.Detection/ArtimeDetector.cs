namespace Appliance.Detection;

/// <summary>
/// ARTime: anomaly detection by adaptive resonance over short windows of a downsampled, normalised series. The method is
/// Mark Hampton's ARTime (2021; github.com/markNZed/ARTimeNAB.jl, AGPL-3; NAB scoreboard 74.85 / 65.15 / 80.36 in
/// numenta/NAB <c>results/final_results.json</c>), re-implemented here in C# from a reading of that code (no code is
/// copied); its learning core is fuzzy ART (Carpenter, Grossberg &amp; Rosen 1991, Neural Networks 4(6), 759–771) with dual
/// vigilance (<see cref="FuzzyArtCategories"/>). Per series it is told only what NAB tells its detectors: the value range
/// [min, max] and the probationary length P (numenta/NAB <c>nab/detectors/base.py</c>).
/// <list type="number">
/// <item>Downsampling: P is made even; a stride s = max(1, ⌊P / (W·13)⌋) (W = 8, the window) cuts the series into blocks of
/// s samples. Each block yields one value: its extreme (max or min) farthest from a running mean m ← (m + block mean)/2,
/// or the block mean when that extreme is within 10 % of the mean (a spike must stand out).</item>
/// <item>Quantisation: the value is normalised to [0, 1] over [min, max] and rounded to one of 81 levels (k/80, ties to
/// even); values within 0.075 of a running median level (a histogram median moved at most one occupied level per step)
/// snap to the median, so noise around the typical level reads as that level.</item>
/// <item>Features: the last W = 8 levels, and their shape: the window shifted to start at 0 and scaled to a maximum of 1,
/// then its full 3-level orthonormal Haar transform (Mallat 1989, IEEE TPAMI 11(7); layout [a₃, d₃, d₂(2), d₁(4)],
/// d = (x₂ₖ − x₂ₖ₋₁)/√2, the sign of Wavelets.jl's <c>WT.haar</c> that ARTime uses), again shifted and scaled to [0, 1]. 16 features in all.</item>
/// <item>Learning period: the first L = ⌊P / s⌋ feature vectors are kept. At the end of it, the initial vigilance is
/// found by training a scratch fuzzy ART at ρ = 0.8 on them, the least typical first (ordered by the sum of their cosine
/// similarities to the others), and taking the mean best resonance over its second half; then the kept vectors are
/// replayed through the detector's own ART with ρ_lb = ρ_ub = that value. Scores in the learning period are 0.</item>
/// <item>Detection: a vector that founds a new cluster (best resonance R* &lt; ρ_lb) is an anomaly unless masked: masking
/// lasts 12 steps (1.5 W) after an anomaly and, after any new cluster or vigilance update, until 12 steps pass without a
/// new cluster; a masked novelty still counts when R* falls below 0.9 (within 12 steps of the last anomaly) or 0.7
/// (otherwise) of the last anomaly's resonance. The score is the confidence
/// 0.35·(ρ_ub − R)/(1 − R) + 0.65·(ρ_lb − R)/(1 − R) + 1.5·(1 − E) capped at 1, R = min(R*, 0.999), E the best
/// category's energy, rounded to 6 decimals; it is reported at the last sample of the block.</item>
/// <item>Vigilance adaptation, every L/2 steps and 12 steps after an anomaly: ρ_ub ← min(0.97, mean of all R*); ρ_lb moves
/// 19 % of the way up to the smallest R* of the last L/2 + 1 steps when that is higher, else down by half the mean
/// shortfall ρ_ub − R* (shortfalls above 0.05 over the last L + 1 steps, each capped at 0.37, at least 0.01), not below
/// the mean resonance of past anomalies; ρ_lb ≤ ρ_ub.</item>
/// </list>
/// Every constant (8, 13, 80 levels, 0.075, 10 %, 0.8, 12, 0.9/0.7, the confidence weights, 0.97, 19 %, 0.05, 0.37,
/// 0.01) is ARTime's, and like the NAB leaders' parameters they were chosen by its author on NAB itself.
/// Without a given range (<see cref="LearningItsRange"/>, a device's <c>artime:learn=N</c> without <c>detector_range</c>)
/// [min, max] is the range of the learning period's own samples, widened by <c>margin</c> × its span on each side: the
/// learning period's downsampled values are held until its end, then quantised over that range and the learning step
/// runs as above; nothing after the learning period changes the range (no look-ahead), and later values beyond it take the
/// end levels.
/// Departures: the category set is bounded (<c>capacity</c>, least recently chosen replaced; ARTime's grows without
/// bound), NaN is neither scored nor learned, values outside [min, max] take the end levels.
/// Memory: capacity × 32 weights, L × 16 learning-period features, three rings of at most L + 1 values; no allocation
/// per sample. Cost: one ART presentation (capacity × 32 minimums at most; 17 µs against 1024 categories in one
/// <c>DetectorBenchmarks</c> run) per s samples, and once, at the end of the learning period, L²/2 cosine similarities
/// and L replayed presentations.
/// </summary>
public sealed partial class ArtimeDetector : ISampleDetector
{
    /// <summary>Samples in a feature window (ARTime <c>window</c>).</summary>
    public const int Window = 8;

    /// <summary>Feature vector length: the window's levels and their Haar shape.</summary>
    public const int FeatureCount = 2 * Window;

    private const int WindowsPerLearning = 13;
    private const int Levels = 80;
    private const double Snap = 0.075;
    private const double InitialVigilance = 0.8;
    private const int Mask = Window * 3 / 2;
    private const double UpperCap = 0.97;

    private readonly double[]? _learntValues;
    private readonly double _margin;
    private double _min;
    private double _span;
    private double _learntMin;
    private double _learntMax;
    private readonly int _stride;
    private readonly int _learning;
    private readonly FuzzyArtCategories _art;
    private readonly double[] _kept;
    private readonly double[] _features = new double[FeatureCount];
    private readonly double[] _coded = new double[2 * FeatureCount];
    private readonly double[] _shape = new double[Window];
    private readonly double[] _haar = new double[Window];
    private readonly double[] _levels = new double[Window];
    private readonly long[] _histogram = new long[Levels + 1];
    private readonly double[] _recent;
    private readonly double[] _shortfall;
    private readonly double[] _typicality;
    private readonly double[] _typicalityKeys;
    private readonly int[] _order;
    private readonly FuzzyArtCategories _scratch;

    // Downsampling block.
    private int _inBlock;
    private double _blockSum;
    private double _blockMin;
    private double _blockMax;
    private double _runningMean;

    // Running median of the levels.
    private int _median;
    private long _below;
    private long _above;

    // Detection state (step = downsampled index, from 1).
    private long _step;
    private long _lastAnomaly;
    private double _lastAnomalyResonance;
    private double _anomalyLowest;
    private long _lastVigilanceUpdate;
    private bool _maskAfterCluster;
    private long _stepsWithoutCluster;
    private double _resonanceSum;
    private double _anomalyResonanceSum;
    private long _anomalies;
    private int _recentAt;
    private int _shortfallAt;

    /// <summary>Creates the detector for one channel.</summary>
    /// <param name="min">Smallest expected value (NAB: the file's minimum).</param>
    /// <param name="max">Largest expected value (NAB: the file's maximum); equal to min: every value reads level 0.</param>
    /// <param name="probationary">P, samples of the learning period (NAB: min(⌊0.15 n⌋, 750)); at least 32.</param>
    /// <param name="capacity">Most fuzzy ART categories kept (≥ 16).</param>
    /// <exception cref="ArgumentOutOfRangeException">min/max not finite or max &lt; min, probationary &lt; 32, capacity &lt; 16.</exception>
    public ArtimeDetector(double min, double max, int probationary, int capacity = 1024)
        : this(min, max, probationary, capacity, learnRange: false, margin: 0)
    {
    }

    private ArtimeDetector(double min, double max, int probationary, int capacity, bool learnRange, double margin)
    {
        if (!learnRange && (!double.IsFinite(min) || !double.IsFinite(max) || max < min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"expected finite min ≤ max (min {min})");
        }

        if (!(margin >= 0 && margin <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "expected a range margin from 0 to 100 (× the learning period's span)");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(probationary, 4 * Window);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        _min = min;
        _span = max - min;
        var even = probationary - (probationary % 2);
        _stride = Math.Max(1, even / (Window * WindowsPerLearning));
        _learning = even / _stride;
        _art = new FuzzyArtCategories(FeatureCount, capacity);
        _kept = new double[_learning * FeatureCount];
        _recent = new double[(_learning / 2) + 1];
        _shortfall = new double[_learning + 1];
        var full = _learning - (Window - 1);
        _typicality = new double[full];
        _typicalityKeys = new double[full];
        _order = new int[full];
        _scratch = new FuzzyArtCategories(FeatureCount, full + 1);
        _margin = margin;
        _learntValues = learnRange ? new double[_learning] : null;
        Reset();
    }

    /// <summary>
    /// Creates the detector for one channel whose range is not known in advance: [min, max] is learnt from the learning
    /// period's samples only, widened by <paramref name="margin"/> × their span on each side (see the class remarks).
    /// The output for the first k samples does not depend on any later sample.
    /// </summary>
    /// <param name="probationary">Samples of the learning period (a device's <c>learn=N</c>); at least 32.</param>
    /// <param name="capacity">Most fuzzy ART categories kept (≥ 16).</param>
    /// <param name="margin">Widening of the learnt range on each side, as a fraction of its span (0 to 100).</param>
    /// <returns>The detector.</returns>
    /// <exception cref="ArgumentOutOfRangeException">probationary &lt; 32, capacity &lt; 16, margin outside [0, 100].</exception>
    public static ArtimeDetector LearningItsRange(int probationary, int capacity = 1024, double margin = 0) =>
        new(double.NaN, double.NaN, probationary, capacity, learnRange: true, margin);

    /// <summary>True when the range is learnt from the learning period (<see cref="LearningItsRange"/>).</summary>
    public bool LearnsRange => _learntValues is not null;

    /// <inheritdoc/>
    public string Name => "artime";

    /// <summary>Samples per downsampled step (s).</summary>
    public int Stride => _stride;

    /// <summary>Downsampled steps of the learning period (L).</summary>
    public int LearningSteps => _learning;

    /// <summary>The fuzzy ART categories (for inspection: count, replacements, vigilances).</summary>
    public FuzzyArtCategories Categories => _art;

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (!double.IsFinite(value))
        {
            return 0.0;
        }

        if (_inBlock == 0)
        {
            _blockMin = value;
            _blockMax = value;
            _blockSum = 0.0;
        }

        _blockSum += value;
        _blockMin = Math.Min(_blockMin, value);
        _blockMax = Math.Max(_blockMax, value);
        if (++_inBlock < _stride)
        {
            return 0.0;
        }

        _inBlock = 0;
        _step++;
        var ds = Downsample();
        if (_learntValues is not null && _step <= _learning)
        {
            return HoldForRange(ds);
        }

        var level = Quantise(ds);
        ShiftIn(_levels, level);
        Extract();
        return _step <= _learning ? Keep() : Detect(_features, _step);
    }

    /// <inheritdoc/>
    public void Reset()
    {
        if (_learntValues is not null)
        {
            _min = double.NaN;
            _span = double.NaN;
            _learntMin = double.PositiveInfinity;
            _learntMax = double.NegativeInfinity;
        }

        _art.Clear();
        _art.LowerVigilance = 0.0;
        _art.UpperVigilance = 0.0;
        _inBlock = 0;
        _runningMean = 0.0;
        Array.Clear(_histogram);
        Array.Clear(_levels);
        _median = 0;
        _below = 0;
        _above = 0;
        _step = 0;
        _lastAnomaly = 0;
        _lastAnomalyResonance = 0.0;
        _anomalyLowest = 0.0;
        _lastVigilanceUpdate = 0;
        _maskAfterCluster = false;
        _stepsWithoutCluster = 0;
        _resonanceSum = 0.0;
        _anomalyResonanceSum = 0.0;
        _anomalies = 0;
        Array.Fill(_recent, 1.0);
        Array.Clear(_shortfall);
        _recentAt = 0;
        _shortfallAt = 0;
    }

    /// <summary>
    /// The full orthonormal Haar transform of 8 values (Mallat 1989, "A theory for multiresolution signal decomposition",
    /// IEEE TPAMI 11(7), §III): per level, a = (x₂ₖ₋₁ + x₂ₖ)/√2 and d = (x₂ₖ − x₂ₖ₋₁)/√2 (the sign of JuliaDSP/Wavelets.jl <c>WT.haar</c>) on the previous level's
    /// approximations; output [a₃, d₃, d₂₁, d₂₂, d₁₁, d₁₂, d₁₃, d₁₄].
    /// </summary>
    /// <param name="x">8 values.</param>
    /// <param name="result">Receives the 8 coefficients.</param>
    /// <exception cref="ArgumentException">Either span is not 8 long.</exception>
    public static void Haar(ReadOnlySpan<double> x, Span<double> result)
    {
        if (x.Length != Window || result.Length != Window)
        {
            throw new ArgumentException($"expected {Window} values in and out", nameof(x));
        }

        Span<double> approx = stackalloc double[Window];
        Span<double> next = stackalloc double[Window / 2];
        x.CopyTo(approx);
        for (var n = Window; n > 1; n /= 2)
        {
            var half = n / 2;
            for (var k = 0; k < half; k++)
            {
                next[k] = (approx[2 * k] + approx[(2 * k) + 1]) / Math.Sqrt(2.0);
                result[half + k] = (approx[(2 * k) + 1] - approx[2 * k]) / Math.Sqrt(2.0);
            }

            next[..half].CopyTo(approx);
        }

        result[0] = approx[0];
    }

    // The block's representative value: the extreme farther from the running mean, unless within 10 % of the mean.
    private double Downsample()
    {
        var mean = _blockSum / _stride;
        _runningMean = _step == 1 ? mean : (_runningMean + mean) / 2;
        var ds = Math.Abs(_blockMax - _runningMean) < Math.Abs(_blockMin - _runningMean) ? _blockMin : _blockMax;
        return Math.Abs(ds - mean) < 0.1 * mean ? mean : ds;
    }

    // Level k/80 of the normalised value, snapped to the running median level when within 0.075 of it.
    private double Quantise(double ds)
    {
        var normalised = ds - _min;
        if (_span != 0)
        {
            normalised /= _span;
        }

        var level = (int)Math.Clamp(Math.Round(normalised * Levels, MidpointRounding.ToEven), 0, Levels);
        _histogram[level]++;
        if (_step == 1)
        {
            _median = level;
        }

        if (level < _median)
        {
            _below++;
        }
        else if (level > _median)
        {
            _above++;
        }

        // At most one occupied level per step towards the half count (not an exact running median; ARTime's choice).
        var half = _step / 2;
        if (_above > half)
        {
            _below += _histogram[_median];
            do
            {
                _median++;
            }
            while (_histogram[_median] == 0);
            _above -= _histogram[_median];
        }
        else if (_below > half)
        {
            _above += _histogram[_median];
            do
            {
                _median--;
            }
            while (_histogram[_median] == 0);
            _below -= _histogram[_median];
        }

        var quantised = (double)level / Levels;
        var median = (double)_median / Levels;
        return Math.Abs(quantised - median) < Snap ? median : quantised;
    }

    // The 16 features of the current window: [Haar shape (8), levels (8)]; zeros until the window is full.
    private void Extract()
    {
        if (_step < Window)
        {
            Array.Clear(_features);
            return;
        }

        ScaleToUnit(_levels, _shape);
        Haar(_shape, _haar);
        ScaleToUnit(_haar, _features.AsSpan(0, Window));
        _levels.CopyTo(_features, Window);
    }

    private static void ScaleToUnit(ReadOnlySpan<double> x, Span<double> result)
    {
        var lo = double.PositiveInfinity;
        foreach (var v in x)
        {
            lo = Math.Min(lo, v);
        }

        var hi = double.NegativeInfinity;
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = x[i] - lo;
            hi = Math.Max(hi, result[i]);
        }

        if (hi != 0)
        {
            for (var i = 0; i < x.Length; i++)
            {
                result[i] /= hi;
            }
        }
    }

    private static void ShiftIn(double[] ring, double value)
    {
        Array.Copy(ring, 1, ring, 0, ring.Length - 1);
        ring[^1] = value;
    }

    // Learning period with a learnt range: hold the downsampled value; at its last step fix the range from the learning
    // period's samples and run the learning step over the held values, as if the range had been known from the start.
    private double HoldForRange(double ds)
    {
        _learntValues![_step - 1] = ds;
        _learntMin = Math.Min(_learntMin, _blockMin);
        _learntMax = Math.Max(_learntMax, _blockMax);
        if (_step < _learning)
        {
            return 0.0;
        }

        var widen = (_learntMax - _learntMin) * _margin;
        _min = _learntMin - widen;
        _span = (_learntMax + widen) - _min;
        for (var k = 1; k <= _learning; k++)
        {
            _step = k;
            ShiftIn(_levels, Quantise(_learntValues[k - 1]));
            Extract();
            _ = Keep();
        }

        return 0.0;
    }

    // Learning period: keep the features; at its last step set the vigilance and replay them.
    private double Keep()
    {
        _features.CopyTo(_kept, (int)(_step - 1) * FeatureCount);
        if (_step < _learning)
        {
            return 0.0;
        }

        var rho = InitialVigilanceOf();
        _art.Clear();
        _art.LowerVigilance = rho;
        _art.UpperVigilance = rho;
        for (var k = 1; k <= _learning; k++)
        {
            _ = Detect(_kept.AsSpan((k - 1) * FeatureCount, FeatureCount), k);
        }

        return 0.0;
    }
}
