using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>The per-feature standardisation every trained model carries in its ONNX graph: z = (x − μ)/σ.</summary>
internal static class FeatureScaling
{
    /// <summary>
    /// μ and σ of each feature over <paramref name="rows"/>: the mean and the population standard deviation, σ floored at
    /// <see cref="StandardScoreModel.MinSigma"/>·max(1, |μ|) so that a constant feature does not divide by zero.
    /// </summary>
    /// <param name="rows">At least one row, all of one length F.</param>
    /// <exception cref="ArgumentException">Rows of different lengths.</exception>
    public static (double[] Mean, double[] Sigma) Fit(IReadOnlyList<float[]> rows)
    {
        var f = rows[0].Length;
        var mean = new double[f];
        foreach (var row in rows)
        {
            if (row.Length != f)
            {
                throw new ArgumentException($"training rows have {row.Length} and {f} features", nameof(rows));
            }

            for (var i = 0; i < f; i++)
            {
                mean[i] += row[i];
            }
        }

        for (var i = 0; i < f; i++)
        {
            mean[i] /= rows.Count;
        }

        var sigma = new double[f];
        foreach (var row in rows)
        {
            for (var i = 0; i < f; i++)
            {
                var d = row[i] - mean[i];
                sigma[i] += d * d;
            }
        }

        for (var i = 0; i < f; i++)
        {
            sigma[i] = Math.Max(Math.Sqrt(sigma[i] / rows.Count), StandardScoreModel.MinSigma * Math.Max(1, Math.Abs(mean[i])));
        }

        return (mean, sigma);
    }

    /// <summary>Standardises <paramref name="x"/> into <paramref name="z"/>: z_i = (x_i − μ_i)·(1/σ)_i.</summary>
    public static void Apply(ReadOnlySpan<float> x, double[] mean, double[] invSigma, Span<double> z)
    {
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = (x[i] - mean[i]) * invSigma[i];
        }
    }

    /// <summary>The first ONNX nodes of every trained model's graph: the float32 input cast to float64, then z = (x − μ)·(1/σ)
    /// into the tensor <c>z</c> (initialisers <see cref="Initializers"/>).</summary>
    public static byte[][] Nodes() =>
    [
        OnnxGraphWriter.Node("Cast", "to_double", [StandardScoreModel.InputName], "x", "to", OnnxGraphWriter.Double),
        OnnxGraphWriter.Node("Sub", "center", ["x", "mu"], "centered"),
        OnnxGraphWriter.Node("Mul", "scale", ["centered", "inv_sigma"], "z"),
    ];

    /// <summary>The initialisers <see cref="Nodes"/> read: <c>mu[F]</c> and <c>inv_sigma[F]</c>.</summary>
    /// <param name="mean">μ per feature.</param>
    /// <param name="invSigma">1/σ per feature.</param>
    public static byte[][] Initializers(double[] mean, double[] invSigma) =>
    [
        OnnxGraphWriter.DoubleTensor("mu", [mean.Length], mean),
        OnnxGraphWriter.DoubleTensor("inv_sigma", [invSigma.Length], invSigma),
    ];

    /// <summary>Rows N in <paramref name="inputLength"/> values of F features each, as every model's <c>Score</c> takes them.</summary>
    /// <param name="inputLength">Values in the input, N·F.</param>
    /// <param name="scoresLength">Room for scores, at least N.</param>
    /// <param name="features">F.</param>
    /// <returns>N.</returns>
    /// <exception cref="ArgumentException">The input is not a whole number of rows, or there is no room for N scores.</exception>
    public static int Rows(int inputLength, int scoresLength, int features)
    {
        var n = inputLength / features;
        if (inputLength != n * features || scoresLength < n)
        {
            throw new ArgumentException($"expected N·{features} features and room for N scores");
        }

        return n;
    }
}
