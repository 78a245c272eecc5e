using System.Runtime.InteropServices;

namespace Appliance.Commands;

/// <summary>
/// The native libraries the published binary carries beside itself (<c>./build.sh publish</c> → <c>out/</c>): libgit2
/// (LibGit2Sharp.NativeBinaries, <c>libgit2-HASH.so</c>: the device's configuration repository) and ONNX Runtime
/// (<c>libonnxruntime.so</c>: model scoring) on the device, and SQLite (<c>libe_sqlite3.so</c>) on the collector. Without one, the first use of its managed wrapper ends the process with an
/// unhandled <see cref="TypeInitializationException"/> (exit 134); <see cref="Check"/> names the library and where it was
/// looked for instead.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>
    /// One line per library that does not load (empty when all do): <c>NAME: not found in DIR (...)</c>, or <c>NAME in DIR
    /// does not load: why</c>. Checked in the published (Native AOT) binary only: elsewhere (<c>dotnet test</c>, <c>dotnet run</c>)
    /// the libraries lie in NuGet's <c>runtimes/RID/native</c> folders, where the runtime finds them itself.
    /// </summary>
    /// <remarks>ONNX Runtime is only looked for here, not loaded: loading it maps and relocates 22 MiB that stay resident,
    /// which a device with <c>[inference]</c> off never uses (issue 20 item 8). Its first session loads it.</remarks>
    public static IReadOnlyList<string> Check() => [.. new[] { Git(), Beside("libonnxruntime.so", load: false) }.OfType<string>()];

    /// <summary>Why libgit2 does not load, or null when it does (or when this is not the published binary).</summary>
    public static string? Git()
    {
        if (!IsPublished)
        {
            return null;
        }

        var dir = AppContext.BaseDirectory;
        var found = Directory.Exists(dir) ? Directory.GetFiles(dir, "libgit2-*.so") : [];
        return found.Length == 0
            ? $"libgit2-*.so: not found in {dir} (the published binary carries it beside itself: copy it from out/, or publish again with ./build.sh publish)"
            : Load(found[0]);
    }

    /// <summary>Why ONNX Runtime does not load, or null when it does (or when this is not the published binary): beside the
    /// binary first, then the loader's search path.</summary>
    public static string? Onnx() => Beside("libonnxruntime.so");

    /// <summary>The CUDA provider library ONNX Runtime loads for the CUDA execution provider.</summary>
    public const string CudaProvider = "libonnxruntime_providers_cuda.so";

    /// <summary>
    /// The ONNX Runtime flavour this binary was published with, from the provider library beside it: <c>gpu</c> when
    /// <see cref="CudaProvider"/> lies beside the binary (<c>./build.sh --gpu</c>: Microsoft.ML.OnnxRuntime.Gpu.Linux), <c>cpu</c>
    /// otherwise (the default build: Microsoft.ML.OnnxRuntime, no CUDA provider). Under <c>dotnet</c> the libraries lie in
    /// NuGet's <c>runtimes/RID/native</c> folder beside the assembly, which is looked in too.
    /// </summary>
    /// <returns>The flavour (<c>cpu</c> or <c>gpu</c>) and the provider library's path, or null for cpu.</returns>
    public static (string Flavour, string? Provider) OnnxFlavour()
    {
        var dir = AppContext.BaseDirectory;
        string[] candidates = [Path.Combine(dir, CudaProvider), Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", CudaProvider)];
        var found = candidates.FirstOrDefault(File.Exists);
        return found is null ? ("cpu", null) : ("gpu", found);
    }

    /// <summary>Why SQLite (<c>libe_sqlite3.so</c>, SQLitePCLRaw's bundle: the collector's default store) does not load, or
    /// null when it does (or when this is not the published binary).</summary>
    public static string? Sqlite() => Beside("libe_sqlite3.so");

    /// <summary>Why <paramref name="name"/> does not load, or null: beside the binary first, then the loader's search path.</summary>
    /// <param name="name">The library's file name.</param>
    /// <param name="load">False: a file beside the binary is enough (it is not loaded).</param>
    private static string? Beside(string name, bool load = true)
    {
        if (!IsPublished)
        {
            return null;
        }

        var path = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(path))
        {
            return load ? Load(path) : null;
        }

        return NativeLibrary.TryLoad(name, out _)
            ? null
            : $"{name}: not found in {AppContext.BaseDirectory} nor on the loader's search path (LD_LIBRARY_PATH, ld.so.cache); the published binary carries it beside itself: copy it from out/, or publish again with ./build.sh publish";
    }

    /// <summary>True in the Native AOT binary (no dynamic code), where native libraries are looked for beside the binary.</summary>
    private static bool IsPublished => !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;

    private static string? Load(string path)
    {
        try
        {
            NativeLibrary.Load(path); // kept loaded: the managed wrapper loads the same library next
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return $"{Path.GetFileName(path)} in {Path.GetDirectoryName(path)} does not load: {e.Message}";
        }
    }
}
