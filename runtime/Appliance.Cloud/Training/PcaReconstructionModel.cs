using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>
/// A linear autoencoder: principal component analysis of standardised window features (Jolliffe 2002, "Principal
/// Component Analysis", ch. 2), scoring each row by its squared prediction error, the Q statistic of Jackson &amp;
/// Mudholkar 1979 ("Control procedures for residuals associated with principal component analysis", Technometrics 21):
/// z = (x − μ)/σ, score = ‖z − z·V·Vᵀ‖², with V the F×k matrix of the k leading eigenvectors of the correlation matrix.
/// The normalisation is part of the ONNX graph, so the device sends raw features.
/// </summary>
/// <remarks>
/// Graph (opset 13), input <c>features[N, F]</c> float32 with N symbolic (any batch): Cast(double) → Sub(μ) → Mul(1/σ) →
/// MatMul(V) → MatMul(Vᵀ) → Sub from z → Mul(self) → MatMul(ones[F,1]) → Cast(float) → <c>score[N, 1]</c>. The residual
/// z − z·V·Vᵀ of a normal row is small beside z, so in float32 the summation order of a matrix product (which differs
/// between ONNX Runtime's MLAS and plain C#) would change the score by far more than 1e-5 relative; in float64 both
/// agree to ~1e-12, and the final float32 rounding is the same. <see cref="Score"/> computes the same in double.
/// </remarks>
public sealed class PcaReconstructionModel
{
    private readonly double[] _mean;
    private readonly double[] _invSigma;
    private readonly double[] _v; // F×k row-major
    private readonly double[] _vt; // k×F row-major

    private PcaReconstructionModel(int features, int components, double[] mean, double[] invSigma, double[] v, double[] eigenvalues)
    {
        Features = features;
        Components = components;
        _mean = mean;
        _invSigma = invSigma;
        _v = v;
        _vt = new double[components * features];
        for (var f = 0; f < features; f++)
        {
            for (var c = 0; c < components; c++)
            {
                _vt[(c * features) + f] = v[(f * components) + c];
            }
        }

        Eigenvalues = eigenvalues;
    }

    /// <summary>F: features per row.</summary>
    public int Features { get; }

    /// <summary>k: principal components kept.</summary>
    public int Components { get; }

    /// <summary>All eigenvalues of the correlation matrix, descending (their sum is F for non-constant features).</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>Per-feature mean μ.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Per-feature 1/σ (σ the population standard deviation, floored at 1e-3·max(1, |μ|)).</summary>
    public IReadOnlyList<double> InverseSigma => _invSigma;

    /// <summary>Fits μ, σ and the leading components on <paramref name="rows"/>.</summary>
    /// <param name="rows">Training rows, each F long.</param>
    /// <param name="components">k in [1, F − 1]; 0 to keep the fewest components that explain ≥ <paramref name="explained"/> of the
    /// variance, at most F − 1 (k = F would leave no residual to score).</param>
    /// <param name="explained">Fraction of variance to explain when <paramref name="components"/> is 0, in (0, 1].</param>
    /// <exception cref="ArgumentException">Fewer than 2 rows, fewer than 2 features, rows of different lengths, or k out of range.</exception>
    public static PcaReconstructionModel Fit(IReadOnlyList<float[]> rows, int components = 0, double explained = 0.95)
    {
        if (rows.Count < 2)
        {
            throw new ArgumentException($"at least 2 training rows are required (got {rows.Count})", nameof(rows));
        }

        // k = F would reconstruct every row exactly: the residual, and so every score, would be rounding noise. At least one
        // dimension is left out, so a reconstruction model needs at least 2 features.
        var f = rows[0].Length;
        if (f < 2)
        {
            throw new ArgumentException($"a reconstruction model needs at least 2 features (got {f}): add features (for example --features mean,std)", nameof(rows));
        }

        if (components < 0 || components > f - 1)
        {
            throw new ArgumentException($"components = {components}: expected 0 (by explained variance) to {f - 1} (F - 1: at least one dimension is left for the residual)", nameof(components));
        }

        var (mean, sigma) = FeatureScaling.Fit(rows);
        var meanF = mean;
        var inv = new double[f];
        for (var i = 0; i < f; i++)
        {
            inv[i] = 1 / sigma[i];
        }

        // Correlation matrix of the standardised rows (population normalisation).
        var cov = new double[f * f];
        var z = new double[f];
        foreach (var row in rows)
        {
            for (var i = 0; i < f; i++)
            {
                z[i] = (row[i] - mean[i]) / sigma[i];
            }

            for (var i = 0; i < f; i++)
            {
                for (var j = i; j < f; j++)
                {
                    cov[(i * f) + j] += z[i] * z[j];
                }
            }
        }

        for (var i = 0; i < f; i++)
        {
            for (var j = i; j < f; j++)
            {
                cov[(i * f) + j] /= rows.Count;
                cov[(j * f) + i] = cov[(i * f) + j];
            }
        }

        var (values, vectors) = JacobiEigen.Decompose(cov, f);
        if (components == 0)
        {
            var total = values.Sum(v => Math.Max(v, 0));
            var acc = 0.0;
            components = f - 1;
            for (var c = 0; c < f - 1; c++)
            {
                acc += Math.Max(values[c], 0);
                if (total <= 0 || acc >= explained * total)
                {
                    components = c + 1;
                    break;
                }
            }
        }

        var v = new double[f * components];
        for (var i = 0; i < f; i++)
        {
            for (var c = 0; c < components; c++)
            {
                v[(i * components) + c] = vectors[(i * f) + c];
            }
        }

        return new PcaReconstructionModel(f, components, meanF, inv, v, values);
    }

    /// <summary>V: the F×k loadings (row-major), the k leading eigenvectors of the training correlation matrix.</summary>
    internal ReadOnlySpan<double> Loadings => _v;

    /// <summary>The model's own C# computation of the scores (the reference ONNX Runtime must equal).</summary>
    /// <param name="input">N·F features, row-major.</param>
    /// <param name="scores">Receives N scores.</param>
    /// <exception cref="ArgumentException">Lengths do not match.</exception>
    public void Score(ReadOnlySpan<float> input, Span<float> scores)
    {
        var n = input.Length / Features;
        if (input.Length != n * Features || scores.Length < n)
        {
            throw new ArgumentException($"expected N·{Features} features and room for N scores");
        }

        Span<double> z = stackalloc double[Features];
        Span<double> t = stackalloc double[Components];
        for (var r = 0; r < n; r++)
        {
            for (var i = 0; i < Features; i++)
            {
                z[i] = (input[(r * Features) + i] - _mean[i]) * _invSigma[i];
            }

            for (var c = 0; c < Components; c++)
            {
                var acc = 0.0;
                for (var i = 0; i < Features; i++)
                {
                    acc += z[i] * _v[(i * Components) + c];
                }

                t[c] = acc;
            }

            var score = 0.0;
            for (var i = 0; i < Features; i++)
            {
                var rec = 0.0;
                for (var c = 0; c < Components; c++)
                {
                    rec += t[c] * _vt[(c * Features) + i];
                }

                var e = z[i] - rec;
                score += e * e;
            }

            scores[r] = (float)score;
        }
    }

    /// <summary>Serialises the model as an ONNX ModelProto (IR 8, opset 13), input <c>features[N,F]</c>, output <c>score[N,1]</c>.</summary>
    /// <param name="metadata">ModelProto.metadata_props to write (for example the feature names and threshold); may be null.</param>
    public byte[] ToOnnx(IReadOnlyDictionary<string, string>? metadata = null)
    {
        long f = Features, k = Components;
        var ones = new double[Features];
        Array.Fill(ones, 1.0);
        var graph = OnnxGraphWriter.Graph(
            "pca_reconstruction",
            [
                .. FeatureScaling.Nodes(),
                OnnxGraphWriter.Node("MatMul", "encode", ["z", "v"], "t"),
                OnnxGraphWriter.Node("MatMul", "decode", ["t", "vt"], "reconstructed"),
                OnnxGraphWriter.Node("Sub", "residual", ["z", "reconstructed"], "e"),
                OnnxGraphWriter.Node("Mul", "square", ["e", "e"], "e2"),
                OnnxGraphWriter.Node("MatMul", "sum", ["e2", "ones"], "score64"),
                OnnxGraphWriter.Node("Cast", "to_float", ["score64"], StandardScoreModel.OutputName, "to", OnnxGraphWriter.Float),
            ],
            [
                .. FeatureScaling.Initializers(_mean, _invSigma),
                OnnxGraphWriter.DoubleTensor("v", [f, k], _v),
                OnnxGraphWriter.DoubleTensor("vt", [k, f], _vt),
                OnnxGraphWriter.DoubleTensor("ones", [f, 1], ones),
            ],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.InputName, [(null, "N"), (f, null)])],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.OutputName, [(null, "N"), (1, null)])]);
        return OnnxGraphWriter.Model("appliance-train", 13, graph, metadata);
    }
}
