namespace Appliance.Runtime.Tests.Inference;

/// <summary>
/// The CUDA execution provider needs the CUDA 13 libraries (libcublasLt.so.13 …) and a GPU. Where they are missing
/// (this CI machine), gpu = "required" must be a clean start-up error naming the cause and gpu = "auto" must fall back to
/// CPU with the reason kept; where they are present, both must run on CUDA.
/// </summary>
public sealed class GpuPolicyTests
{
    private static readonly byte[] Model = ModelBundles.Fit(2, 3, 0f).ToOnnx();

    [Fact]
    public void Required_CudaMissing_CleanErrorElseRunsOnCuda()
    {
        using var auto = new OnnxScorer(Model, 2, 3, GpuPolicy.Auto);
        if (auto.ExecutionProvider == "CPU")
        {
            Assert.NotNull(auto.FallbackReason);
            var e = Assert.Throws<InferenceException>(() => new OnnxScorer(Model, 2, 3, GpuPolicy.Required));
            Assert.StartsWith("[inference] gpu = \"required\": the CUDA execution provider is not available", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
        else
        {
            Assert.Equal("CUDA", auto.ExecutionProvider);
            using var required = new OnnxScorer(Model, 2, 3, GpuPolicy.Required);
            Assert.Equal("CUDA", required.ExecutionProvider);
        }
    }

    [Fact]
    public void Auto_AnyMachine_ScoresEqualModelArithmetic()
    {
        var model = ModelBundles.Fit(2, 3, 0f);
        using var scorer = new OnnxScorer(Model, 2, 3, GpuPolicy.Auto);
        var input = ModelBundles.Input(2, 3);
        float[] ort = new float[2], own = new float[2];
        scorer.Run(input, ort);
        model.Score(input, own);
        Assert.Equal(own[0], ort[0], own[0] * 1e-5f);
        Assert.Equal(own[1], ort[1], own[1] * 1e-5f);
    }

    [Fact]
    public void IntraOpThreads_NotGiven_OneThreadAsTheDeviceDefault()
    {
        // Issue 20, item 2: one small batch per window needs no thread pool per session.
        using var scorer = new OnnxScorer(Model, 2, 3, GpuPolicy.Off);
        Assert.Equal(1, OnnxScorer.DefaultIntraOpThreads);
        Assert.Equal(1, scorer.IntraOpThreads);
    }

    [Fact]
    public void IntraOpThreads_Stated_SessionScoresTheSame()
    {
        var model = ModelBundles.Fit(2, 3, 0f);
        using var scorer = new OnnxScorer(Model, 2, 3, GpuPolicy.Off, intraOpThreads: 2);
        var input = ModelBundles.Input(2, 3);
        float[] ort = new float[2], own = new float[2];
        scorer.Run(input, ort);
        model.Score(input, own);
        Assert.Equal(2, scorer.IntraOpThreads);
        Assert.Equal(own[0], ort[0], own[0] * 1e-5f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxScorer(Model, 2, 3, GpuPolicy.Off, intraOpThreads: 0));
    }

    [Fact]
    public void Off_Always_RunsOnCpu()
    {
        using var scorer = new OnnxScorer(Model, 2, 3, GpuPolicy.Off);
        Assert.Equal("CPU", scorer.ExecutionProvider);
        Assert.Null(scorer.FallbackReason);
    }
}
