namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance stats</c> and <c>appliance bench kernels</c> in the published binary: the per-window statistics of NAB's
/// <c>realKnownCause/machine_temperature_system_failure.csv</c> (numenta/NAB; 22,695 rows) agree with an independent
/// textbook computation, and are bit-for-bit those of the kernel run under the JIT in this test process.
/// </summary>
public sealed class StatsCommandTests
{
    private const int Window = 288; // one day of 5-minute readings

    private static string Csv => Path.Combine(PublishedBinary.SharedData, "nab", "data", "realKnownCause", "machine_temperature_system_failure.csv");

    private static double[] ReadValues() =>
        File.ReadLines(Csv).Skip(1).Select(l => double.Parse(l[(l.IndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToArray();

    private static List<JsonElement> RunStats()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "stats", Csv, "--column", "value", "--window", Window.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(code == 0, $"appliance stats exited {code}: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    private static double Get(JsonElement o, string key) =>
        o.GetProperty(key).ValueKind == JsonValueKind.Null ? double.NaN : o.GetProperty(key).GetDouble();

    [Fact]
    public void Stats_MachineTemperature_AgreesWithTextbookTwoPass()
    {
        double[] xs = ReadValues();
        Assert.Equal(22_695, xs.Length);
        List<JsonElement> windows = RunStats();
        Assert.Equal((xs.Length + Window - 1) / Window, windows.Count); // the last, partial window (231 rows) included
        for (int w = 0; w < windows.Count; w++)
        {
            double[] x = xs.Skip(w * Window).Take(Window).ToArray();
            int n = x.Length;
            // Independent reference: two-pass central sums in double (mean first), and the pandas estimators:
            // std with ddof = 1; skew G1 = n√(n-1)/(n-2)·M3/M2^1.5 and excess kurtosis
            // G2 = n(n+1)(n-1)M4/((n-2)(n-3)M2²) - 3(n-1)²/((n-2)(n-3)) (pandas/core/nanops.py nanskew, nankurt;
            // Joanes and Gill 1998). Rounding of either method is ~n·2⁻⁵³ ≈ 3e-14 relative: 1e-9 is ample.
            double mean = x.Average();
            double m2 = x.Sum(v => (v - mean) * (v - mean));
            double m3 = x.Sum(v => Math.Pow(v - mean, 3));
            double m4 = x.Sum(v => Math.Pow(v - mean, 4));
            double std = Math.Sqrt(m2 / (n - 1));
            double skew = n * Math.Sqrt(n - 1.0) / (n - 2.0) * m3 / Math.Pow(m2, 1.5);
            double kurt = (n * (n + 1.0) * (n - 1.0) * m4 / ((n - 2.0) * (n - 3.0) * m2 * m2)) - (3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0)));
            double rms = Math.Sqrt(x.Sum(v => v * v) / n);
            JsonElement o = windows[w];
            Assert.Equal(n, o.GetProperty("count").GetInt64());
            Assert.Equal(0, o.GetProperty("nan_count").GetInt64());
            Assert.Equal(x.Min(), Get(o, "min"));
            Assert.Equal(x.Max(), Get(o, "max"));
            Near(mean, Get(o, "mean"), std, $"window {w} mean");
            Near(std, Get(o, "std"), std, $"window {w} std");
            Near(rms, Get(o, "rms"), std, $"window {w} rms");
            Near(skew, Get(o, "skewness"), 1, $"window {w} skewness");
            Near(kurt, Get(o, "kurtosis"), 1, $"window {w} kurtosis");
        }
    }

    [Fact]
    public void Stats_MachineTemperature_IdenticalToJitKernelAtTheBinarysWidth()
    {
        // The binary reports the vector width its kernels use; the JIT here runs the same kernel at that width.
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "bench", "kernels", "--json", "--mib", "1", "--rounds", "1");
        Assert.True(code == 0, $"appliance bench kernels exited {code}: {stderr}");
        using var bench = JsonDocument.Parse(stdout);
        foreach (string key in new[] { "vector_width_bits", "read_gbps", "fused_gbps", "ratio_to_bandwidth", "ratio_to_tensorprimitives" })
        {
            Assert.True(bench.RootElement.TryGetProperty(key, out _), $"bench kernels --json lacks '{key}': {stdout}");
        }

        int width = bench.RootElement.GetProperty("vector_width_bits").GetInt32();
        double[] xs = ReadValues();
        List<JsonElement> windows = RunStats();
        for (int w = 0; w < windows.Count; w++)
        {
            WindowFeatures f = WindowStatistics.Compute(xs.AsSpan(w * Window, Math.Min(Window, xs.Length - (w * Window))), width);
            JsonElement o = windows[w];
            // JSON numbers are written in shortest round-trip form, so equal doubles parse back bit for bit.
            foreach ((string key, double jit) in new[] { ("mean", f.Mean), ("std", f.StdDev), ("min", f.Min), ("max", f.Max), ("rms", f.Rms), ("skewness", f.Skewness), ("kurtosis", f.Kurtosis), ("sum", f.Sum) })
            {
                Assert.True(BitConverter.DoubleToInt64Bits(jit) == BitConverter.DoubleToInt64Bits(Get(o, key)), $"window {w} {key}: AOT {Get(o, key):R}, JIT {jit:R} (width {width})");
            }
        }
    }

    [Fact]
    public void Stats_UnknownColumn_ExitCode2NamingFileAndColumn()
    {
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "stats", Csv, "--column", "temperature", "--window", "10");
        Assert.Equal(2, code);
        Assert.Contains("machine_temperature_system_failure.csv:1", stderr);
        Assert.Contains("'temperature'", stderr);
    }

    [Fact]
    public void Stats_QuotedFieldsWithCommas_ReadLikeRfc4180()
    {
        // RFC 4180 §2.6: a comma inside double quotes does not split. The rows take the quoted path where a quote comes
        // before the wanted field ends (rows 1 and 3) and the unquoted fast path otherwise (row 2). Values 2.5, 3.5, 4.5:
        // count 3, mean 3.5, min 2.5, max 4.5, std (n-1) 1.0.
        string csv = Path.Combine(Path.GetTempPath(), $"appliance-quoted-{Environment.ProcessId}.csv");
        File.WriteAllText(csv, "t,\"v\",note\n1,\"2.5\",a\n2,3.5,\"b,c\"\n\"3,x\",4.5,z\n");
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "stats", csv, "--column", "v", "--window", "10", "--json");
            Assert.True(code == 0, $"appliance stats exited {code}: {stderr}");
            using var o = JsonDocument.Parse(stdout.Trim());
            Assert.Equal(3, o.RootElement.GetProperty("count").GetInt64());
            Assert.Equal(3.5, Get(o.RootElement, "mean"));
            Assert.Equal(2.5, Get(o.RootElement, "min"));
            Assert.Equal(4.5, Get(o.RootElement, "max"));
            Assert.Equal(1.0, Get(o.RootElement, "std"), 12);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Theory]
    [InlineData("t,value\n1,2.5\n2,1,000\n", ":3: the row has 3 fields, expected 2 as in the header")] // an unquoted thousands comma
    [InlineData("t,value\n1,2.5\n2\n", ":3: the row has 1 fields, expected 2 as in the header")]
    [InlineData("t,value,value\n1,2,3\n", ":1: column 'value' appears more than once in the header")]
    [InlineData("t,value\n1,1e400\n", ":2: column 'value' = '1e400': out of range")] // beyond binary64's 1.8e308 (IEEE 754)
    [InlineData("", ":1: the file is empty (expected a header row)")] // the same errors as every CSV reader (CsvEntryPointTests)
    [InlineData("t,value\n", ":2: no data rows after the header (expected at least one row)")]
    [InlineData("t,value\n\"1,2.5\n", ":2: a quoted field is not closed on its line")]
    public void Stats_BadRow_ExitCode2NamingFileAndLine(string content, string expected)
    {
        string csv = Path.Combine(Path.GetTempPath(), $"appliance-badstats-{Environment.ProcessId}-{content.GetHashCode():x}.csv");
        File.WriteAllText(csv, content);
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "stats", csv, "--column", "value", "--window", "10", "--json");
            Assert.True(code == 2, $"exit {code}: {stdout} {stderr}");
            Assert.Contains(csv + expected, stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, stdout); // nothing is written before the whole file has parsed
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void BenchStats_MachineTemperature_TimesTheWholeFile()
    {
        // `bench stats` runs the same path as `stats` in-process: it must see all 22,695 rows and ceil(22695 / 12) = 1892
        // windows of the NAB file, and report a positive time.
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "bench", "stats", Csv, "--column", "value", "--window", "12", "--rounds", "1", "--json");
        Assert.True(code == 0, $"appliance bench stats exited {code}: {stderr}");
        using var o = JsonDocument.Parse(stdout);
        Assert.Equal(22_695, o.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(1892, o.RootElement.GetProperty("windows").GetInt64());
        Assert.True(o.RootElement.GetProperty("cpu_ms").GetDouble() > 0, stdout);
        Assert.True(o.RootElement.GetProperty("rows_per_s").GetDouble() > 0, stdout);
    }

    private static void Near(double expected, double actual, double scale, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(Math.Abs(expected), scale), $"{what}: {actual:R}, expected {expected:R}");
}
