namespace Appliance.Detection;

/// <summary>
/// Relative-entropy detector with multiple hypotheses (Wang et al. 2011, "Statistical techniques for online anomaly
/// detection in data centers", IFIP/IEEE IM, Figure 1), with the parameters of NAB's <c>relativeEntropy</c>
/// (numenta/NAB <c>nab/detectors/relative_entropy/relative_entropy_detector.py</c>): values are quantised into
/// <c>bins</c> levels over [min, max] (b = ⌈(x − min)/step⌉, step = (max − min)/bins; levels bins − 1 and bins share
/// the last bin, as in numpy.histogram over [0, bins]); the histogram P̂ of the last W samples is tested against every stored
/// hypothesis P with 2W·D(P̂‖P) (natural log) &lt; T = χ²_{bins−1}(0.99) (= 13.2767 for 5 bins). When the best
/// agreeing hypothesis has been seen at most c_th times, or none agrees (P̂ becomes a new hypothesis), the score is 1,
/// otherwise 0. Memory: a ring of W bin indices and at most <c>maxHypotheses</c> histograms (when full, a window that
/// agrees with none scores 1 and is not stored; such drops are counted in <see cref="DroppedHypotheses"/>).
/// </summary>
public sealed class RelativeEntropyDetector : ISampleDetector
{
    /// <summary>χ² with 4 degrees of freedom at upper tail 0.01 (scipy.stats.chi2.isf(0.01, 4)).</summary>
    public const double ChiSquare4At99 = 13.276704135987622;

    private readonly double _min;
    private readonly double _step;
    private readonly int _bins;
    private readonly int _w;
    private readonly double _t;
    private readonly int _cth;
    private readonly int[] _ring;
    private readonly int[] _counts;
    private readonly double[] _pHat;
    private readonly double[] _hypotheses;
    private readonly int[] _seen;
    private readonly int _maxHypotheses;
    private int _m;
    private long _n;

    /// <summary>Creates the detector for values expected in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">Smallest expected value (NAB: the file's minimum).</param>
    /// <param name="max">Largest expected value (NAB: the file's maximum). When equal to min, every score is 0.</param>
    /// <param name="bins">Quantisation levels (NAB: 5).</param>
    /// <param name="window">W, samples per histogram (NAB: 52).</param>
    /// <param name="threshold">T: the χ² point with bins − 1 degrees of freedom; default <see cref="ChiSquare4At99"/> for 5 bins.</param>
    /// <param name="frequent">c_th: a hypothesis seen at most this many times is still anomalous (NAB: 1).</param>
    /// <param name="maxHypotheses">Bound on stored hypotheses.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public RelativeEntropyDetector(double min, double max, int bins = 5, int window = 52, double threshold = ChiSquare4At99, int frequent = 1, int maxHypotheses = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHypotheses, 1);
        if (!(max >= min) || !double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, $"expected finite min ≤ max (min {min})");
        }

        _min = min;
        _bins = bins;
        _step = (max - min) / bins;
        _w = window;
        _t = threshold;
        _cth = frequent;
        _maxHypotheses = maxHypotheses;
        _ring = new int[window];
        _counts = new int[bins];
        _pHat = new double[bins];
        _hypotheses = new double[maxHypotheses * bins];
        _seen = new int[maxHypotheses];
    }

    /// <inheritdoc/>
    public string Name => "relative-entropy";

    /// <summary>Hypotheses stored so far.</summary>
    public int Hypotheses => _m;

    /// <summary>New hypotheses not stored because <c>maxHypotheses</c> were held.</summary>
    public long DroppedHypotheses { get; private set; }

    /// <inheritdoc/>
    public double Update(double value)
    {
        if (double.IsNaN(value) || _step == 0.0)
        {
            return 0.0;
        }

        // numpy.histogram(ceil((x - min)/step), bins, range=(0, bins)): bins [0,1), [1,2), …, [bins−1, bins], so level b
        // falls in bin b for b < bins and level `bins` (the top) in the last bin. Levels outside [0, bins] (values outside
        // [min, max]) are not counted by numpy; here they are clamped, so that a live stream beyond its range still counts.
        var level = Math.Ceiling((value - _min) / _step);
        var bin = level <= 0 ? 0 : level >= _bins ? _bins - 1 : (int)level;
        var slot = (int)(_n % _w);
        if (_n >= _w)
        {
            _counts[_ring[slot]]--;
        }

        _ring[slot] = bin;
        _counts[bin]++;
        _n++;
        if (_n < _w)
        {
            return 0.0;
        }

        for (var b = 0; b < _bins; b++)
        {
            _pHat[b] = _counts[b] / (double)_w;
        }

        if (_m == 0)
        {
            Store();
            return 0.0;
        }

        var index = -1;
        var best = double.PositiveInfinity;
        for (var h = 0; h < _m; h++)
        {
            var d = 2.0 * _w * KullbackLeibler(_pHat, _hypotheses.AsSpan(h * _bins, _bins));
            if (d < _t && d < best)
            {
                best = d;
                index = h;
            }
        }

        if (index >= 0)
        {
            _seen[index]++;
            return _seen[index] <= _cth ? 1.0 : 0.0;
        }

        if (_m < _maxHypotheses)
        {
            Store();
        }
        else
        {
            DroppedHypotheses++;
        }

        return 1.0;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        Array.Clear(_counts);
        _m = 0;
        _n = 0;
        DroppedHypotheses = 0;
    }

    // D(p‖q) = Σ p ln(p/q) over p > 0; +∞ where q = 0 < p (scipy.stats.entropy(p, q)).
    private static double KullbackLeibler(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var d = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] > 0)
            {
                if (q[i] == 0)
                {
                    return double.PositiveInfinity;
                }

                d += p[i] * Math.Log(p[i] / q[i]);
            }
        }

        return d;
    }

    private void Store()
    {
        _pHat.CopyTo(_hypotheses.AsSpan(_m * _bins, _bins));
        _seen[_m] = 1;
        _m++;
    }
}
