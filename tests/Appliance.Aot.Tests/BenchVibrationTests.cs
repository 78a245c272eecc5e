namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance bench vibration</c> in the published binary (issue 21): the ADXL345 at 3200 Hz through its FIFO on the real
/// clock. Without an overrun every sample the chip took is read or still in its FIFO at the end, and the sampling thread
/// allocates nothing once warm (what it allocates brings the next collection, which stops it, closer). Overruns themselves
/// depend on the host's scheduling and are not asserted here; the figures that explain them must be printed.
/// </summary>
public sealed class BenchVibrationTests
{
    [Fact]
    public void BenchVibration_ThreeSeconds_SamplingThreadAllocatesNothingAndGcFiguresPrinted()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "bench", "vibration", "--seconds", "3", "--window", "3200", "--json");
        Assert.True(code == 0, $"appliance bench vibration exited {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        foreach (string key in new[] { "fifo_overruns", "max_read_gap_ms", "cpu_share_one_core", "wake_late_p99_us", "gc_count", "gc_pause_total_ms", "allocated_bytes", "consumer_thread_allocated_bytes", "load_average_1min_start" })
        {
            Assert.True(r.TryGetProperty(key, out _), $"bench vibration --json lacks '{key}': {stdout}");
        }

        Assert.Equal(0, r.GetProperty("sampling_thread_allocated_bytes").GetInt64());
        long taken = r.GetProperty("chip_samples_taken").GetInt64(), read = r.GetProperty("samples_read").GetInt64();
        Assert.True(read <= taken, stdout);
        if (r.GetProperty("fifo_overruns").GetInt64() == 0)
        {
            Assert.InRange(taken - read, 0, 33); // without an overrun only the FIFO's 32 entries and the data registers' one are unread
        }
    }
}
