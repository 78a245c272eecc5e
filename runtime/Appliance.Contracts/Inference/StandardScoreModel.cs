namespace Appliance.Contracts.Inference;

/// <summary>
/// A per-stream diagonal Gaussian model of window features, exported as an ONNX graph:
/// <c>score[s] = Σ_f ((x[s,f] - μ[s,f]) / σ[s,f])²</c>, the squared Mahalanobis distance under a diagonal covariance
/// (Mahalanobis 1936), which is χ² with F degrees of freedom for normal features.
/// </summary>
/// <remarks>
/// Graph (opset 13): <c>features[S,F] → Sub(μ) → Mul(1/σ) → Mul(self) → MatMul(ones[F,1]) → score[S,1]</c>.
/// One <c>Run</c> scores the windows of all S streams at once.
/// </remarks>
public sealed class StandardScoreModel
{
    /// <summary>The input's name: float32 <c>[S, F]</c>.</summary>
    public const string InputName = "features";

    /// <summary>The output's name: float32 <c>[S, 1]</c>.</summary>
    public const string OutputName = "score";

    /// <summary>Smallest σ used, so that a constant feature does not divide by zero.</summary>
    public const float MinSigma = 1e-3f;

    private readonly float[] _mean;
    private readonly float[] _invSigma;

    private StandardScoreModel(int streams, int features, float[] mean, float[] invSigma)
    {
        Streams = streams;
        Features = features;
        _mean = mean;
        _invSigma = invSigma;
    }

    /// <summary>Number of streams S (rows of one batch).</summary>
    public int Streams { get; }

    /// <summary>Number of features F per stream.</summary>
    public int Features { get; }

    /// <summary>
    /// Fits μ and σ (population standard deviation, floored at <see cref="MinSigma"/> times max(1, |μ|)) per stream and feature.
    /// </summary>
    /// <param name="rows">Training rows, each <c>S*F</c> long, laid out stream-major.</param>
    /// <param name="streams">S.</param>
    /// <param name="features">F.</param>
    /// <exception cref="ArgumentException">No rows, or a row of the wrong length.</exception>
    public static StandardScoreModel Fit(IReadOnlyList<float[]> rows, int streams, int features)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("at least one training row is required", nameof(rows));
        }

        var n = streams * features;
        var sum = new double[n];
        var sq = new double[n];
        foreach (var row in rows)
        {
            if (row.Length != n)
            {
                throw new ArgumentException($"training row has {row.Length} values (expected {streams} streams x {features} features = {n})", nameof(rows));
            }

            for (var i = 0; i < n; i++)
            {
                sum[i] += row[i];
                sq[i] += (double)row[i] * row[i];
            }
        }

        var mean = new float[n];
        var inv = new float[n];
        for (var i = 0; i < n; i++)
        {
            var mu = sum[i] / rows.Count;
            var variance = Math.Max(0, (sq[i] / rows.Count) - (mu * mu));
            var sigma = Math.Max(Math.Sqrt(variance), MinSigma * Math.Max(1, Math.Abs(mu)));
            mean[i] = (float)mu;
            inv[i] = (float)(1 / sigma);
        }

        return new StandardScoreModel(streams, features, mean, inv);
    }

    /// <summary>The model's own C# computation of the scores (the reference the ONNX graph must equal).</summary>
    /// <param name="input">S*F features, stream-major.</param>
    /// <param name="scores">Receives S scores.</param>
    public void Score(ReadOnlySpan<float> input, Span<float> scores)
    {
        for (var s = 0; s < Streams; s++)
        {
            var acc = 0f;
            for (var f = 0; f < Features; f++)
            {
                var i = (s * Features) + f;
                var z = (input[i] - _mean[i]) * _invSigma[i];
                acc += z * z;
            }

            scores[s] = acc;
        }
    }

    /// <summary>Serialises the model as an ONNX ModelProto (IR 8, opset 13).</summary>
    /// <param name="metadata">ModelProto.metadata_props to write: a model bundle's <see cref="OnnxScorer.ThresholdKey"/> (required by
    /// <see cref="ModelPackage.Verify"/>) and, for other features than mean and std, <see cref="OnnxScorer.FeaturesKey"/>; null for none.</param>
    public byte[] ToOnnx(IReadOnlyDictionary<string, string>? metadata = null)
    {
        long s = Streams, f = Features;
        var ones = new float[Features];
        Array.Fill(ones, 1f);
        var graph = OnnxGraphWriter.Graph(
            "standard_score",
            [
                OnnxGraphWriter.Node("Sub", "center", [InputName, "mu"], "centered"),
                OnnxGraphWriter.Node("Mul", "scale", ["centered", "inv_sigma"], "z"),
                OnnxGraphWriter.Node("Mul", "square", ["z", "z"], "z2"),
                OnnxGraphWriter.Node("MatMul", "sum", ["z2", "ones"], OutputName),
            ],
            [
                OnnxGraphWriter.FloatTensor("mu", [s, f], _mean),
                OnnxGraphWriter.FloatTensor("inv_sigma", [s, f], _invSigma),
                OnnxGraphWriter.FloatTensor("ones", [f, 1], ones),
            ],
            [OnnxGraphWriter.FloatValueInfo(InputName, [(s, null), (f, null)])],
            [OnnxGraphWriter.FloatValueInfo(OutputName, [(s, null), (1, null)])]);
        return OnnxGraphWriter.Model("appliance", 13, graph, metadata);
    }
}
