using System.Globalization;
using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>
/// A small nonlinear autoencoder of standardised rows: z = (x − μ)/σ (training μ, σ), h = tanh(z·W₁ + b₁) with H hidden
/// units, ẑ = h·W₂ + b₂, score = ‖z − ẑ‖² (the squared reconstruction error, as SKAB's autoencoder baselines score).
/// Trained here by full-batch Adam (Kingma &amp; Ba 2015, "Adam: a method for stochastic optimization", Algorithm 1, with
/// β₁ = 0.9, β₂ = 0.999, ε = 1e-8) on the mean squared reconstruction error of the training rows; weights start from
/// Glorot-uniform draws (Glorot &amp; Bengio 2010) of <see cref="Random"/> with a fixed seed, so a fit is deterministic.
/// Threshold: the <c>quantile</c> (nearest rank) of the training rows' own scores.
/// </summary>
/// <remarks>
/// Graph (opset 13), float64 throughout so that ONNX Runtime and <see cref="Score"/> agree to rounding:
/// Cast → Sub(μ) → Mul(1/σ) = z → MatMul(W₁) → Add(b₁) → Tanh → MatMul(W₂) → Add(b₂) → Sub from z → Mul(self) →
/// MatMul(ones[F, 1]) → Cast(float) → <c>score[N, 1]</c>.
/// </remarks>
public sealed class TanhAutoencoder : IMultivariateModel
{
    private readonly double[] _mean;
    private readonly double[] _invSigma;
    private readonly double[] _w1; // F×H
    private readonly double[] _b1; // H
    private readonly double[] _w2; // H×F
    private readonly double[] _b2; // F

    private TanhAutoencoder(double[] mean, double[] invSigma, int hidden, double[] w1, double[] b1, double[] w2, double[] b2, double finalLoss)
    {
        _mean = mean;
        _invSigma = invSigma;
        Hidden = hidden;
        _w1 = w1;
        _b1 = b1;
        _w2 = w2;
        _b2 = b2;
        FinalLoss = finalLoss;
    }

    /// <inheritdoc/>
    public string Kind => "ae";

    /// <inheritdoc/>
    public int Features => _mean.Length;

    /// <summary>H: hidden units.</summary>
    public int Hidden { get; }

    /// <summary>Mean squared reconstruction error per row on the training rows after the last epoch.</summary>
    public double FinalLoss { get; }

    /// <inheritdoc/>
    public double Threshold { get; private set; }

    /// <summary>Fits the network on <paramref name="rows"/> and sets the threshold from their scores.</summary>
    /// <param name="rows">Training rows (normal operation), each F ≥ 2 long; at least 2.</param>
    /// <param name="hidden">H, in [1, 256].</param>
    /// <param name="epochs">Full-batch Adam steps, in [1, 100000].</param>
    /// <param name="learningRate">Adam's step size α, in (0, 1].</param>
    /// <param name="quantile">Quantile of the training scores taken as the threshold, in (0, 1].</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <exception cref="ArgumentException">Too few rows or features, or a parameter out of range.</exception>
    public static TanhAutoencoder Fit(IReadOnlyList<float[]> rows, int hidden = 4, int epochs = 1000, double learningRate = 0.01, double quantile = 0.99, int seed = 19)
    {
        if (rows.Count < 2 || rows[0].Length < 2)
        {
            throw new ArgumentException($"an autoencoder needs at least 2 rows of at least 2 features (got {rows.Count} rows)", nameof(rows));
        }

        if (hidden is < 1 or > 256 || epochs is < 1 or > 100_000 || !(learningRate > 0 && learningRate <= 1) || !(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentException($"hidden {hidden} (1-256), epochs {epochs} (1-100000), learning rate {learningRate} ((0, 1]), quantile {quantile} ((0, 1]): a value is out of range");
        }

        var (mean, sigma) = FeatureScaling.Fit(rows);
        var inv = sigma.Select(s => 1 / s).ToArray();
        int f = mean.Length, h = hidden, n = rows.Count;
        var z = new double[n * f];
        for (var r = 0; r < n; r++)
        {
            FeatureScaling.Apply(rows[r], mean, inv, z.AsSpan(r * f, f));
        }

        var rng = new Random(seed);
        var limit = Math.Sqrt(6.0 / (f + h));
        var p = new double[(2 * f * h) + h + f]; // W1 | b1 | W2 | b2
        for (var i = 0; i < 2 * f * h + h; i++)
        {
            p[i] = i < f * h || i >= (f * h) + h ? ((2 * rng.NextDouble()) - 1) * limit : 0;
        }

        var grad = new double[p.Length];
        var m = new double[p.Length];
        var v = new double[p.Length];
        var act = new double[h];
        var err = new double[f];
        var loss = 0.0;
        for (var step = 1; step <= epochs; step++)
        {
            Array.Clear(grad);
            loss = 0;
            for (var r = 0; r < n; r++)
            {
                loss += Forward(p, f, h, z.AsSpan(r * f, f), act, err);
                Backward(p, f, h, z.AsSpan(r * f, f), act, err, grad, 2.0 / n);
            }

            loss /= n;
            var c1 = 1 - Math.Pow(0.9, step);
            var c2 = 1 - Math.Pow(0.999, step);
            for (var i = 0; i < p.Length; i++)
            {
                m[i] = (0.9 * m[i]) + (0.1 * grad[i]);
                v[i] = (0.999 * v[i]) + (0.001 * grad[i] * grad[i]);
                p[i] -= learningRate * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + 1e-8);
            }
        }

        var model = new TanhAutoencoder(mean, inv, h, p[..(f * h)], p[(f * h)..((f * h) + h)], p[((f * h) + h)..((2 * f * h) + h)], p[((2 * f * h) + h)..], loss);
        var flat = rows.SelectMany(x => x).ToArray();
        var scores = new float[n];
        model.Score(flat, scores);
        model.Threshold = Math.Max(ModelPackage.ScoreQuantile(scores, quantile), 1e-6 * f);
        return model;
    }

    /// <inheritdoc/>
    public void Score(ReadOnlySpan<float> input, Span<float> scores)
    {
        var f = Features;
        var n = FeatureScaling.Rows(input.Length, scores.Length, f);

        Span<double> z = stackalloc double[f];
        Span<double> act = stackalloc double[Hidden];
        Span<double> err = stackalloc double[f];
        for (var r = 0; r < n; r++)
        {
            FeatureScaling.Apply(input.Slice(r * f, f), _mean, _invSigma, z);
            scores[r] = (float)Forward(_w1, _b1, _w2, _b2, f, Hidden, z, act, err);
        }
    }

    /// <inheritdoc/>
    public byte[] ToOnnx(IReadOnlyDictionary<string, string>? metadata = null)
    {
        long f = Features, h = Hidden;
        var ones = new double[Features];
        Array.Fill(ones, 1.0);
        var graph = OnnxGraphWriter.Graph(
            "tanh_autoencoder",
            [
                .. FeatureScaling.Nodes(),
                OnnxGraphWriter.Node("MatMul", "encode", ["z", "w1"], "a0"),
                OnnxGraphWriter.Node("Add", "encode_bias", ["a0", "b1"], "a"),
                OnnxGraphWriter.Node("Tanh", "activation", ["a"], "hidden"),
                OnnxGraphWriter.Node("MatMul", "decode", ["hidden", "w2"], "y0"),
                OnnxGraphWriter.Node("Add", "decode_bias", ["y0", "b2"], "reconstructed"),
                OnnxGraphWriter.Node("Sub", "residual", ["z", "reconstructed"], "e"),
                OnnxGraphWriter.Node("Mul", "square", ["e", "e"], "e2"),
                OnnxGraphWriter.Node("MatMul", "sum", ["e2", "ones"], "score64"),
                OnnxGraphWriter.Node("Cast", "to_float", ["score64"], StandardScoreModel.OutputName, "to", OnnxGraphWriter.Float),
            ],
            [
                .. FeatureScaling.Initializers(_mean, _invSigma),
                OnnxGraphWriter.DoubleTensor("w1", [f, h], _w1),
                OnnxGraphWriter.DoubleTensor("b1", [h], _b1),
                OnnxGraphWriter.DoubleTensor("w2", [h, f], _w2),
                OnnxGraphWriter.DoubleTensor("b2", [f], _b2),
                OnnxGraphWriter.DoubleTensor("ones", [f, 1], ones),
            ],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.InputName, [(null, "N"), (f, null)])],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.OutputName, [(null, "N"), (1, null)])]);
        return OnnxGraphWriter.Model("appliance-train", 13, graph, metadata);
    }

    /// <inheritdoc/>
    public IEnumerable<string> Describe()
    {
        var ci = CultureInfo.InvariantCulture;
        yield return "- output: score[N, 1] = ‖z − ẑ‖², ẑ = tanh(z·W₁ + b₁)·W₂ + b₂, z = (x − μ)·(1/σ)";
        yield return string.Create(ci, $"- network: {Features} → {Hidden} (tanh) → {Features}; full-batch Adam; final training loss {FinalLoss:G6} per row");
        yield return string.Create(ci, $"- threshold: {Threshold:R} (quantile of the training rows' own scores)");
        yield return string.Create(ci, $"- normalisation (in the graph): μ = [{string.Join(", ", _mean.Select(x => x.ToString("R", ci)))}], 1/σ = [{string.Join(", ", _invSigma.Select(x => x.ToString("R", ci)))}]");
    }

    // Packed parameters p = W1 | b1 | W2 | b2 (training layout).
    private static double Forward(double[] p, int f, int h, ReadOnlySpan<double> z, Span<double> act, Span<double> err) =>
        Forward(p.AsSpan(0, f * h), p.AsSpan(f * h, h), p.AsSpan((f * h) + h, f * h), p.AsSpan((2 * f * h) + h, f), f, h, z, act, err);

    // Returns ‖z − ẑ‖²; leaves tanh activations in act and z − ẑ in err.
    private static double Forward(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2, int f, int h, ReadOnlySpan<double> z, Span<double> act, Span<double> err)
    {
        for (var j = 0; j < h; j++)
        {
            var a = 0.0;
            for (var i = 0; i < f; i++)
            {
                a += z[i] * w1[(i * h) + j];
            }

            act[j] = Math.Tanh(a + b1[j]);
        }

        var sum = 0.0;
        for (var i = 0; i < f; i++)
        {
            var y = 0.0;
            for (var j = 0; j < h; j++)
            {
                y += act[j] * w2[(j * f) + i];
            }

            var e = z[i] - (y + b2[i]);
            err[i] = e;
            sum += e * e;
        }

        return sum;
    }

    // Adds the gradient of the mean loss over n rows, scale = 2/n: ∂‖z − ẑ‖²/∂ẑ_i = −2·e_i, back through W₂ and tanh (1 − h²).
    private static void Backward(double[] p, int f, int h, ReadOnlySpan<double> z, double[] act, double[] err, double[] grad, double scale)
    {
        int b1 = f * h, w2 = b1 + h, b2 = w2 + (f * h);
        Span<double> dAct = stackalloc double[h];
        for (var i = 0; i < f; i++)
        {
            var dy = -err[i] * scale; // ∂(mean loss)/∂ẑ_i = −2·e_i/n
            grad[b2 + i] += dy;
            for (var j = 0; j < h; j++)
            {
                grad[w2 + (j * f) + i] += dy * act[j];
                dAct[j] += dy * p[w2 + (j * f) + i];
            }
        }

        for (var j = 0; j < h; j++)
        {
            var da = dAct[j] * (1 - (act[j] * act[j]));
            grad[b1 + j] += da;
            for (var i = 0; i < f; i++)
            {
                grad[(i * h) + j] += da * z[i];
            }
        }
    }
}
