namespace Appliance.Runtime.Tests.Evaluation;

public sealed class SkabTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"appliance-skab-{Guid.NewGuid():N}");

    public SkabTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>../shared/data/skab-dev (shared/data/README.md); a missing corpus fails the test, never skips it.</summary>
    private static string SkabRoot
    {
        get
        {
            var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(NabData.Root)!, "skab-dev"));
            Assert.True(Directory.Exists(Path.Combine(root, "valve1")), $"SKAB dev corpus missing at {root} (see shared/data/README.md). This test fails rather than skips.");
            return root;
        }
    }

    [Fact]
    public void Read_SkabLayout_ChannelsLabelsAndTimes()
    {
        var path = Write("g/1.csv", "datetime;A;B;anomaly;changepoint\n2020-03-09 10:14:33;0.5;1e-3;0.0;0.0\n2020-03-09 10:14:34;0.25;2;1.0;1.0\n");
        var file = SkabCorpus.Read(path, "g/1.csv")!;
        Assert.Equal(["A", "B"], file.Channels);
        Assert.Equal([0.25f, 2f], file.Rows[1]);
        Assert.Equal([0, 1], file.Anomaly);
        Assert.Equal([0, 1], file.Changepoint);
        Assert.Equal(new DateTime(2020, 3, 9, 10, 14, 34, DateTimeKind.Utc), file.Timestamps[1]);
    }

    [Theory]
    [InlineData("2020-03-09 10:14:34;x;2;1;0\n", "column 'A' = 'x'")]
    [InlineData("2020-03-09 10:14:34;1;2;2;0\n", "column 'anomaly' = '2': expected 0 or 1")]
    [InlineData("09/03/2020;1;2;1;0\n", "column 'datetime' = '09/03/2020'")]
    public void Read_MalformedLine_NamesFileAndLine(string line, string expected)
    {
        var path = Write("g/2.csv", "datetime;A;B;anomaly;changepoint\n2020-03-09 10:14:33;0.5;1;0;0\n" + line);
        var e = Assert.Throws<FormatException>(() => SkabCorpus.Read(path, "g/2.csv"));
        Assert.StartsWith($"{path}:3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingDirectory_NamesIt()
    {
        var missing = Path.Combine(_dir, "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => SkabCorpus.Load(missing));
        Assert.StartsWith(missing, e.Message, StringComparison.Ordinal);
    }

    // Hand count: labels 1 1 1 0 0 0 0 1, prediction 1 0 1 1 0 0 0 0 → TP 2, FN 2, FP 1, TN 3:
    // F1 = 2·2/(2·2 + 1 + 2) = 4/7, FAR = 1/(1 + 3) = 25 %, MAR = 2/(2 + 2) = 50 %.
    [Fact]
    public void Outliers_HandCountedVector()
    {
        (long Tp, long Fp, long Tn, long Fn) c = default;
        SkabMetrics.CountOutliers(new byte[] { 1, 1, 1, 0, 0, 0, 0, 1 }, new[] { true, false, true, true, false, false, false, false }, ref c);
        var r = new SkabResult(1, c.Tp, c.Fp, c.Tn, c.Fn, 0, 0, 0, 0);
        Assert.Equal((2L, 1L, 3L, 2L), c);
        Assert.Equal(4.0 / 7, r.F1, 1e-15);
        Assert.Equal(25.0, r.FarPercent, 1e-12);
        Assert.Equal(50.0, r.MarPercent, 1e-12);
    }

    // SKAB's notebooks: prediction_cp = |diff(prediction)|, first row = prediction[0].
    [Fact]
    public void Changepoints_AbsoluteDifference()
    {
        Assert.Equal([true, false, true, false, true], SkabMetrics.Changepoints(new[] { true, true, false, false, true }));
    }

    // tsad single_evaluate_nab by hand: 200 rows at 1 s, changepoints at rows 10 and 100 → windows [10, 70] and [100, 160] s.
    // Predicted changepoints at rows 10 (window start: my_scale gives A_TP = 1), 160 (window end, e = min(999, 1000): A_FP)
    // and 190 (outside: A_FP). Standard: 1 − 0.11 − 0.11 = 0.78 → 100·(0.78 + 2)/(2 + 2) = 69.5; low FP: 1 − 0.22 − 0.22 =
    // 0.56 → 64; low FN: 0.78 → 100·(0.78 + 4)/(2 + 4) = 79.666…
    [Fact]
    public void ChangepointNab_HandComputedWindows()
    {
        var t0 = new DateTime(2020, 3, 9, 10, 0, 0, DateTimeKind.Utc);
        var times = Enumerable.Range(0, 200).Select(i => t0.AddSeconds(i)).ToArray();
        var label = new byte[200];
        label[10] = label[100] = 1;
        var predicted = new bool[200];
        predicted[10] = predicted[160] = predicted[190] = true;
        predicted[20] = true; // a later detection inside a detected window counts nothing
        var (raw, windows) = SkabMetrics.ChangepointNab(times, label, predicted);
        Assert.Equal(2, windows);
        Assert.Equal(69.5, SkabMetrics.Normalise(raw[0], windows, SkabMetrics.Profiles[0]), 1e-9);
        Assert.Equal(64.0, SkabMetrics.Normalise(raw[1], windows, SkabMetrics.Profiles[1]), 1e-9);
        Assert.Equal(100 * 4.78 / 6, SkabMetrics.Normalise(raw[2], windows, SkabMetrics.Profiles[2]), 1e-9);
    }

    // The documented figures of `appliance eval skab --data ../shared/data/skab-dev` with the default settings
    // (docs/multivariate.md), to the precision the command prints them.
    [Fact]
    public void EvalSkab_DevCorpus_DocumentedFigures()
    {
        var corpus = SkabCorpus.Load(SkabRoot);
        Assert.Equal(16, corpus.Files.Count);
        Assert.Equal(["anomaly-free/anomaly-free.csv"], corpus.Unlabelled.Select(p => p.Replace('\\', '/')));
        var r = SkabRun.Score(corpus, SkabRun.Run(corpus, SkabOptions.Default));
        Assert.Equal(16, r.Files);
        Assert.Equal(11760, r.TruePositives + r.FalsePositives + r.TrueNegatives + r.FalseNegatives);
        Assert.Equal(63, r.Changepoints);
        Assert.Equal(DocumentedF1, Math.Round(r.F1, 2));
        Assert.Equal(DocumentedFar, Math.Round(r.FarPercent, 2));
        Assert.Equal(DocumentedMar, Math.Round(r.MarPercent, 2));
        Assert.Equal(DocumentedNab, Math.Round(r.NabStandard, 2));
    }

    // --scores-out then --scores: the files give back exactly the scores, and so exactly the figures.
    [Fact]
    public void SkabScores_RoundTripExactly()
    {
        var corpus = SkabCorpus.Load(SkabRoot);
        var scores = SkabRun.Run(corpus, SkabOptions.Default);
        SkabRun.WriteScores(_dir, "pca", corpus, scores);
        Assert.True(File.Exists(Path.Combine(_dir, "pca", "valve1", "pca_0.csv")));
        var back = SkabRun.ReadScores(Path.Combine(_dir, "pca"), "pca", corpus);
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(scores[i], back[i]);
        }

        Assert.Equal(SkabRun.Score(corpus, scores), SkabRun.Score(corpus, back));
    }

    // NAB: scores (NaN on unscored rows included) written in NAB's results layout read back bit for bit, and score the same.
    [Fact]
    public void NabScores_RoundTripExactly()
    {
        var corpus = NabCorpus.Load(NabData.Root);
        var rng = new Random(19);
        var scores = corpus.Series.Select(s => Enumerable.Range(0, s.Length).Select(i => i < 5 ? double.NaN : rng.NextDouble() / 3).ToArray()).ToArray();
        corpus.WriteScores(_dir, "ours", scores);
        var first = corpus.Series[0];
        var header = File.ReadLines(Path.Combine(_dir, "ours", Path.GetDirectoryName(first.RelativePath)!, "ours_" + Path.GetFileName(first.RelativePath))).First();
        Assert.Equal("timestamp,value,anomaly_score,label", header);
        var back = corpus.ReadScores(Path.Combine(_dir, "ours"), "ours");
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(scores[i], back[i]);
        }

        var a = NabEvaluation.Score(corpus, scores, null);
        var b = NabEvaluation.Score(corpus, back, null);
        Assert.Equal(a.Select(x => x.Normalised), b.Select(x => x.Normalised));
    }

    // docs/multivariate.md, "Figures": all 16 dev files, default settings.
    private const double DocumentedF1 = 0.84;
    private const double DocumentedFar = 13.04;
    private const double DocumentedMar = 19.21;
    private const double DocumentedNab = 26.44;

    private string Write(string rel, string text)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
