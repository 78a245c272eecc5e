using MathNet.Numerics.LinearAlgebra;

namespace Appliance.Runtime.Tests.Training;

public sealed class MultivariateModelTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"appliance-mv-{Guid.NewGuid():N}");

    public MultivariateModelTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Hotelling's T² and Q (MacGregor & Kourti 1995) recomputed independently with MathNet.Numerics: population
    // standardisation, correlation matrix Zᵀ·Z/n, its symmetric eigendecomposition, the fewest components explaining ≥ 80 %
    // of the variance, T² = Σ t_c²/λ_c and Q = ‖z − V·Vᵀ·z‖² of a row off the training pattern.
    [Fact]
    public void PcaT2Q_StatisticsEqualMathNetComputation()
    {
        float[][] rows =
        [
            [1.0f, 2.1f, 0.5f, 3.0f], [2.0f, 3.9f, 0.7f, 2.1f], [3.0f, 6.2f, 0.4f, 1.2f], [4.0f, 8.1f, 0.9f, 0.1f],
            [5.0f, 9.8f, 0.3f, -0.8f], [6.0f, 12.2f, 0.8f, -2.1f], [7.0f, 13.9f, 0.6f, -2.9f], [8.0f, 16.1f, 0.2f, -4.2f],
        ];
        var model = PcaT2QModel.Fit(rows, explained: 0.8, quantile: 1.0);

        int n = rows.Length, f = 4;
        var x = Matrix<double>.Build.Dense(n, f, (r, c) => rows[r][c]);
        var mean = x.ColumnSums() / n;
        var sd = Vector<double>.Build.Dense(f, c => Math.Sqrt(x.Column(c).Subtract(mean[c]).PointwisePower(2).Sum() / n));
        var z = Matrix<double>.Build.Dense(n, f, (r, c) => (x[r, c] - mean[c]) / sd[c]);
        var evd = (z.TransposeThisAndMultiply(z) / n).Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, f).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var lambda = order.Select(i => evd.EigenValues[i].Real).ToArray();
        var k = 1;
        while (lambda.Take(k).Sum() < 0.8 * lambda.Sum())
        {
            k++;
        }

        var v = Matrix<double>.Build.Dense(f, k, (r, c) => evd.EigenVectors[r, order[c]]);
        float[] probe = [4.5f, 5.0f, 0.5f, 0.0f]; // breaks the x1 ≈ 2·x0 and x3 ≈ 3 − 0.9·x0 patterns
        var zp = Vector<double>.Build.Dense(f, c => (probe[c] - mean[c]) / sd[c]);
        var t = v.TransposeThisAndMultiply(zp);
        var t2 = Enumerable.Range(0, k).Sum(c => t[c] * t[c] / lambda[c]);
        var q = (zp - (v * t)).PointwisePower(2).Sum();

        model.Statistics(probe, out var ourT2, out var ourQ);
        Assert.Equal(k, model.Components);
        Assert.Equal(t2, ourT2, 1e-9 * Math.Max(1, t2));
        Assert.Equal(q, ourQ, 1e-9 * Math.Max(1, q));
        Assert.True(q > 0.1 && t2 > 0.1, $"the probe is off the training pattern: T² = {t2}, Q = {q}");
    }

    // Both models, written as device bundles: the bundle passes the device's own verification (manifest, self-test in ORT),
    // and ONNX Runtime's score of 300 fresh rows (a third of them far off the training pattern) equals the C# reference
    // within 1e-5 relative; the off-pattern rows score above the threshold, the normal ones mostly below.
    [Theory]
    [InlineData("pca")]
    [InlineData("ae")]
    public void Bundle_OnnxRuntimeEqualsCSharpReference(string kind)
    {
        var train = Correlated(400, seed: 3, offPattern: false);
        var model = MultivariateBundle.Fit(kind, train, quantile: 0.99);
        var package = MultivariateBundle.Write(model, ["a", "b", "c", "d", "e", "f"], Correlated(16, seed: 4, offPattern: false), Path.Combine(_dir, kind), "synthetic rows");
        Assert.Equal(6, package.Features);

        var normal = Correlated(200, seed: 5, offPattern: false);
        var odd = Correlated(100, seed: 6, offPattern: true);
        var input = normal.Concat(odd).SelectMany(r => r).ToArray();
        var expected = new float[300];
        model.Score(input, expected);
        using var scorer = new OnnxScorer(package.Onnx, 300, 6, GpuPolicy.Off);
        var ort = new float[300];
        scorer.Run(input, ort);
        for (var i = 0; i < 300; i++)
        {
            Assert.True(Math.Abs(ort[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"row {i}: ORT {ort[i]:G9}, C# {expected[i]:G9}");
        }

        Assert.True(expected[200..].All(s => s > model.Threshold), "every off-pattern row is above the threshold");
        Assert.True(expected[..200].Count(s => s > model.Threshold) <= 20, "at most 10 % of fresh normal rows alarm");
    }

    // The trainer's bundle on the device (issue 19 item 1): the pipeline's MultivariateScorer (one row of C channels, each
    // channel's window mean, one ORT run) reads the bundle's own threshold and input columns from its ONNX metadata and
    // scores each row exactly as the trainer's C# reference does (1e-5 relative), off-pattern rows above the threshold.
    [Theory]
    [InlineData("pca")]
    [InlineData("ae")]
    public void Bundle_OnDeviceMultivariateScorer_ScoresLikeTheTrainer(string kind)
    {
        var model = MultivariateBundle.Fit(kind, Correlated(400, seed: 3, offPattern: false), quantile: 0.99);
        var package = MultivariateBundle.Write(model, ["a", "b", "c", "d", "e", "f"], Correlated(16, seed: 4, offPattern: false), Path.Combine(_dir, kind), "synthetic rows");
        using var scorer = new MultivariateScorer(package.Onnx, channels: 6, features: null, threshold: null, GpuPolicy.Off);
        Assert.Equal(model.Threshold, scorer.Threshold);
        Assert.Equal(["mean"], scorer.Names);

        var rows = Correlated(50, seed: 5, offPattern: false).Concat(Correlated(20, seed: 6, offPattern: true)).ToList();
        var expected = new float[rows.Count];
        model.Score(rows.SelectMany(r => r).ToArray(), expected);
        for (var i = 0; i < rows.Count; i++)
        {
            for (var c = 0; c < 6; c++)
            {
                scorer.Set(c, WindowStatistics.Compute([rows[i][c]]));
            }

            var device = scorer.Score();
            Assert.True(Math.Abs(device - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"row {i}: device {device:G9}, trainer {expected[i]:G9}");
        }

        Assert.True(expected[50..].All(s => s > scorer.Threshold), "every off-pattern row is above the device's threshold");
    }

    // Six channels driven by two latent factors plus small noise; off-pattern rows break the mixing.
    private static List<float[]> Correlated(int n, int seed, bool offPattern)
    {
        var rng = new Random(seed);
        var rows = new List<float[]>();
        for (var i = 0; i < n; i++)
        {
            double u = rng.NextDouble() * 2 - 1, w = rng.NextDouble() * 2 - 1;
            double Noise() => (rng.NextDouble() - 0.5) * 0.02;
            var row = new[] { u, w, u + w, u - w, Math.Tanh(2 * u), u * 0.5 + w * 0.25 }.Select(v => (float)(v + Noise())).ToArray();
            if (offPattern)
            {
                row[2] += 3;
                row[4] -= 2;
            }

            rows.Add(row);
        }

        return rows;
    }
}
