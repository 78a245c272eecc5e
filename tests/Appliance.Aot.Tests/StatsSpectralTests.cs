namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance stats --spectral</c> in the published binary (issue 21 item 5): a synthetic CSV whose values are known
/// analytically. At fs = 3200 Hz and N = 1024 (Δf = 3.125 Hz), 0.2 + 3·sin(2π·125 t) + 1·sin(2π·500 t) puts lines on bins 40
/// and 160; Hann spreads each over its bin ± 1 only (Harris 1978 §4.2), so band RMS is A/√2 per band holding one line
/// (Parseval), the dominant line is 125 Hz of amplitude 3, and the power-weighted centroid is (4.5·125 + 0.5·500)/5 = 162.5 Hz.
/// </summary>
public sealed class StatsSpectralTests
{
    private static string WriteCsv(int rows)
    {
        string csv = Path.Combine(Path.GetTempPath(), $"appliance-spectral-{Environment.ProcessId}-{rows}.csv");
        var sb = new StringBuilder("t,value\n");
        for (int i = 0; i < rows; i++)
        {
            double t = i / 3200.0;
            double v = 0.2 + (3 * Math.Sin(2 * Math.PI * 125 * t)) + Math.Sin(2 * Math.PI * 500 * t);
            sb.Append(CultureInfo.InvariantCulture, $"{i},{v:R}\n");
        }

        File.WriteAllText(csv, sb.ToString());
        return csv;
    }

    [Fact]
    public void StatsSpectral_TwoSines_BandRmsDominantAndCentroidAsAnalytic()
    {
        string csv = WriteCsv(3200 * 3);
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "stats", csv, "--column", "value", "--window", "3200", "--json",
                "--spectral", "--rate", "3200", "--size", "1024", "--bands", "100-150,450-550,1000-1600");
            Assert.True(code == 0, $"appliance stats exited {code}: {stderr}");
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            foreach (string line in lines)
            {
                var o = JsonDocument.Parse(line).RootElement;
                Assert.Equal(3200, o.GetProperty("count").GetInt64()); // today's fields are still there
                Assert.Equal(125.0, o.GetProperty("dominant_hz").GetDouble());
                Assert.Equal(3.0, o.GetProperty("dominant_amplitude").GetDouble(), 4);
                Assert.Equal(162.5, o.GetProperty("centroid_hz").GetDouble(), 2);
                var bands = o.GetProperty("band_rms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                Assert.Equal(3 / Math.Sqrt(2), bands[0], 4);
                Assert.Equal(1 / Math.Sqrt(2), bands[1], 4);
                Assert.True(bands[2] < 1e-4, $"1000-1600 Hz holds {bands[2]}");
                Assert.True(o.TryGetProperty("spectral_kurtosis", out _));
                Assert.False(o.TryGetProperty("envelope_amplitude", out _));
            }
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Theory]
    [InlineData(new[] { "--spectral" }, "--rate missing")]
    [InlineData(new[] { "--spectral", "--rate", "3200", "--size", "1000" }, "--size: size: expected a power of two")]
    [InlineData(new[] { "--spectral", "--rate", "3200", "--bands", "10-x" }, "--bands 10-x: '10-x' is not LOW-HIGH")]
    [InlineData(new[] { "--spectral", "--rate", "3200", "--bands", "10-2000" }, "--bands: bands[0]")]
    [InlineData(new[] { "--spectral", "--rate", "3200", "--window-fn", "hamming" }, "--window-fn hamming: expected hann or none")]
    [InlineData(new[] { "--spectral", "--rate", "3200", "--size", "4096" }, "--window 3200: a window of fewer rows than --size 4096")]
    [InlineData(new[] { "--rate", "3200" }, "go with --spectral")]
    public void StatsSpectral_BadFlag_OneLineExit2(string[] flags, string expected)
    {
        string csv = WriteCsv(100);
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), ["stats", csv, "--column", "value", "--window", "3200", "--json", .. flags]);
            Assert.True(code == 2, $"exit {code}: {stdout} {stderr}");
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, stdout);
        }
        finally
        {
            File.Delete(csv);
        }
    }
}
