namespace Appliance.Runtime.Tests.Inference;

public sealed class HotSwapScorerTests : IDisposable
{
    private const int S = 3;
    private const int F = 4;
    private readonly ModelBundles _bundles = new();

    public void Dispose() => _bundles.Dispose();

    [Fact]
    public void Stage_GoodModel_SwapsBetweenBatchesAndScoresWithNewModel()
    {
        var rejected = new List<ModelRejection>();
        using var scorer = new HotSwapScorer(_bundles.Good("a", S, F, 0f), S, F, GpuPolicy.Off, rejected.Add);
        var input = ModelBundles.Input(S, F);
        float[] before = new float[S], after = new float[S], ownOld = new float[S], ownNew = new float[S];
        scorer.Run(input, before);
        ModelBundles.Fit(S, F, 0f).Score(input, ownOld);

        Assert.True(scorer.Stage(_bundles.Good("b", S, F, 100f)));
        Assert.Equal(0, scorer.Swaps); // not until the next batch
        scorer.Run(input, after);
        ModelBundles.Fit(S, F, 100f).Score(input, ownNew);

        Assert.Equal(1, scorer.Swaps);
        Assert.EndsWith("b", scorer.ActiveSource, StringComparison.Ordinal);
        Assert.Empty(rejected);
        for (var i = 0; i < S; i++)
        {
            Assert.Equal(ownOld[i], before[i], ownOld[i] * 1e-5f);
            Assert.Equal(ownNew[i], after[i], ownNew[i] * 1e-5f);
        }

        Assert.NotEqual(before[0], after[0]);
    }

    [Fact]
    public void Stage_FileThatIsNotOnnx_RejectedAndPreviousKept()
    {
        using var scorer = new HotSwapScorer(_bundles.Good("a", S, F, 0f), S, F, GpuPolicy.Off);
        var bad = _bundles.Write("garbage", "not a model"u8.ToArray(), new ModelSelfTest(S, F, new float[S * F], new float[S], 1e-5));
        AssertRejected(scorer, bad, "does not load");
    }

    [Fact]
    public void Stage_WrongInputShape_RejectedAndPreviousKept()
    {
        using var scorer = new HotSwapScorer(_bundles.Good("a", S, F, 0f), S, F, GpuPolicy.Off);
        // A model for F+1 features, with a self-test that claims F: the session's input shape gives it away.
        var model = ModelBundles.Fit(S, F + 1, 0f).ToOnnx();
        var bad = _bundles.Write("shape", model, new ModelSelfTest(S, F, new float[S * F], new float[S], 1e-5));
        AssertRejected(scorer, bad, "expected one input");
    }

    [Fact]
    public void Stage_ModelProducingNaN_RejectedAndPreviousKept()
    {
        using var scorer = new HotSwapScorer(_bundles.Good("a", S, F, 0f), S, F, GpuPolicy.Off);
        var rows = new List<float[]> { Enumerable.Repeat(float.NaN, S * F).ToArray() };
        var nan = StandardScoreModel.Fit(rows, S, F); // μ = NaN: every score NaN
        var bad = _bundles.Write("nan", nan.ToOnnx(), new ModelSelfTest(S, F, ModelBundles.Input(S, F), new float[S], 1e-5));
        AssertRejected(scorer, bad, "NaN");
    }

    [Fact]
    public void Stage_SelfTestMismatch_RejectedAndPreviousKept()
    {
        using var scorer = new HotSwapScorer(_bundles.Good("a", S, F, 0f), S, F, GpuPolicy.Off);
        var model = ModelBundles.Fit(S, F, 5f);
        var wrong = Enumerable.Repeat(123.0f, S).ToArray();
        var bad = _bundles.Write("mismatch", model.ToOnnx(), new ModelSelfTest(S, F, ModelBundles.Input(S, F), wrong, 1e-5));
        AssertRejected(scorer, bad, "expected 123");
    }

    [Fact]
    public void Constructor_FirstModelFailsSelfTest_Throws()
    {
        var model = ModelBundles.Fit(S, F, 5f);
        var bad = _bundles.Write("first", model.ToOnnx(), new ModelSelfTest(S, F, ModelBundles.Input(S, F), new float[S], 1e-5));
        var e = Assert.Throws<InferenceException>(() => new HotSwapScorer(bad, S, F, GpuPolicy.Off));
        Assert.Contains("self-test row 0", e.Message, StringComparison.Ordinal);
    }

    private static void AssertRejected(HotSwapScorer scorer, string bundle, string reason)
    {
        var input = ModelBundles.Input(S, F);
        float[] before = new float[S], after = new float[S];
        scorer.Run(input, before);
        var source = scorer.ActiveSource;
        Assert.False(scorer.Stage(bundle));
        Assert.Equal(1, scorer.Rejections);
        Assert.Contains(reason, scorer.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.Equal(bundle, scorer.LastRejection.Source);
        scorer.Run(input, after);
        Assert.Equal(source, scorer.ActiveSource);
        Assert.Equal(0, scorer.Swaps);
        Assert.Equal(before, after);
    }
}
