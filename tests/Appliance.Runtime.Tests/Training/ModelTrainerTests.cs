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

    // A recorded series cut into the device's hour windows: hour h holds 12 samples base + a·k (k = 0..11), base = h mod 5,
    // a = 0.1 + 0.05·(h mod 3). Its features follow from the arithmetic series: mean = base + 5.5a, min = base,
    // max = base + 11a, sample standard deviation = a·√13 (the sample variance of 0..11 is n(n+1)/12 = 13).
    [Fact]
    public void Train_SeriesWindows_DeviceFeaturesAndARepositoryReadyFolder()
    {
        var path = Path.Combine(_dir, "series.csv");
        var sb = new StringBuilder("timestamp,value\n");
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var h = 0; h < 100; h++)
        {
            for (var k = 0; k < 12; k++)
            {
                var v = (h % 5) + ((0.1 + (0.05 * (h % 3))) * k);
                sb.AppendLine(CultureInfo.InvariantCulture, $"{t0.AddHours(h).AddMinutes(5 * k):yyyy-MM-dd HH:mm:ss},{v:R}");
            }
        }

        File.WriteAllText(path, sb.ToString());
        var out_ = Path.Combine(_dir, "pump");
        var report = ModelTrainer.Train(path, out_, components: 2, window: TimeSpan.FromHours(1));

        Assert.Equal(["mean", "std", "min", "max"], report.FeatureNames);
        Assert.Equal(80, report.TrainingRows);
        Assert.Equal(20, report.HeldOutRows);
        var test = ModelSelfTest.Load(Path.Combine(out_, ModelSelfTest.FileName));
        const double a = 0.2; // hour 80, the first held out: base 0, a = 0.1 + 0.05·2
        Assert.Equal(5.5 * a, test.Input[0], 1e-5);
        Assert.Equal(a * Math.Sqrt(13), test.Input[1], 1e-5);
        Assert.Equal(0, test.Input[2], 1e-5);
        Assert.Equal(11 * a, test.Input[3], 1e-5);

        // The model states its features and threshold; the folder passes the configuration repository's check as it is.
        var onnx = File.ReadAllBytes(Path.Combine(out_, "model.onnx"));
        var metadata = OnnxScorer.ReadMetadata(onnx);
        Assert.Equal("mean,std,min,max", metadata[OnnxScorer.FeaturesKey]);
        Assert.Equal(report.Threshold, double.Parse(metadata[OnnxScorer.ThresholdKey], CultureInfo.InvariantCulture));
        var package = Appliance.Contracts.Inference.ModelPackage.SelfTest("pump", onnx, File.ReadAllText(Path.Combine(out_, "selftest.toml")), "models/pump/selftest.toml");
        Assert.Equal((16, 4), (package.Streams, package.Features));
        var sums = File.ReadAllLines(Path.Combine(out_, "SHA256SUMS"));
        Assert.Equal(["model-card.md", "model.onnx", "selftest.json", "selftest.toml"], sums.Select(l => l[66..]));
        foreach (var line in sums)
        {
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(out_, line[66..])))), line[..64]);
        }
    }

    [Fact]
    public void Train_UnknownFeatureName_RefusedNamingTheKnownOnes()
    {
        var path = Path.Combine(_dir, "s.csv");
        File.WriteAllText(path, "timestamp,value\n2024-01-01 00:00:00,1\n");
        var e = Assert.Throws<ArgumentException>(() => ModelTrainer.Train(path, Path.Combine(_dir, "o"), window: TimeSpan.FromHours(1), features: ["mean", "slope"]));
        Assert.Contains("--features: feature 'slope' is not a window feature (expected one of: count, mean, std", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_NonNumericCell_NamesFileLineAndColumn()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "a,b\n1,2\n3,x\n");
        var e = Assert.Throws<FormatException>(() => ModelTrainer.Train(path, Path.Combine(_dir, "o")));
        Assert.Equal($"{path}:3: column 'b' = 'x': expected a finite number", e.Message);
    }

    // With k = F components the projection V·Vᵀ is the identity (V square and orthonormal), so the reconstruction residual is
    // zero for every row and a score would be rounding noise (Jolliffe, Principal Component Analysis, 2nd ed., §10.1: the
    // residual lives in the F − k discarded dimensions). One feature, or k = F, is refused; by explained variance k stops at F − 1.
    [Fact]
    public void Fit_OneFeatureOrAllComponents_RefusedAndExplainedVarianceKeepsAResidual()
    {
        var one = Enumerable.Range(0, 20).Select(i => new[] { (float)i }).ToList();
        Assert.Contains("at least 2 features", Assert.Throws<ArgumentException>(() => PcaReconstructionModel.Fit(one)).Message, StringComparison.Ordinal);

        var three = Enumerable.Range(0, 50).Select(i => new[] { i % 7f, i % 5f, i % 3f }).ToList();
        Assert.Throws<ArgumentException>(() => PcaReconstructionModel.Fit(three, 3));
        Assert.Equal(2, PcaReconstructionModel.Fit(three, 0, explained: 1.0).Components);
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
