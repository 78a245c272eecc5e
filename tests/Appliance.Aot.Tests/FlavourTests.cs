namespace Appliance.Aot.Tests;

/// <summary>
/// CPU-first inference (issue 20, item 2): the default <c>./build.sh</c> publishes the CPU ONNX Runtime (package
/// Microsoft.ML.OnnxRuntime), so <c>out/</c> carries <c>libonnxruntime.so</c> but no CUDA or TensorRT provider (before: the
/// CUDA package put 284 MB of providers there), and <c>appliance doctor</c> says which flavour it runs. The CUDA flavour is
/// the explicit <c>./build.sh --gpu</c> (not built by the tests: no GPU here).
/// </summary>
public sealed class FlavourTests
{
    [Fact]
    public void Published_DefaultBuild_HoldsNoCudaProvider()
    {
        var outDir = Path.GetDirectoryName(PublishedBinary.Path)!;
        Assert.True(File.Exists(PublishedBinary.Path), $"{PublishedBinary.Path} not found: publish it first with ./build.sh");
        Assert.True(File.Exists(Path.Combine(outDir, "libonnxruntime.so")), "out/libonnxruntime.so missing");
        Assert.False(File.Exists(Path.Combine(outDir, "libonnxruntime_providers_cuda.so")), "out/ holds the CUDA provider: the default build must use the CPU ONNX Runtime (./build.sh --gpu for CUDA)");
        Assert.False(File.Exists(Path.Combine(outDir, "libonnxruntime_providers_tensorrt.so")), "out/ holds the TensorRT provider");
    }

    [Fact]
    public void Doctor_DefaultBuild_SaysCpuFlavourAndOneIntraOpThread()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "doctor");
        Assert.True(code == 0, stderr);
        Assert.Contains("onnxruntime: flavour cpu (CPU execution provider; no libonnxruntime_providers_cuda.so beside the binary)", stdout, StringComparison.Ordinal);
        // gpu = "auto" in the CPU flavour: ORT has no CUDA provider to load, so the session runs on CPU and says why.
        Assert.Contains("onnxruntime: session runs on CPU, 1 intra-op thread (CUDA not available: ", stdout, StringComparison.Ordinal);
    }
}
