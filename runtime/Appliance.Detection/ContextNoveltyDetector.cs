namespace Appliance.Detection;

/// <summary>
/// Multi-resolution context novelty: a sample is anomalous when the short sequence of quantised values that ends in it
/// (its <em>context</em>) has rarely or never been seen before in the stream. This is the principle of the Contextual
/// Anomaly Detector (Smirnov 2016, CAD OSE, NAB scoreboard 69.9; numenta/NAB <c>nab/detectors/context_ose</c>: values
/// quantised to 3 bits, a score from the share of new contexts, a rest period after each alarm) combined with the
/// multi-resolution novelty of ARTime (Hoyle 2022, Fuzzy ART at several input resolutions, learning from the first
/// sample on; NAB scoreboard 74.9). It is a re-design for a fixed memory and cost, not a port of either:
/// <list type="bullet">
/// <item>each value is quantised at <c>R</c> resolutions, q_r = ⌊2^{b_r}·(x − min)/(max − min)⌋ clamped to
/// [0, 2^{b_r} − 1], for b_r = <c>lowBits</c> … <c>highBits</c>;</item>
/// <item>per resolution, contexts of orders 0 … <c>order</c> (the current level and the k previous levels) are hashed
/// (SplitMix64 finaliser, Steele et al. 2014, "Fast splittable pseudorandom number generators", OOPSLA) into one
/// table of 2^<c>tableBits</c> saturating 8-bit counters (a count-min sketch of depth 1, Cormode &amp; Muthukrishnan 2005,
/// J. Algorithms 55(1)), which can only over-count, so a context reported new is truly new;</item>
/// <item>the raw score is the share of the R·(order + 1) contexts whose count before this sample was ≤
/// <c>frequent</c> − 1 (that is, seen fewer than <c>frequent</c> times); then every context is counted;</item>
/// <item>rest period (CAD OSE <c>restPeriod</c>): when any raw score of the last <c>rest</c> samples reached
/// <c>level</c>, the reported score is 0 (the detector still learns), so that one incident raises one alarm.</item>
/// </list>
/// Memory: the counter table, R·(order + 1) level histories; no allocation per sample. Cost: R·(order + 1) hashes and
/// table reads per sample. Values outside [min, max] fall in the end levels; NaN is neither scored nor learned.
/// </summary>
public sealed class ContextNoveltyDetector : ISampleDetector
{
    private const long NoAlarm = -(1L << 40);
    private readonly double _min;
    private readonly double _span;
    private readonly int _lowBits;
    private readonly int _resolutions;
    private readonly int _order;
    private readonly int _frequent;
    private readonly int _rest;
    private readonly double _level;
    private readonly byte[] _table;
    private readonly ulong _mask;
    private readonly int[] _history;
    private readonly bool _delta;
    private readonly double _alpha;
    private double _smoothed;
    private double _previous;
    private long _n;
    private long _lastAlarm = NoAlarm;

    /// <summary>Creates the detector for values expected in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">Smallest expected value (NAB: the file's minimum, as NAB's detectors are told).</param>
    /// <param name="max">Largest expected value. When equal to min, every value falls in level 0.</param>
    /// <param name="lowBits">Coarsest resolution, bits (1–16).</param>
    /// <param name="highBits">Finest resolution, bits (lowBits–16).</param>
    /// <param name="order">Previous levels in the longest context (0–8).</param>
    /// <param name="frequent">A context seen fewer than this many times is novel (1–255).</param>
    /// <param name="rest">Samples after a raw score ≥ level whose reported score is 0 (0: none).</param>
    /// <param name="level">Raw score that starts the rest period.</param>
    /// <param name="tableBits">log2 of the number of counters (10–26).</param>
    /// <param name="delta">Quantise the change from the previous (smoothed) value, over [−(max − min), max − min], instead
    /// of the value itself.</param>
    /// <param name="smooth">Quantise an exponential moving average of the values with α = 2/(smooth + 1) (the EWMA with
    /// the centre of mass of a smooth-sample boxcar; NIST/SEMATECH e-Handbook §6.3.2.4) instead of the raw value; 1: raw.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public ContextNoveltyDetector(double min, double max, int lowBits = 2, int highBits = 5, int order = 2, int frequent = 1, int rest = 0, double level = 1.0, int tableBits = 18, bool delta = false, int smooth = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(smooth, 1);
        _delta = delta;
        _alpha = 2.0 / (smooth + 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(lowBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(highBits, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(highBits, lowBits);
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(frequent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frequent, 255);
        ArgumentOutOfRangeException.ThrowIfNegative(rest);
        ArgumentOutOfRangeException.ThrowIfLessThan(tableBits, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tableBits, 26);
        if (!(max >= min) || !double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"expected finite min ≤ max (min {min})");
        }

        _min = min;
        _span = max - min;
        _lowBits = lowBits;
        _resolutions = highBits - lowBits + 1;
        _order = order;
        _frequent = frequent;
        _rest = rest;
        _level = level;
        _table = new byte[1 << tableBits];
        _mask = (1UL << tableBits) - 1;
        _history = new int[_resolutions * (order + 1)];
    }

    /// <inheritdoc/>
    public string Name => "context-novelty";

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0.0;
        }

        _smoothed = _n == 0 ? value : _smoothed + (_alpha * (value - _smoothed));
        var x = _smoothed;
        double unit;
        if (_delta)
        {
            unit = _span > 0 ? 0.5 + ((_n == 0 ? 0.0 : x - _previous) / (2.0 * _span)) : 0.5;
        }
        else
        {
            unit = _span > 0 ? (x - _min) / _span : 0.0;
        }

        _previous = x;
        var novel = 0;
        var width = _order + 1;
        for (var r = 0; r < _resolutions; r++)
        {
            var bits = _lowBits + r;
            var top = (1 << bits) - 1;
            var scaled = unit * (1 << bits);
            var q = scaled <= 0 ? 0 : scaled >= top ? top : (int)scaled;

            // Shift this resolution's history: slot 0 is the newest level.
            var h = r * width;
            for (var j = _order; j > 0; j--)
            {
                _history[h + j] = _history[h + j - 1];
            }

            _history[h] = q;
            var key = ((ulong)(uint)bits << 56) ^ 0x9E3779B97F4A7C15UL;
            var known = Math.Min(_n + 1, width);
            for (var j = 0; j < known; j++)
            {
                key = Mix(key ^ ((ulong)(uint)_history[h + j] + ((ulong)(uint)j << 20)));
                var slot = (int)(key & _mask);
                var c = _table[slot];
                if (c < _frequent)
                {
                    novel++;
                }

                if (c < byte.MaxValue)
                {
                    _table[slot] = (byte)(c + 1);
                }
            }

            // Contexts longer than the samples seen so far count as novel.
            novel += width - (int)known;
        }

        var score = novel / (double)(_resolutions * width);
        _n++;
        if (_rest > 0)
        {
            var resting = _n - _lastAlarm <= _rest;
            if (score >= _level)
            {
                _lastAlarm = _n;
            }

            if (resting)
            {
                return 0.0;
            }
        }

        return score;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        Array.Clear(_table);
        Array.Clear(_history);
        _n = 0;
        _smoothed = 0.0;
        _previous = 0.0;
        _lastAlarm = NoAlarm;
    }

    // SplitMix64 finaliser (Steele, Lea & Flood 2014).
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
