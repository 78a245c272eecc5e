namespace Appliance.Runtime.Tests.Evaluation;

public sealed class NabSweepTests(NabData data) : IClassFixture<NabData>
{
    private static readonly NabProfile Standard = NabProfile.Published[0];

    // Values from the docstring of numenta/NAB nab/sweeper.py scaledSigmoid: -1 → 0.98661, -0.5 → 0.84828, 0 → 0,
    // 1 → -0.98661; beyond 3 it is -1.
    [Theory]
    [InlineData(-1.0, 0.98661)]
    [InlineData(-0.5, 0.84828)]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, -0.98661)]
    [InlineData(3.5, -1.0)]
    public void ScaledSigmoid_NabDocumentedPositions_MatchNabValues(double position, double expected) =>
        Assert.Equal(expected, NabSweep.ScaledSigmoid(position), 5);

    // numenta/NAB tests/integration/scorer_test.py / sweeper tests: no windows and no detections score 0; one missed
    // window scores -fnWeight; a detection at a window's left edge scores +tpWeight (σ(-1)/σ(-1)).
    [Fact]
    public void ScoreAt_OneWindowMissed_CostsFnWeight()
    {
        var series = Synthetic(1000, new NabWindow(500, 509));
        var sweep = NabSweep.Create([series], [new double[1000]], Standard, 1);
        var s = sweep.ScoreAt(0.5);
        Assert.Equal(-1.0, s.Raw, 12);
        Assert.Equal(0.0, s.Normalised, 12);
    }

    [Fact]
    public void ScoreAt_DetectionAtLeftEdge_EarnsTpWeight()
    {
        var series = Synthetic(1000, new NabWindow(500, 509));
        var scores = new double[1000];
        scores[500] = 1;
        scores[505] = 1; // a later detection in the same window adds nothing (first detection only)
        var s = NabSweep.Create([series], [scores], Standard, 1).ScoreAt(0.5);
        Assert.Equal(1.0, s.Raw, 12);
        Assert.Equal(100.0, s.Normalised, 9);
        Assert.Equal(1, s.DetectedWindows);
    }

    // Before any window a false positive costs the full fpWeight (sweeper: unweightedScore = -1 with no prior window);
    // after a window of width w it costs fpWeight·σ(d/(w-1)) at distance d rows past the right edge.
    [Fact]
    public void ScoreAt_FalsePositives_WeighedByDistancePastWindow()
    {
        var series = Synthetic(1000, new NabWindow(500, 509));
        var scores = new double[1000];
        scores[200] = 1;
        scores[514] = 1;
        var s = NabSweep.Create([series], [scores], Standard, 1).ScoreAt(0.5);
        var expected = -1.0 - 0.11 + (0.11 * ((2.0 / (1.0 + Math.Exp(5.0 * 5.0 / 9.0))) - 1.0));
        Assert.Equal(expected, s.Raw, 12);
        Assert.Equal(2, s.FalsePositives);
    }

    [Fact]
    public void ScoreAt_ProbationaryRows_AreNotScored()
    {
        var series = Synthetic(1000, new NabWindow(500, 509));
        var scores = new double[1000];
        scores[series.ProbationaryLength - 1] = 1;
        Assert.Equal(150, series.ProbationaryLength); // min(floor(0.15·1000), 750)
        Assert.Equal(-1.0, NabSweep.Create([series], [scores], Standard, 1).ScoreAt(0.5).Raw, 12);
    }

    // The acceptance test of issue 5: fed the published per-row scores of windowedGaussian and relativeEntropy and
    // their per-profile thresholds (config/thresholds.json), the scorer reproduces the published normalised scores of
    // results/final_results.json (NAB scoreboard: 39.6 and 54.6 standard) within 0.05.
    [Theory]
    [InlineData("windowedGaussian")]
    [InlineData("relativeEntropy")]
    public void Score_PublishedDetectorAtPublishedThresholds_ReproducesFinalResults(string detector)
    {
        var corpus = data.Corpus;
        var scores = corpus.ReadScores(Path.Combine(NabData.Root, "results", detector), detector);
        var thresholds = NabThresholds.Load(Path.Combine(NabData.Root, "config", "thresholds.json"), detector);
        var results = NabEvaluation.Score(corpus, scores, thresholds);
        using var published = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(NabData.Root, "results", "final_results.json")));
        Assert.Equal(3, results.Count);
        foreach (var r in results)
        {
            var expected = published.RootElement.GetProperty(detector).GetProperty(r.Profile.Name).GetDouble();
            Assert.True(Math.Abs(r.Normalised - expected) < 0.05, $"{detector} {r.Profile.Name}: {r.Normalised:F4}, published {expected:F4}");
        }
    }

    // Threshold optimisation can only do as well or better than any fixed threshold, including the published one.
    [Fact]
    public void Optimise_PublishedScores_NoWorseThanPublishedThreshold()
    {
        var corpus = data.Corpus;
        var scores = corpus.ReadScores(Path.Combine(NabData.Root, "results", "relativeEntropy"), "relativeEntropy");
        var sweep = NabSweep.Create(corpus.Series, scores, Standard, corpus.LabelledWindows);
        var best = sweep.Optimise();
        Assert.True(best.Raw >= sweep.ScoreAt(0.5).Raw - 1e-9);
        Assert.Equal(116, corpus.LabelledWindows); // shared/data/README.md: 116 windows
        Assert.Equal(58, corpus.Series.Count);
    }

    [Fact]
    public void Load_MissingDirectory_NamesIt()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => NabCorpus.Load("/nonexistent/nab"));
        Assert.Contains("/nonexistent/nab", e.Message, StringComparison.Ordinal);
    }

    private static NabSeries Synthetic(int n, params NabWindow[] windows)
    {
        var t0 = new DateTime(2014, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var times = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            times[i] = t0.AddMinutes(5 * i);
        }

        return new NabSeries("synthetic/test.csv", times, new double[n], windows);
    }
}
