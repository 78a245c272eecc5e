namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance bench inference</c> in the published binary: ONNX Runtime runs through the pipeline's wrappers at
/// batch 1, 16 and 256 allocate no managed memory per <c>Run</c> (issue 5's target: 0 B; the inputs and outputs are
/// pinned buffers bound once as OrtValues).
/// </summary>
public sealed class BenchInferenceTests
{
    [Fact]
    public void BenchInference_ThreeBatchSizes_WrappersAllocateNothingPerRun()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "bench", "inference", "--rounds", "2", "--calls", "20", "--json");
        Assert.True(code == 0, $"appliance bench inference exited {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("CPU", doc.RootElement.GetProperty("execution_provider").GetString());
        JsonElement[] batches = [.. doc.RootElement.GetProperty("batches").EnumerateArray()];
        Assert.Equal([1, 16, 256], batches.Select(b => b.GetProperty("batch").GetInt32()));
        foreach (JsonElement b in batches)
        {
            Assert.Equal(0, b.GetProperty("wrapper_allocated_bytes_per_run").GetDouble());
            Assert.Equal(0, b.GetProperty("hotswap_allocated_bytes_per_run").GetDouble());
            Assert.True(b.GetProperty("bare_p50_us").GetDouble() > 0, stdout);
            Assert.True(b.GetProperty("hotswap_p99_us").GetDouble() >= b.GetProperty("hotswap_p50_us").GetDouble(), stdout);
        }
    }
}
