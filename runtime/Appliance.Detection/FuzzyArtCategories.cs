using System.Runtime.Intrinsics;

namespace Appliance.Detection;

/// <summary>
/// A bounded set of fuzzy ART categories over complement-coded inputs, with the dual-vigilance resonance step that
/// ARTime uses. Fuzzy ART (Carpenter, Grossberg &amp; Rosen 1991, "Fuzzy ART: fast stable learning and categorization of
/// analog patterns by an adaptive resonance system", Neural Networks 4(6), 759–771):
/// <list type="bullet">
/// <item>complement coding (§5): an input a ∈ [0, 1]^M is presented as I = (a, 1 − a), so |I| = M for every input;</item>
/// <item>the fuzzy AND (§2) is the component-wise minimum, (x ∧ y)_i = min(x_i, y_i), and |x| = Σ|x_i| (L1 norm);</item>
/// <item>category choice (eq. 1): T_j = |I ∧ w_j| / (α + |w_j|); this class uses α → 0 (the "conservative limit", §4),
/// so T_j = |I ∧ w_j| / |w_j|, the share of category j's weight the input covers;</item>
/// <item>fast learning (eq. 3 with β = 1): w_j ← I ∧ w_j; geometrically (§6) a category is the hyper-box
/// [u_j, v_j] with w_j = (u_j, 1 − v_j), and learning grows the box just enough to hold a;</item>
/// <item>a new category is committed as w = I (fast commit).</item>
/// </list>
/// ARTime (Mark Hampton 2021, github.com/markNZed/ARTimeNAB.jl, AGPL-3; its DVFA derived from AP6YC/AdaptiveResonance.jl
/// after da Silva, Elnabarawy &amp; Wunsch 2019, "Dual vigilance fuzzy adaptive resonance theory", Neural Networks 109)
/// ranks categories by a resonance R_j = T_j³ · E_j², where E_j is the same choice ratio over only the input's last
/// component and its complement (the current level of the window, its "energy"), and applies two vigilances
/// ρ_lb ≤ ρ_ub to the best resonance R*: R* ≥ ρ_ub: every category with R_j ≥ ρ_ub learns (resonance); ρ_lb ≤ R* &lt; ρ_ub:
/// the input is committed as a new category of a known cluster; R* &lt; ρ_lb: it is committed as a new cluster, which is
/// the novelty ARTime reports. This is an independent C# implementation written from that description.
/// Memory: capacity × 2M weights, allocated once; when the capacity is reached, a commit replaces the category least
/// recently chosen (an addition for bounded memory; ARTime grows without bound). No allocation per input.
/// </summary>
public sealed class FuzzyArtCategories
{
    private readonly int _width;
    private readonly double[] _weights;
    private readonly double[] _norms;
    private readonly long[] _lastChosen;
    private readonly double[] _resonance;
    private long _presentations;

    /// <summary>Creates an empty set for inputs of <paramref name="features"/> components.</summary>
    /// <param name="features">M, the components of an input before complement coding (≥ 1).</param>
    /// <param name="capacity">Most categories held (≥ 2).</param>
    /// <exception cref="ArgumentOutOfRangeException">features &lt; 1 or capacity &lt; 2.</exception>
    public FuzzyArtCategories(int features, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        Features = features;
        _width = 2 * features;
        Capacity = capacity;
        _weights = new double[capacity * _width];
        _norms = new double[capacity];
        _lastChosen = new long[capacity];
        _resonance = new double[capacity];
    }

    /// <summary>M, the components of an input before complement coding.</summary>
    public int Features { get; }

    /// <summary>Most categories held.</summary>
    public int Capacity { get; }

    /// <summary>Categories held now.</summary>
    public int Count { get; private set; }

    /// <summary>Commits made after the capacity was reached (each replaced the least recently chosen category).</summary>
    public long Replaced { get; private set; }

    /// <summary>Lower vigilance ρ_lb: a best resonance below it makes the input a new cluster.</summary>
    public double LowerVigilance { get; set; }

    /// <summary>Upper vigilance ρ_ub: categories resonating at or above it learn the input.</summary>
    public double UpperVigilance { get; set; }

    /// <summary>Forgets every category (the vigilances are kept).</summary>
    public void Clear()
    {
        Count = 0;
        Replaced = 0;
        _presentations = 0;
    }

    /// <summary>
    /// Adds a category whose weights are all 1 (the box that holds nothing yet: it covers half of any complement-coded
    /// input, T = 1/2, and never learns while ρ_ub &gt; 1/32).
    /// </summary>
    public void AddUncommitted()
    {
        var slot = Slot();
        _weights.AsSpan(slot * _width, _width).Fill(1.0);
        _norms[slot] = _width;
    }

    /// <summary>Complement-codes <paramref name="input"/> into <paramref name="coded"/>: I = (a, 1 − a) (§5).</summary>
    /// <param name="input">a, M components in [0, 1].</param>
    /// <param name="coded">Receives I, 2M components.</param>
    /// <exception cref="ArgumentException">coded is not twice as long as input.</exception>
    public static void ComplementCode(ReadOnlySpan<double> input, Span<double> coded)
    {
        if (coded.Length != 2 * input.Length)
        {
            throw new ArgumentException($"coded has {coded.Length} components; expected {2 * input.Length}", nameof(coded));
        }

        for (var i = 0; i < input.Length; i++)
        {
            coded[i] = input[i];
            coded[input.Length + i] = 1.0 - input[i];
        }
    }

    /// <summary>The choice T = |I ∧ w| / |w| (eq. 1 with α → 0); |w| = 0 reads as 0.001 (ARTime's guard).</summary>
    /// <param name="coded">I, complement-coded.</param>
    /// <param name="weight">w, as long as I.</param>
    /// <returns>T in [0, 1] for complement-coded inputs and weights.</returns>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Choice(ReadOnlySpan<double> coded, ReadOnlySpan<double> weight)
    {
        if (coded.Length != weight.Length)
        {
            throw new ArgumentException($"weight has {weight.Length} components; expected {coded.Length}", nameof(weight));
        }

        double overlap = 0, norm = 0;
        for (var i = 0; i < coded.Length; i++)
        {
            overlap += Math.Min(coded[i], weight[i]);
            norm += weight[i];
        }

        return overlap / (norm == 0 ? 0.001 : norm);
    }

    /// <summary>Fast learning (eq. 3, β = 1): w ← I ∧ w.</summary>
    /// <param name="coded">I, complement-coded.</param>
    /// <param name="weight">w, updated in place.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Learn(ReadOnlySpan<double> coded, Span<double> weight)
    {
        if (coded.Length != weight.Length)
        {
            throw new ArgumentException($"weight has {weight.Length} components; expected {coded.Length}", nameof(weight));
        }

        for (var i = 0; i < coded.Length; i++)
        {
            weight[i] = Math.Min(coded[i], weight[i]);
        }
    }

    /// <summary>The weights of category <paramref name="index"/> (2M components).</summary>
    /// <param name="index">0 ≤ index &lt; <see cref="Count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">index out of range.</exception>
    public ReadOnlySpan<double> Weights(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _weights.AsSpan(index * _width, _width);
    }

    /// <summary>
    /// Presents one complement-coded input: computes every category's resonance R_j = T_j³·E_j², then, when
    /// <paramref name="learn"/>, resonates, commits a new category of a known cluster, or commits a new cluster
    /// (see the class summary).
    /// </summary>
    /// <param name="coded">I, 2M components, complement-coded.</param>
    /// <param name="learn">False: only measure (no category changes).</param>
    /// <param name="resonance">The best resonance R* (0 with no categories).</param>
    /// <param name="energy">E of the best category.</param>
    /// <returns>True when R* &lt; ρ_lb (a new cluster; when learning, it was committed).</returns>
    /// <exception cref="ArgumentException">coded is not 2M long.</exception>
    public bool Present(ReadOnlySpan<double> coded, bool learn, out double resonance, out double energy)
    {
        if (coded.Length != _width)
        {
            throw new ArgumentException($"input has {coded.Length} components; expected {_width}", nameof(coded));
        }

        _presentations++;
        var last = Features - 1;
        var best = -1;
        resonance = 0.0;
        energy = 0.0;
        for (var j = 0; j < Count; j++)
        {
            var w = _weights.AsSpan(j * _width, _width);
            var overlap = Overlap(coded, w);
            var norm = _norms[j];
            var t = overlap / (norm == 0 ? 0.001 : norm);
            var energyNorm = w[last] + w[_width - 1];
            var e = energyNorm == 0 ? 0.0 : (Math.Min(coded[last], w[last]) + Math.Min(coded[_width - 1], w[_width - 1])) / energyNorm;
            var r = t * t * t * e * e;
            _resonance[j] = r;
            if (r > resonance)
            {
                resonance = r;
                energy = e;
                best = j;
            }
        }

        if (best >= 0)
        {
            _lastChosen[best] = _presentations;
        }

        if (!learn)
        {
            return resonance < LowerVigilance;
        }

        if (best >= 0 && resonance >= UpperVigilance)
        {
            for (var j = 0; j < Count; j++)
            {
                if (_resonance[j] >= UpperVigilance)
                {
                    var w = _weights.AsSpan(j * _width, _width);
                    Learn(coded, w);
                    var norm = 0.0;
                    foreach (var x in w)
                    {
                        norm += x;
                    }

                    _norms[j] = norm;
                }
            }

            return false;
        }

        var slot = Slot();
        coded.CopyTo(_weights.AsSpan(slot * _width, _width));
        var sum = 0.0;
        foreach (var x in coded)
        {
            sum += x;
        }

        _norms[slot] = sum;
        return best < 0 || resonance < LowerVigilance;
    }

    // |I ∧ w|: four lanes at a time where Vector256 is hardware-accelerated, else two (Vector128 is accelerated on every
    // x64 and arm64 target); inputs are never NaN. The summation order differs from a scalar loop only in rounding.
    private static double Overlap(ReadOnlySpan<double> coded, ReadOnlySpan<double> w)
    {
        var i = 0;
        var overlap = 0.0;
        if (Vector256.IsHardwareAccelerated)
        {
            var wide = Vector256<double>.Zero;
            for (; i + 4 <= coded.Length; i += 4)
            {
                wide += Vector256.Min(Vector256.Create(coded.Slice(i, 4)), Vector256.Create(w.Slice(i, 4)));
            }

            overlap = Vector256.Sum(wide);
        }

        var sum = Vector128<double>.Zero;
        for (; i + 2 <= coded.Length; i += 2)
        {
            sum += Vector128.Min(Vector128.Create(coded.Slice(i, 2)), Vector128.Create(w.Slice(i, 2)));
        }

        overlap += sum.GetElement(0) + sum.GetElement(1);
        for (; i < coded.Length; i++)
        {
            overlap += Math.Min(coded[i], w[i]);
        }

        return overlap;
    }

    // The next free slot, or when full the least recently chosen category's (never the uncommitted box in slot 0 while
    // another is older: ties go to the lowest index, which is the oldest commit).
    private int Slot()
    {
        if (Count < Capacity)
        {
            _lastChosen[Count] = _presentations;
            return Count++;
        }

        var victim = 0;
        for (var j = 1; j < Count; j++)
        {
            if (_lastChosen[j] < _lastChosen[victim])
            {
                victim = j;
            }
        }

        Replaced++;
        _lastChosen[victim] = _presentations;
        return victim;
    }
}
