using Appliance.Cloud.Training;
using Appliance.Contracts.Inference;
using Appliance.Kernels.Statistics;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Inference;

/// <summary>
/// The device's multivariate score per window (issue 19 item 5): the windows of C channels that close together set into
/// one channel-major row of 4 features each (mean, std, min, max) and scored in one ORT <c>Run</c> through
/// <see cref="MultivariateScorer"/> (the pipeline's <c>[[multivariate]]</c> stage), for C = 8 and 64, with two models
/// written here: the diagonal standardised squared norm (<see cref="StandardScoreModel"/>) and the trainer's PCA
/// reconstruction (Q statistic, <see cref="PcaReconstructionModel"/>, 3 components). One operation = one row = one
/// window of every channel; per channel window divide by C, per sample by C × the samples in a window. Allocated: target 0 B.
/// </summary>
[MemoryDiagnoser]
public class MultivariateBenchmarks
{
    private const int F = 4;
    private MultivariateScorer _scorer = null!;
    private WindowFeatures[] _windows = [];

    /// <summary>Channels in the row.</summary>
    [Params(8, 64)]
    public int Channels { get; set; }

    /// <summary>The model: <c>standard-score</c> or <c>pca-q</c>.</summary>
    [Params("standard-score", "pca-q")]
    public string Model { get; set; } = "standard-score";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _windows = [.. Enumerable.Range(0, Channels).Select(_ => WindowStatistics.Compute([.. Enumerable.Range(0, 100).Select(_ => (float)rng.NextDouble())]))];
        var rows = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, Channels * F).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        var metadata = new Dictionary<string, string> { [OnnxScorer.FeaturesKey] = "mean,std,min,max", [OnnxScorer.ThresholdKey] = "1000" };
        var onnx = Model == "pca-q"
            ? PcaReconstructionModel.Fit(rows, components: 3).ToOnnx(metadata)
            : StandardScoreModel.Fit(rows, 1, Channels * F).ToOnnx(metadata);
        _scorer = new MultivariateScorer(onnx, Channels, features: null, threshold: null, GpuPolicy.Off);
    }

    [GlobalCleanup]
    public void Cleanup() => _scorer.Dispose();

    [Benchmark(Description = "multivariate row: set C channel windows + one Run")]
    public float ScoreRow()
    {
        for (var c = 0; c < _windows.Length; c++)
        {
            _scorer.Set(c, _windows[c]);
        }

        return _scorer.Score();
    }
}
