namespace Appliance.Runtime.Tests.Rollouts;

/// <summary>
/// One candidate in shadow (issue 18 item 3): its counts follow the definitions of <see cref="ShadowReport"/> on scores whose
/// values are known (a <see cref="StandardScoreModel"/>: score = Σ z², its own C# computation the reference), and scoring a
/// batch allocates nothing in steady state.
/// </summary>
public sealed class ShadowRunTests
{
    // Rows: 3 streams, 1 feature; stream i has mean 10·i and standard deviation 1 over the fit rows (±1 alternating).
    private static ShadowRun Run(double threshold)
    {
        var rows = Enumerable.Range(0, 20).Select(i => new float[] { (i % 2 == 0 ? -1 : 1), 10 + (i % 2 == 0 ? -1 : 1), 20 + (i % 2 == 0 ? -1 : 1) }).ToList();
        var onnx = StandardScoreModel.Fit(rows, streams: 3, features: 1).ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.FeaturesKey] = "mean",
            [OnnxScorer.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture),
        });
        var scorer = new HotSwapScorer(3, GpuPolicy.Off);
        Assert.True(scorer.Stage("models/c", onnx, null));
        scorer.TrySwap();
        return new ShadowRun("r1", "c", "pump", "models/c", scorer, string.Empty);
    }

    [Fact]
    public void Score_KnownScores_CountsByDefinition()
    {
        using var run = Run(threshold: 4);
        float[] input = [0, 13, 20]; // z = 0, 3, 0 (sd 1 by the fit's population formula): scores 0, 9, 0
        input.CopyTo(run.Input, 0);
        float[] incumbent = [5, 0, 0]; // the incumbent (threshold 4) alerts on row 0 only
        bool[] rows = [true, true, true];

        run.Score(incumbent, 4, rows);
        run.Score(incumbent, 4, [true, false, false]); // a batch with one window: row 0 only

        var r = run.Report();
        Assert.Equal((4L, 1L, 2L, 1L, 0L), (r.Windows, r.WouldAlert, r.IncumbentAlerts, r.Agreements, r.Errors));
        // 4 scores 0, 9, 0, 0: the lower median (rank ⌊0.5·3⌋ = 1) is 0, the 99th percentile (rank 2) is 0 too.
        Assert.Equal((0d, 0d), (r.ScoreP50, r.ScoreP99));
        Assert.True(r.LatencyP50Us > 0);
        Assert.Equal("", r.Rejection);
    }

    [Fact]
    public void Report_BeforeFirstWindow_QuantilesNaN()
    {
        using var run = Run(threshold: 4);
        var r = run.Report();
        Assert.Equal(0, r.Windows);
        Assert.True(double.IsNaN(r.ScoreP50) && double.IsNaN(r.LatencyP99Us));
    }

    // Allocation-free per batch: score 1,000 batches after 100 warm-up batches (past tiered JIT).
    [Fact]
    public void Score_SteadyState_AllocatesNothing()
    {
        using var run = Run(threshold: 4);
        float[] input = [0.5f, 11, 19];
        input.CopyTo(run.Input, 0);
        float[] incumbent = [1, 2, 3];
        bool[] rows = [true, true, false];
        for (var i = 0; i < 100; i++)
        {
            run.Score(incumbent, 4, rows);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            run.Score(incumbent, 4, rows);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2200, run.Report().Windows);
    }
}
