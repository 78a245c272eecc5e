using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Contracts.Inference;
using Appliance.Cloud.Training;
using Microsoft.ML.OnnxRuntime;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench inference [--json] [--rounds R] [--calls N]</c>: one ONNX Runtime <c>Run</c> of the trainer's PCA
/// reconstruction model (8 window features, 3 components) on the CPU execution provider at batch 1, 16 and 256, through
/// the pipeline's wrappers against a bare ORT loop on the same model, measured in this binary and in one run.
/// </summary>
/// <remarks>
/// <para>Three paths per batch size: <c>bare</c>, <c>InferenceSession.RunWithBinding</c> over pinned OrtValues bound
/// once (the floor: what ORT itself costs); <c>wrapper</c>, <see cref="OnnxScorer.Run"/> (copy the features in, the same
/// bound run, the non-finite check, copy the scores out); <c>hotswap</c>, <see cref="HotSwapScorer.Run"/>, the pipeline's
/// call (the staged-model check, then the wrapper). Each round times N calls of each path one call at a time, the paths
/// interleaved and their order rotated per round, so load on a shared machine falls on all three alike; the figures are
/// percentiles over all R·N calls (wall clock, <see cref="Stopwatch"/>). Overhead is the wrapper's median over the bare
/// median, minus 1 (issue 5: below 10 %). Allocated bytes per run are this thread's managed allocations over the timed
/// calls (<see cref="GC.GetAllocatedBytesForCurrentThread"/>; target 0).</para>
/// <para>JSON (one object): <c>execution_provider</c>, <c>features</c>, <c>rounds</c>, <c>calls_per_round</c>,
/// <c>batches</c>: [{<c>batch</c>, <c>bare_p50_us</c>, <c>bare_p99_us</c>, <c>wrapper_p50_us</c>,
/// <c>wrapper_p99_us</c>, <c>hotswap_p50_us</c>, <c>hotswap_p99_us</c>, <c>rows_per_s</c> (batch over the hotswap median),
/// <c>wrapper_overhead</c>, <c>hotswap_overhead</c>, <c>bare_allocated_bytes_per_run</c>,
/// <c>wrapper_allocated_bytes_per_run</c>, <c>hotswap_allocated_bytes_per_run</c>}], <c>max_overhead</c> (the largest
/// overhead of either wrapper at any batch size).</para>
/// </remarks>
internal static class BenchInferenceCommand
{
    private const int Features = 8;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each times N calls of every path", DefaultValueFactory = _ => 15 };
        var calls = new Option<int>("--calls") { Description = "Calls per path and round", DefaultValueFactory = _ => 200 };
        var cmd = new Command("inference", "ONNX Runtime Run through the pipeline's wrappers vs a bare ORT loop (CPU, batch 1/16/256)");
        cmd.Options.Add(json);
        cmd.Options.Add(rounds);
        cmd.Options.Add(calls);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(json), p.GetValue(rounds), p.GetValue(calls)))));
        return cmd;
    }

    private static int Run(bool json, int rounds, int calls)
    {
        if (rounds is < 1 or > 1000)
        {
            throw new ArgumentException($"--rounds {rounds}: expected 1 to 1000");
        }

        if (calls is < 1 or > 100_000)
        {
            throw new ArgumentException($"--calls {calls}: expected 1 to 100000");
        }

        // The model the trainer writes, fitted on fixed-seed rows and named as 8 window features so HotSwapScorer takes it.
        var rng = new Random(42);
        var rows = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, Features).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        byte[] model = PcaReconstructionModel.Fit(rows, components: 3)
            .ToOnnx(new Dictionary<string, string> { [OnnxScorer.FeaturesKey] = string.Join(",", WindowFeatureColumns.Names.Take(Features)) });
        var results = new List<BatchResult>();
        foreach (int batch in new[] { 1, 16, 256 })
        {
            results.Add(Measure(model, rows, batch, rounds, calls));
        }

        double maxOverhead = results.Max(r => Math.Max(r.WrapperOverhead, r.HotSwapOverhead));
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("execution_provider", "CPU");
                w.WriteNumber("features", Features);
                w.WriteNumber("rounds", rounds);
                w.WriteNumber("calls_per_round", calls);
                w.WriteString("clock", "wall");
                w.WriteStartArray("batches");
                foreach (BatchResult r in results)
                {
                    w.WriteStartObject();
                    w.WriteNumber("batch", r.Batch);
                    w.WriteNumber("bare_p50_us", Math.Round(r.Bare.P50, 3));
                    w.WriteNumber("bare_p99_us", Math.Round(r.Bare.P99, 3));
                    w.WriteNumber("wrapper_p50_us", Math.Round(r.Wrapper.P50, 3));
                    w.WriteNumber("wrapper_p99_us", Math.Round(r.Wrapper.P99, 3));
                    w.WriteNumber("hotswap_p50_us", Math.Round(r.HotSwap.P50, 3));
                    w.WriteNumber("hotswap_p99_us", Math.Round(r.HotSwap.P99, 3));
                    w.WriteNumber("rows_per_s", Math.Round(r.Batch / (r.HotSwap.P50 * 1e-6)));
                    w.WriteNumber("wrapper_overhead", Math.Round(r.WrapperOverhead, 4));
                    w.WriteNumber("hotswap_overhead", Math.Round(r.HotSwapOverhead, 4));
                    w.WriteNumber("bare_allocated_bytes_per_run", Math.Round(r.Bare.AllocatedPerRun, 1));
                    w.WriteNumber("wrapper_allocated_bytes_per_run", Math.Round(r.Wrapper.AllocatedPerRun, 1));
                    w.WriteNumber("hotswap_allocated_bytes_per_run", Math.Round(r.HotSwap.AllocatedPerRun, 1));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteNumber("max_overhead", Math.Round(maxOverhead, 4));
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"inference: PCA model, {Features} features, CPU execution provider, {rounds} rounds x {calls} calls per path, interleaved; wall clock per call"));
            Console.WriteLine("  batch   bare p50/p99 us    wrapper p50/p99 us   hotswap p50/p99 us   rows/s       overhead (wrapper, hotswap)   B/run");
            foreach (BatchResult r in results)
            {
                Console.WriteLine(string.Create(c,
                    $"  {r.Batch,5}   {r.Bare.P50,7:F2} / {r.Bare.P99,7:F2}  {r.Wrapper.P50,7:F2} / {r.Wrapper.P99,7:F2}   {r.HotSwap.P50,7:F2} / {r.HotSwap.P99,7:F2}  {r.Batch / (r.HotSwap.P50 * 1e-6),10:F0}   {r.WrapperOverhead * 100,6:F1} %, {r.HotSwapOverhead * 100,6:F1} %          {r.HotSwap.AllocatedPerRun:F0}"));
            }

            Console.WriteLine(string.Create(c, $"  largest overhead over bare ORT (either wrapper, any batch): {maxOverhead * 100:F1} % (goal < 10 %)"));
        }

        return ExitCodes.Ok;
    }

    private static BatchResult Measure(byte[] model, List<float[]> rows, int batch, int rounds, int calls)
    {
        float[] features = [.. Enumerable.Range(0, batch).SelectMany(i => rows[i % rows.Count])];
        var scores = new float[batch];
        using var scorer = new OnnxScorer(model, batch, Features, GpuPolicy.Off);
        using var hotSwap = new HotSwapScorer(batch, GpuPolicy.Off);
        if (!hotSwap.Stage("bench", model, null) || !hotSwap.TrySwap())
        {
            throw new InvalidOperationException($"bench model refused: {hotSwap.LastRejection}");
        }

        // The floor: the same model, session options and pinned, bound tensors, with nothing around the run.
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var runOptions = new RunOptions();
        var input = GC.AllocateArray<float>(batch * Features, pinned: true);
        var output = GC.AllocateArray<float>(batch, pinned: true);
        features.CopyTo(input, 0);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batch, Features]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [batch, 1]);
        using var binding = session.CreateIoBinding();
        binding.BindInput(session.InputMetadata.Keys.First(), inputValue);
        binding.BindOutput(session.OutputMetadata.Keys.First(), outputValue);

        var paths = new Action[]
        {
            () => session.RunWithBinding(runOptions, binding),
            () => scorer.Run(features, scores),
            () => hotSwap.Run(features, scores),
        };
        var latencies = new double[paths.Length][];
        var allocated = new long[paths.Length];
        for (int p = 0; p < paths.Length; p++)
        {
            latencies[p] = new double[rounds * calls];
            for (int i = 0; i < 100; i++)
            {
                paths[p](); // warm-up: first-run allocations, caches
            }
        }

        double tickUs = 1e6 / Stopwatch.Frequency;
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < paths.Length; k++)
            {
                int p = (r + k) % paths.Length;
                Action path = paths[p];
                double[] lat = latencies[p];
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    path();
                    lat[(r * calls) + i] = (Stopwatch.GetTimestamp() - t0) * tickUs;
                }

                allocated[p] += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }

        int n = rounds * calls;
        PathResult Summarise(int p)
        {
            double[] sorted = (double[])latencies[p].Clone();
            Array.Sort(sorted);
            return new PathResult(sorted[(int)(0.5 * (n - 1))], sorted[(int)(0.99 * (n - 1))], (double)allocated[p] / n);
        }

        PathResult bare = Summarise(0), wrapper = Summarise(1), hot = Summarise(2);
        return new BatchResult(batch, bare, wrapper, hot, (wrapper.P50 / bare.P50) - 1, (hot.P50 / bare.P50) - 1);
    }

    private readonly record struct PathResult(double P50, double P99, double AllocatedPerRun);

    private readonly record struct BatchResult(int Batch, PathResult Bare, PathResult Wrapper, PathResult HotSwap, double WrapperOverhead, double HotSwapOverhead);
}
