using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Appliance.Kernels.Cpu;
using Appliance.Kernels.Statistics;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench kernels [--json] [--mib N] [--rounds R]</c>: measures, in this binary and in one run, the single-core
/// read bandwidth of a float32 buffer larger than the last-level cache (a vectorised sum, <c>TensorPrimitives.Sum</c>), the
/// fused window kernel over the same buffer, and the same statistics computed with separate <c>TensorPrimitives</c> calls,
/// and prints the ratios the kernels issue asks for (fused over read: at least 0.8; separate time over fused time: at
/// least 3). Time is the thread's CPU time, so a shared, loaded machine does not
/// charge other processes' time slices to a kernel. A buffer under 256 MiB is passed over repeatedly per round (so <c>--mib 1</c> measures in cache). Each figure is the median of R rounds, the three kernels interleaved within each round so that a machine's
/// load drift affects them alike.
/// </summary>
/// <remarks>
/// "Separate calls" computes what the fused pass gives except the NaN count and zero crossings (which TensorPrimitives
/// has no call for): Sum, Min, Max, SumOfSquares, then the central sums from d = x - mean (Subtract into a scratch
/// buffer, Multiply for d², Sum of d², Dot of d² and d for M3, SumOfSquares of d² for M4): nine calls, four of which
/// write a scratch buffer. It is what a user composing TensorPrimitives gets, two-pass, in float precision.
/// </remarks>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the kernels (and other parts) inside this binary; figures are ratios measured in one run");
        bench.Subcommands.Add(CreateKernels());
        // ---- lead: other bench subcommands are registered here, one line each, for example:
#if !DEVICE_ONLY
        bench.Subcommands.Add(BenchUplinkCommand.Create());
        bench.Subcommands.Add(BenchOverloadCommand.Create());
        bench.Subcommands.Add(BenchInferenceCommand.Create());
        bench.Subcommands.Add(BenchApiCommand.Create());
        bench.Subcommands.Add(BenchStoreCommand.Create());
        bench.Subcommands.Add(BenchFleetCommand.Create());
        bench.Subcommands.Add(BenchFleetDevicesCommand.Create());
#endif
        bench.Subcommands.Add(BenchStatsCommand.Create());
        bench.Subcommands.Add(BenchVibrationCommand.Create());
        // ---- end of bench subcommands
        return bench;
    }

    private static Command CreateKernels()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var mib = new Option<int>("--mib") { Description = "Buffer size in MiB of float32 samples; must exceed the last-level cache", DefaultValueFactory = _ => 256 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; each figure is the median over them", DefaultValueFactory = _ => 9 };
        var cmd = new Command("kernels", "Fused window kernel vs read bandwidth vs separate TensorPrimitives calls (float32, one core)");
        cmd.Options.Add(json);
        cmd.Options.Add(mib);
        cmd.Options.Add(rounds);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(RunKernels(p.GetValue(json), p.GetValue(mib), p.GetValue(rounds)))));
        return cmd;
    }

    private static int RunKernels(bool json, int mib, int rounds)
    {
        if (mib is < 1 or > 4096)
        {
            throw new ArgumentException($"--mib {mib}: expected 1 to 4096");
        }

        if (rounds is < 1 or > 1000)
        {
            throw new ArgumentException($"--rounds {rounds}: expected 1 to 1000");
        }

        int n = (int)(mib * 1024L * 1024L / sizeof(float));
        var data = new float[n];
        var scratch = new float[n];
        var squares = new float[n];
        var rng = new Random(42);
        for (int i = 0; i < n; i++)
        {
            // A temperature-like channel: 20 degrees plus noise, so the shift and the moments do real work.
            data[i] = (float)(20.0 + rng.NextDouble());
        }

        // Small (in-cache) buffers are passed over repeatedly so that each timed interval covers at least 256 MiB.
        int repeats = Math.Max(1, 256 / mib);
        double sink = 0;
        // Warm-up: fault the pages in and let the code reach its final tier.
        sink += TensorPrimitives.Sum(data) + WindowStatistics.Compute(data).M4 + Separate(data, scratch, squares);
        var read = new double[rounds];
        var fused = new double[rounds];
        var separate = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Now();
            for (int k = 0; k < repeats; k++)
            {
                sink += TensorPrimitives.Sum(data);
            }

            long t1 = Now();
            for (int k = 0; k < repeats; k++)
            {
                sink += WindowStatistics.Compute(data).M4;
            }

            long t2 = Now();
            for (int k = 0; k < repeats; k++)
            {
                sink += Separate(data, scratch, squares);
            }

            long t3 = Now();
            read[r] = (t1 - t0) * 1e-9 / repeats;
            fused[r] = (t2 - t1) * 1e-9 / repeats;
            separate[r] = (t3 - t2) * 1e-9 / repeats;
        }

        double bytes = (double)n * sizeof(float);
        double readS = Median(read), fusedS = Median(fused), separateS = Median(separate);
        double readGbps = bytes / readS / 1e9, fusedGbps = bytes / fusedS / 1e9, separateGbps = bytes / separateS / 1e9;
        double ratioToBandwidth = fusedGbps / readGbps;
        double ratioToTensorPrimitives = separateS / fusedS;
        int width = WindowStatistics.VectorWidthBits;
        string isa = width == 0 ? "scalar" : $"Vector{width}";
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("instruction_set", isa);
                w.WriteNumber("vector_width_bits", width);
                // Which image ran (X64Images: out/appliance is x86-64-v2 and hands over to -v3/-v4 where the CPU has them).
                w.WriteString("image", X64Levels.Name(X64Levels.Compiled));
                w.WriteString("cpu_level", X64Levels.Name(X64Levels.Cpu));
                w.WriteNumber("buffer_mib", mib);
                w.WriteNumber("samples", n);
                w.WriteNumber("rounds", rounds);
                w.WriteNumber("passes_per_round", repeats);
                w.WriteString("clock", "thread_cpu");
                w.WriteNumber("read_gbps", Math.Round(readGbps, 3));
                w.WriteNumber("fused_gbps", Math.Round(fusedGbps, 3));
                w.WriteNumber("separate_gbps", Math.Round(separateGbps, 3));
                w.WriteNumber("ratio_to_bandwidth", Math.Round(ratioToBandwidth, 3));
                w.WriteNumber("ratio_to_tensorprimitives", Math.Round(ratioToTensorPrimitives, 3));
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(c, $"kernels: float32, {mib} MiB buffer ({n} samples), one core, {isa} ({X64Levels.Name(X64Levels.Compiled)} image on an {X64Levels.Name(X64Levels.Cpu)} CPU), thread CPU time, median of {rounds} rounds of {repeats} passes"));
            Console.WriteLine("  method                                      GB/s   ratio");
            Console.WriteLine(string.Create(c, $"  read (TensorPrimitives.Sum)              {readGbps,7:F2}   1.00 (bandwidth)"));
            Console.WriteLine(string.Create(c, $"  fused WindowStatistics.Compute           {fusedGbps,7:F2}   {ratioToBandwidth:F2} of read bandwidth (goal >= 0.8)"));
            Console.WriteLine(string.Create(c, $"  separate TensorPrimitives (9 calls)      {separateGbps,7:F2}   fused is {ratioToTensorPrimitives:F2}x faster (goal >= 3)"));
        }

        return double.IsNaN(sink) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    /// <summary>The fused kernel's moment statistics from separate TensorPrimitives calls (see the class remarks).</summary>
    private static double Separate(float[] x, float[] d, float[] d2)
    {
        float sum = TensorPrimitives.Sum(x);
        float min = TensorPrimitives.Min(x);
        float max = TensorPrimitives.Max(x);
        float sq = TensorPrimitives.SumOfSquares(x);
        float mean = sum / x.Length;
        TensorPrimitives.Subtract(x, mean, d);
        TensorPrimitives.Multiply(d, d, d2);
        float m2 = TensorPrimitives.Sum(d2);
        float m3 = TensorPrimitives.Dot(d2, d);
        float m4 = TensorPrimitives.SumOfSquares(d2);
        return (double)min + max + sq + m2 + m3 + m4;
    }

    /// <summary>
    /// Nanoseconds of CPU time this thread has run (POSIX <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), so that time the
    /// scheduler gives to other processes on a shared machine is not counted; on an idle board it equals wall time.
    /// Falls back to the monotonic wall clock where the call fails.
    /// </summary>
    internal static long Now()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTimeClock, out Timespec t) == 0)
        {
            return (t.Seconds * 1_000_000_000L) + t.Nanoseconds;
        }

        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    /// <summary>CLOCK_THREAD_CPUTIME_ID in Linux's uapi/linux/time.h.</summary>
    private const int ThreadCpuTimeClock = 3;

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>struct timespec on 64-bit Linux: two 64-bit fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    internal static double Median(double[] xs)
    {
        var sorted = (double[])xs.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);
    }
}
