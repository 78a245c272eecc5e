using System.CommandLine;
using System.Runtime.Intrinsics;
using Appliance.Kernels.Statistics;
using Appliance.Runtime.Inference;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance doctor</c>: what this machine offers the appliance: the Linux bus character devices present, the SIMD
/// widths the kernels can use, ONNX Runtime's execution providers (and whether CUDA actually loads), and libgit2's features.
/// Absent hardware is reported as "not present", never as a crash.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var cmd = new Command("doctor", "Report buses, SIMD widths, ONNX execution providers and libgit2");
        cmd.SetAction(_ => Run());
        return cmd;
    }

    private static int Run()
    {
        Console.WriteLine($"appliance {System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(DoctorCommand).Assembly)?.InformationalVersion} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}");
        Console.WriteLine($"buses: i2c {List("/dev", "i2c-*")}; spi {List("/dev", "spidev*")}; gpio {List("/dev", "gpiochip*")}");
        Console.WriteLine($"simd: Vector128 {Accelerated(Vector128.IsHardwareAccelerated)}, Vector256 {Accelerated(Vector256.IsHardwareAccelerated)}, Vector512 {Accelerated(Vector512.IsHardwareAccelerated)}; kernels use {WindowStatistics.VectorWidthBits}-bit vectors");
        try
        {
            Console.WriteLine($"onnxruntime: providers offered: {string.Join(", ", OnnxScorer.AvailableProviders())}");
            var model = StandardScoreModel.Fit([[0f, 1f]], 1, 2).ToOnnx();
            using var probe = new OnnxScorer(model, 1, 2, GpuPolicy.Auto);
            Console.WriteLine($"onnxruntime: session runs on {probe.ExecutionProvider}" + (probe.FallbackReason is null ? string.Empty : $" (CUDA not available: {probe.FallbackReason})"));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InferenceException)
        {
            Console.WriteLine($"onnxruntime: not usable: {e.Message}");
        }

        try
        {
            Console.WriteLine($"libgit2: {LibGit2Sharp.GlobalSettings.Version.LibGit2CommitSha} features {LibGit2Sharp.GlobalSettings.Version.Features}");
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            Console.WriteLine($"libgit2: not usable: {e.Message}");
        }

        return ExitCodes.Ok;
    }

    private static string Accelerated(bool yes) => yes ? "yes" : "no";

    private static string List(string dir, string pattern)
    {
        var found = Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir, pattern) : [];
        return found.Length == 0 ? "not present" : string.Join(" ", found.Order(StringComparer.Ordinal));
    }
}
