using System.CommandLine;
using System.Runtime.Intrinsics;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Emulation;
using Appliance.Drivers.Sources;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance doctor [--config FILE]</c>: what this machine offers the appliance: the Linux bus character devices present, for
/// each configured sensor (from FILE, or the embedded default) whether it answers with the right chip id, the SIMD widths the
/// kernels can use, ONNX Runtime's execution providers (and whether CUDA actually loads), and libgit2's features.
/// Absent hardware is reported as "not present", never as a crash. Exit code 0 when every configured sensor answers, 1 when
/// one does not, 2 for a configuration that cannot be read.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "An appliance.toml whose sensors are probed (default: the embedded default configuration)" };
        var cmd = new Command("doctor", "Report buses, configured sensors, SIMD widths, ONNX execution providers and libgit2") { config };
        cmd.SetAction((p, _) => Cli.Guard(() => Task.FromResult(Run(p.GetValue(config)))));
        return cmd;
    }

    private static int Run(FileInfo? configFile)
    {
        // Read the configuration first: a bad file is bad input (exit 2) before anything is printed.
        // The checks `run` makes before it applies a revision (the loader's, then the pipeline's), so that doctor agrees with run.
        var source = configFile?.FullName ?? "(embedded default) appliance.toml";
        var config = ConfigLoader.Parse(configFile is null ? DefaultConfig.Toml : ConfigText.Read(configFile.FullName), source);
        Appliance.Device.Pipeline.DevicePipeline.Check(config, source);

        Console.WriteLine($"appliance {System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(DoctorCommand).Assembly)?.InformationalVersion} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription} {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}");
        var buses = BusInventory.List();
        Console.WriteLine($"buses: i2c {List(buses, BusKind.I2c)}; spi {List(buses, BusKind.Spi)}; gpio {List(buses, BusKind.Gpio)}");
        var answering = ProbeSensors(config, configFile?.FullName ?? "the embedded default configuration");
        Console.WriteLine($"simd: Vector128 {Accelerated(Vector128.IsHardwareAccelerated)}, Vector256 {Accelerated(Vector256.IsHardwareAccelerated)}, Vector512 {Accelerated(Vector512.IsHardwareAccelerated)}; kernels use {WindowStatistics.VectorWidthBits}-bit vectors");
        var librariesLoad = ReportOnnxRuntime() & ReportLibGit2();
        return answering && librariesLoad ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>Prints ONNX Runtime's providers and where a session runs, or why the library is not usable (which file, where looked for).</summary>
    private static bool ReportOnnxRuntime()
    {
        if (NativeLibraries.Onnx() is { } missing)
        {
            Console.WriteLine($"onnxruntime: not usable: {missing}");
            return false;
        }

        var (flavour, provider) = NativeLibraries.OnnxFlavour();
        Console.WriteLine(provider is null
            ? $"onnxruntime: flavour cpu (CPU execution provider; no {NativeLibraries.CudaProvider} beside the binary)"
            : $"onnxruntime: flavour {flavour} (CUDA execution provider: {provider})");
        try
        {
            Console.WriteLine($"onnxruntime: providers offered: {string.Join(", ", OnnxScorer.AvailableProviders())}");
            var model = StandardScoreModel.Fit([[0f, 1f]], 1, 2).ToOnnx();
            using var probe = new OnnxScorer(model, 1, 2, GpuPolicy.Auto);
            Console.WriteLine($"onnxruntime: session runs on {probe.ExecutionProvider}, {probe.IntraOpThreads} intra-op thread" + (probe.FallbackReason is null ? string.Empty : $" (CUDA not available: {probe.FallbackReason})"));
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InferenceException)
        {
            Console.WriteLine($"onnxruntime: not usable: {e.Message}");
            return false;
        }
    }

    /// <summary>Prints libgit2's version and features, or why the library is not usable (which file, where looked for).</summary>
    private static bool ReportLibGit2()
    {
        if (NativeLibraries.Git() is { } missing)
        {
            Console.WriteLine($"libgit2: not usable: {missing}");
            return false;
        }

        try
        {
            Console.WriteLine($"libgit2: {LibGit2Sharp.GlobalSettings.Version.LibGit2CommitSha} features {LibGit2Sharp.GlobalSettings.Version.Features}");
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            Console.WriteLine($"libgit2: not usable: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// Prints one line per configured sensor: <c>sensor NAME (CHIP on BUS): answers; read ...</c> or
    /// <c>sensor NAME (CHIP on BUS): DOES NOT ANSWER: why</c> (a wrong chip id names the id read and the one expected). Emulated chips
    /// get their configured bus faults (<c>fault = "chipid:0s+1m"</c>) as they would in <c>appliance run</c>; replayed sensors are
    /// files, not buses, and are skipped. Returns whether every probed sensor answered.
    /// </summary>
    private static bool ProbeSensors(ApplianceConfig config, string from)
    {
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(emulated: emulated);
        var descriptors = new List<SensorDescriptor>();
        foreach (var s in config.Sensors)
        {
            if (s.Chip is null)
            {
                Console.WriteLine($"sensor {s.Name} (replay of {s.Bus.Target}): a recording, not a bus; not probed");
                continue;
            }

            descriptors.Add(s.ToDescriptor());
            if (s.Fault is { } fault && fault.Kind.TryGetBusFault(out var kind))
            {
                emulated.ScheduleFault(s.Name, kind.Value, fault.Start, fault.Length);
            }
        }

        Console.WriteLine($"sensors: {descriptors.Count} on buses in {from}");
        var all = true;
        foreach (var r in SensorProbe.Probe(descriptors, factory))
        {
            all &= r.Answers;
            Console.WriteLine($"sensor {r.Sensor} ({r.Chip} on {r.Bus}): {(r.Answers ? string.Empty : "DOES NOT ANSWER: ")}{r.Detail}");
        }

        foreach (var a in config.Alarms ?? [])
        {
            Console.WriteLine($"alarm {a.Name} (output on {a.Bus} line {a.Line}, active {(a.ActiveLow ? "low" : "high")}, hold {a.Hold.TotalSeconds:G} s): raised by alerts of {(a.Sensors.Count == 0 ? "any sensor" : string.Join(", ", a.Sensors))}");
        }

        return all;
    }

    private static string Accelerated(bool yes) => yes ? "yes" : "no";

    private static string List(IReadOnlyList<BusSpec> buses, BusKind kind)
    {
        var found = buses.Where(b => b.Kind == kind).Select(b => b.DevicePath!).ToList();
        return found.Count == 0 ? "not present" : string.Join(" ", found);
    }
}
