using System.Globalization;
using System.Text;
using Appliance.Runtime.Inference;
using Appliance.Runtime.Training;

namespace Appliance.Runtime.Tests.Training;

public sealed class ModelTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"appliance-train-{Guid.NewGuid():N}");

    public ModelTrainerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Rows on a 2-D plane in 4-D: f2 = f0 + f1 and f3 = f0 − 2·f1 (plus small noise). PCA with 2 components spans the
    // plane, so a normal row reconstructs almost exactly (Jolliffe 2002, §3.5: the residual is the variance left out);
    // a row off the plane (f2 ≠ f0 + f1) has a large Q statistic (Jackson & Mudholkar 1979).
    [Fact]
    public void Train_RowsOnPlane_OrtEqualsCSharpAndOffPlaneRowScoresHigh()
    {
        var csv = WritePlane(600, seed: 7);
        var out_ = Path.Combine(_dir, "bundle");
        var report = ModelTrainer.Train(csv, out_, components: 2);

        Assert.Equal(2, report.Components);
        Assert.True(report.ExplainedVariance > 0.999, $"explained {report.ExplainedVariance}");
        Assert.Equal(480, report.TrainingRows);
        Assert.Equal(120, report.HeldOutRows);
        Assert.True(report.MaxRelativeDifference <= 1e-5, $"ORT vs C#: {report.MaxRelativeDifference}");
        Assert.True(File.Exists(Path.Combine(out_, "model-card.md")));
        Assert.Contains("threshold:", File.ReadAllText(Path.Combine(out_, "model-card.md")), StringComparison.Ordinal);

        // The bundle passes its own self-test in the hot-swap loader and scores an off-plane row far above threshold.
        using var scorer = new HotSwapScorer(out_, 2, 4, GpuPolicy.Off);
        float[] rows = [1f, 2f, 3f, -3f, 1f, 2f, 9f, -3f];
        var scores = new float[2];
        scorer.Run(rows, scores);
        Assert.True(scores[0] < report.Threshold * 10, $"on-plane {scores[0]} vs threshold {report.Threshold}");
        Assert.True(scores[1] > report.Threshold * 100, $"off-plane {scores[1]} vs threshold {report.Threshold}");
    }

    // Random correlated features: whatever the data, ONNX Runtime's score equals the trainer's C# within 1e-5 relative
    // (issue 5 acceptance); checked over 1000 fresh rows at batch 1000.
    [Fact]
    public void Train_RandomFeatures_OrtScoresEqualTrainerWithin1e5()
    {
        var rng = new Random(42);
        var path = Path.Combine(_dir, "random.csv");
        var sb = new StringBuilder("timestamp,mean,std,min,max,slope\n");
        for (var i = 0; i < 2000; i++)
        {
            var a = rng.NextDouble() * 10;
            var b = rng.NextDouble();
            sb.AppendLine(CultureInfo.InvariantCulture, $"2024-01-01 00:00:{i % 60:00},{a},{b + 0.1},{a - (3 * b)},{a + (3 * b)},{rng.NextDouble() - 0.5}");
        }

        File.WriteAllText(path, sb.ToString());
        var out_ = Path.Combine(_dir, "random");
        var report = ModelTrainer.Train(path, out_, components: 0, explained: 0.9);
        Assert.Equal(["mean", "std", "min", "max", "slope"], report.FeatureNames);

        var model = File.ReadAllBytes(Path.Combine(out_, "model.onnx"));
        var fresh = new float[1000 * 5];
        for (var i = 0; i < fresh.Length; i++)
        {
            fresh[i] = (float)(rng.NextDouble() * 12);
        }

        using var ort = new OnnxScorer(model, 1000, 5, GpuPolicy.Off);
        var got = new float[1000];
        ort.Run(fresh, got);
        var pca = PcaReconstructionModel.Fit(ReadRows(path, 1600), report.Components);
        var own = new float[1000];
        pca.Score(fresh, own);
        for (var i = 0; i < own.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - own[i]) <= 1e-5 * Math.Abs(own[i]), $"row {i}: ORT {got[i]:R}, C# {own[i]:R}");
        }
    }

    [Fact]
    public void Train_NonNumericCell_NamesFileLineAndColumn()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "a,b\n1,2\n3,x\n");
        var e = Assert.Throws<FormatException>(() => ModelTrainer.Train(path, Path.Combine(_dir, "o")));
        Assert.Equal($"{path}:3: column 'b' = 'x': expected a finite number", e.Message);
    }

    private static List<float[]> ReadRows(string path, int count) =>
        File.ReadLines(path).Skip(1).Take(count).Select(l => l.Split(',').Skip(1).Select(c => float.Parse(c, CultureInfo.InvariantCulture)).ToArray()).ToList();

    private string WritePlane(int n, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("f0,f1,f2,f3\n");
        for (var i = 0; i < n; i++)
        {
            var a = rng.NextDouble() * 4;
            var b = rng.NextDouble() * 4;
            var e = (rng.NextDouble() - 0.5) * 1e-3;
            sb.AppendLine(CultureInfo.InvariantCulture, $"{a},{b},{a + b + e},{a - (2 * b) - e}");
        }

        var path = Path.Combine(_dir, "plane.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
