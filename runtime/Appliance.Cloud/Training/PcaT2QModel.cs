using System.Globalization;
using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>
/// PCA monitoring with both of its statistics (MacGregor &amp; Kourti 1995, "Statistical process control of multivariate
/// processes", Control Engineering Practice 3(3), §3): on standardised rows z = (x − μ)/σ (training μ, σ), with V the F×k
/// leading eigenvectors of the training correlation matrix and λ their eigenvalues, t = z·V, Hotelling's
/// T² = Σ t_c²/λ_c (the distance inside the model plane) and Q = ‖z − t·Vᵀ‖² (the squared prediction error off it; Jackson
/// &amp; Mudholkar 1979). k: the fewest components that explain at least <c>explained</c> (default 0.95) of the standardised
/// variance, at most F − 1 (<see cref="PcaReconstructionModel.Fit"/>).
/// Score = max(T²/T²_lim, Q/Q_lim), one column; T²_lim and Q_lim are the <c>quantile</c> (nearest rank,
/// <see cref="ModelPackage.ScoreQuantile"/>) of the training rows' own T² and Q, not the F-distribution or
/// Jackson–Mudholkar limits (those assume Gaussian rows, which SKAB's sensors are not), so the threshold is 1.
/// </summary>
/// <remarks>
/// Graph (opset 13), all in float64 so that ORT and this class agree to ~1e-12 (see <see cref="PcaReconstructionModel"/>):
/// Cast → Sub(μ) → Mul(1/σ) = z → MatMul(V) = t → Mul(t, t) → MatMul(w_T) = T²/T²_lim, with w_T[c] = 1/(λ_c·T²_lim);
/// t → MatMul(Vᵀ) → Sub from z → Mul(self) → MatMul(w_Q) = Q/Q_lim, with w_Q[i] = 1/Q_lim; Max → Cast(float) → score.
/// </remarks>
public sealed class PcaT2QModel : IMultivariateModel
{
    private readonly PcaReconstructionModel _pca;
    private readonly double[] _mean;
    private readonly double[] _invSigma;
    private readonly double[] _v;
    private readonly double[] _vt;
    private readonly double[] _wT; // k: 1/(λ_c·T²_lim)
    private readonly double _wQ; // 1/Q_lim

    private PcaT2QModel(PcaReconstructionModel pca, double t2Limit, double qLimit)
    {
        _pca = pca;
        _mean = [.. pca.Mean];
        _invSigma = [.. pca.InverseSigma];
        _v = pca.Loadings.ToArray();
        int f = pca.Features, k = pca.Components;
        _vt = new double[k * f];
        for (var i = 0; i < f; i++)
        {
            for (var c = 0; c < k; c++)
            {
                _vt[(c * f) + i] = _v[(i * k) + c];
            }
        }

        _wT = new double[k];
        T2Limit = t2Limit;
        QLimit = qLimit;
        for (var c = 0; c < k; c++)
        {
            _wT[c] = 1 / (Lambda(c) * t2Limit);
        }

        _wQ = 1 / qLimit;
    }

    /// <inheritdoc/>
    public string Kind => "pca";

    /// <inheritdoc/>
    public int Features => _pca.Features;

    /// <summary>k: principal components kept.</summary>
    public int Components => _pca.Components;

    /// <summary>T²_lim: the quantile of the training rows' T².</summary>
    public double T2Limit { get; }

    /// <summary>Q_lim: the quantile of the training rows' Q.</summary>
    public double QLimit { get; }

    /// <summary>The score max(T²/T²_lim, Q/Q_lim) is compared with 1: the threshold is 1 by construction.</summary>
    public double Threshold => 1.0;

    /// <summary>Fits μ, σ, V and λ on <paramref name="rows"/>, then T²_lim and Q_lim on the same rows' statistics.</summary>
    /// <param name="rows">Training rows (normal operation), each F ≥ 2 long; at least 2.</param>
    /// <param name="explained">Variance fraction the retained components explain, in (0, 1].</param>
    /// <param name="quantile">Quantile of the training T² and Q taken as their limits, in (0, 1].</param>
    /// <exception cref="ArgumentException">Too few rows or features, or a parameter out of range.</exception>
    public static PcaT2QModel Fit(IReadOnlyList<float[]> rows, double explained = 0.95, double quantile = 0.99)
    {
        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentException($"quantile {quantile}: expected a value in (0, 1]", nameof(quantile));
        }

        var pca = PcaReconstructionModel.Fit(rows, 0, explained);
        var probe = new PcaT2QModel(pca, 1, 1);
        var t2 = new float[rows.Count];
        var q = new float[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            probe.Statistics(rows[r], out var a, out var b);
            t2[r] = (float)a;
            q[r] = (float)b;
        }

        // Floors as in ModelTrainer: data that lies exactly in the model plane has Q of rounding noise only.
        var t2Lim = Math.Max(ModelPackage.ScoreQuantile(t2, quantile), 1e-6);
        var qLim = Math.Max(ModelPackage.ScoreQuantile(q, quantile), 1e-6 * pca.Features);
        return new PcaT2QModel(pca, t2Lim, qLim);
    }

    /// <summary>Hotelling's T² and Q of one raw row (not divided by their limits).</summary>
    /// <param name="row">F raw features.</param>
    /// <param name="t2">Σ t_c²/λ_c.</param>
    /// <param name="q">‖z − t·Vᵀ‖².</param>
    public void Statistics(ReadOnlySpan<float> row, out double t2, out double q)
    {
        Span<double> z = stackalloc double[Features];
        Span<double> t = stackalloc double[Components];
        Project(row, z, t);
        t2 = 0;
        for (var c = 0; c < Components; c++)
        {
            t2 += t[c] * t[c] / Lambda(c);
        }

        q = Residual(z, t);
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> input, Span<float> scores)
    {
        var f = Features;
        var n = FeatureScaling.Rows(input.Length, scores.Length, f);

        Span<double> z = stackalloc double[f];
        Span<double> t = stackalloc double[Components];
        for (var r = 0; r < n; r++)
        {
            Project(input.Slice(r * f, f), z, t);
            var t2 = 0.0;
            for (var c = 0; c < Components; c++)
            {
                t2 += t[c] * t[c] * _wT[c];
            }

            var q = Residual(z, t) * _wQ;
            scores[r] = (float)Math.Max(t2, q);
        }
    }

    /// <inheritdoc/>
    public byte[] ToOnnx(IReadOnlyDictionary<string, string>? metadata = null)
    {
        long f = Features, k = Components;
        var wq = new double[Features];
        Array.Fill(wq, _wQ);
        var graph = OnnxGraphWriter.Graph(
            "pca_t2_q",
            [
                .. FeatureScaling.Nodes(),
                OnnxGraphWriter.Node("MatMul", "encode", ["z", "v"], "t"),
                OnnxGraphWriter.Node("Mul", "t_square", ["t", "t"], "t2"),
                OnnxGraphWriter.Node("MatMul", "hotelling", ["t2", "w_t"], "t2_ratio"),
                OnnxGraphWriter.Node("MatMul", "decode", ["t", "vt"], "reconstructed"),
                OnnxGraphWriter.Node("Sub", "residual", ["z", "reconstructed"], "e"),
                OnnxGraphWriter.Node("Mul", "square", ["e", "e"], "e2"),
                OnnxGraphWriter.Node("MatMul", "spe", ["e2", "w_q"], "q_ratio"),
                OnnxGraphWriter.Node("Max", "combine", ["t2_ratio", "q_ratio"], "score64"),
                OnnxGraphWriter.Node("Cast", "to_float", ["score64"], StandardScoreModel.OutputName, "to", OnnxGraphWriter.Float),
            ],
            [
                .. FeatureScaling.Initializers(_mean, _invSigma),
                OnnxGraphWriter.DoubleTensor("v", [f, k], _v),
                OnnxGraphWriter.DoubleTensor("vt", [k, f], _vt),
                OnnxGraphWriter.DoubleTensor("w_t", [k, 1], _wT),
                OnnxGraphWriter.DoubleTensor("w_q", [f, 1], wq),
            ],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.InputName, [(null, "N"), (f, null)])],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.OutputName, [(null, "N"), (1, null)])]);
        return OnnxGraphWriter.Model("appliance-train", 13, graph, metadata);
    }

    /// <inheritdoc/>
    public IEnumerable<string> Describe()
    {
        var ci = CultureInfo.InvariantCulture;
        var all = _pca.Eigenvalues.Sum(v => Math.Max(v, 0));
        var kept = _pca.Eigenvalues.Take(Components).Sum();
        yield return "- output: score[N, 1] = max(T²/T²_lim, Q/Q_lim), T² = Σ t_c²/λ_c, Q = ‖z − t·Vᵀ‖², t = z·V, z = (x − μ)·(1/σ) (MacGregor & Kourti 1995)";
        yield return string.Create(ci, $"- components: {Components} of {Features}, explaining {kept / Math.Max(1e-300, all):P2} of the standardised variance; λ = [{string.Join(", ", _pca.Eigenvalues.Take(Components).Select(v => v.ToString("R", ci)))}]");
        yield return string.Create(ci, $"- limits (quantile of the training rows' own statistics): T²_lim = {T2Limit:R}, Q_lim = {QLimit:R}");
        yield return string.Create(ci, $"- normalisation (in the graph): μ = [{string.Join(", ", _mean.Select(v => v.ToString("R", ci)))}], 1/σ = [{string.Join(", ", _invSigma.Select(v => v.ToString("R", ci)))}]");
    }

    // λ_c floored so that a component of zero variance does not divide by zero.
    private double Lambda(int c) => Math.Max(_pca.Eigenvalues[c], 1e-12);

    private void Project(ReadOnlySpan<float> row, Span<double> z, Span<double> t)
    {
        FeatureScaling.Apply(row, _mean, _invSigma, z);
        for (var c = 0; c < t.Length; c++)
        {
            var acc = 0.0;
            for (var i = 0; i < z.Length; i++)
            {
                acc += z[i] * _v[(i * t.Length) + c];
            }

            t[c] = acc;
        }
    }

    private double Residual(ReadOnlySpan<double> z, ReadOnlySpan<double> t)
    {
        var q = 0.0;
        for (var i = 0; i < z.Length; i++)
        {
            var rec = 0.0;
            for (var c = 0; c < t.Length; c++)
            {
                rec += t[c] * _vt[(c * z.Length) + i];
            }

            var e = z[i] - rec;
            q += e * e;
        }

        return q;
    }
}
