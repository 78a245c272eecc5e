using Appliance.Contracts.Inference;
using Appliance.Cloud.Training;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML.OnnxRuntime;

namespace Appliance.Benchmarks.Inference;

/// <summary>
/// One <c>Run</c> of the trainer's PCA reconstruction model (8 features, N symbolic) on CPU at batch 1, 16 and 256:
/// our <see cref="OnnxScorer"/> (copy in, RunWithBinding over pinned OrtValues, NaN check, copy out) and the pipeline's
/// <see cref="HotSwapScorer"/> over it (the staged-model check before each batch) against a bare ORT
/// loop on the same model and preallocated OrtValues, bound once (the floor) and passed by name per call. Allocated bytes per Run come from [MemoryDiagnoser]
/// (target 0); p50 / p95 / p99 latency from the per-invocation statistics; throughput = batch / mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyConfig))]
public class OnnxRunBenchmarks
{
    private const int F = 8;
    private OnnxScorer _scorer = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _in = null!;
    private OrtValue _out = null!;
    private OrtValue[] _ins = [];
    private OrtValue[] _outs = [];
    private string[] _inNames = [];
    private string[] _outNames = [];
    private float[] _features = [];
    private float[] _scores = [];
    private OrtIoBinding _binding = null!;
    private HotSwapScorer _hotSwap = null!;

    /// <summary>Rows (sensor windows) per Run.</summary>
    [Params(1, 16, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        var rows = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, F).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        // Named as 8 window features so that the pipeline's HotSwapScorer takes it (ONNX metadata appliance.features).
        var model = PcaReconstructionModel.Fit(rows, components: 3).ToOnnx(new Dictionary<string, string> { [OnnxScorer.FeaturesKey] = string.Join(",", WindowFeatureColumns.Names.Take(F)) });
        _scorer = new OnnxScorer(model, Batch, F, GpuPolicy.Off);
        _hotSwap = new HotSwapScorer(Batch, GpuPolicy.Off);
        if (!_hotSwap.Stage("bench", model, null) || !_hotSwap.TrySwap())
        {
            throw new InvalidOperationException($"model refused: {_hotSwap.LastRejection}");
        }

        _features = rows.Take(Batch).SelectMany(r => r).ToArray();
        if (_features.Length < Batch * F)
        {
            _features = [.. Enumerable.Range(0, Batch * F).Select(i => (float)(i % 7))];
        }

        _scores = new float[Batch];
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(model, options);
        _runOptions = new RunOptions();
        _inNames = [.. _session.InputMetadata.Keys];
        _outNames = [.. _session.OutputMetadata.Keys];
        var inBuf = GC.AllocateArray<float>(Batch * F, pinned: true);
        _features.CopyTo(inBuf, 0);
        var outBuf = GC.AllocateArray<float>(Batch, pinned: true);
        _in = OrtValue.CreateTensorValueFromMemory(inBuf, [Batch, F]);
        _out = OrtValue.CreateTensorValueFromMemory(outBuf, [Batch, 1]);
        _ins = [_in];
        _outs = [_out];
        _binding = _session.CreateIoBinding();
        _binding.BindInput(_inNames[0], _in);
        _binding.BindOutput(_outNames[0], _out);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scorer.Dispose();
        _hotSwap.Dispose();
        _binding.Dispose();
        _in.Dispose();
        _out.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bare ORT RunWithBinding (bound once)")]
    public void BareOrt() => _session.RunWithBinding(_runOptions, _binding);

    [Benchmark(Description = "bare ORT Run (names + OrtValues per call)")]
    public void BareOrtNames() => _session.Run(_runOptions, _inNames, _ins, _outNames, _outs);

    [Benchmark(Description = "OnnxScorer.Run (copy in/out, NaN check)")]
    public void Wrapper() => _scorer.Run(_features, _scores);

    [Benchmark(Description = "HotSwapScorer.Run (the pipeline's path: swap check + OnnxScorer.Run)")]
    public void HotSwap() => _hotSwap.Run(_features, _scores);

    /// <summary>Adds p50, p95 and p99 of the per-operation times.</summary>
    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column());
        }
    }

    private sealed class P99Column : IColumn
    {
        public string Id => "P99";

        public string ColumnName => "P99";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => "99th percentile of the per-operation time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var s = summary[benchmarkCase]?.ResultStatistics;
            return s is null ? "NA" : $"{s.Percentiles.Percentile(99) / 1000.0:F2} μs";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
