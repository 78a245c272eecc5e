namespace Appliance.Aot.Tests;

/// <summary>
/// The published binary copied to a folder without one of the native libraries it carries (issue 14, item 10): <c>run</c> used
/// to end in an unhandled <c>TypeInitializationException</c> (exit 134) and <c>doctor</c> hid the library's name. Wanted: one
/// line naming the library and where it was looked for, exit 1; <c>doctor</c> says the same.
/// </summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void Run_WithoutLibgit2_OneLineNamingItAndTheFolderExitOne()
    {
        var dir = CopyWithout("libgit2-");
        var state = Path.Combine(dir, "state");

        var (code, _, stderr) = PublishedBinary.RunCopy(Path.Combine(dir, "appliance"), TimeSpan.FromSeconds(30), "run", "--repo", "/nonexistent/repo", "--state", state, "--insecure-skip-verify");

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"appliance: failed: libgit2-*.so: not found in {dir}/", line, StringComparison.Ordinal);
        Assert.DoesNotContain("TypeInitializationException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithoutOnnxRuntime_OneLineNamingItExitOne()
    {
        var dir = CopyWithout("libonnxruntime");
        var (code, _, stderr) = PublishedBinary.RunCopy(Path.Combine(dir, "appliance"), TimeSpan.FromSeconds(30), "run", "--repo", "/nonexistent/repo", "--state", Path.Combine(dir, "state"), "--insecure-skip-verify");

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"appliance: failed: libonnxruntime.so: not found in {dir}/", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Cloud_WithoutSqlite_OneLineNamingItExitOneAndNoDatabaseCreated()
    {
        // Before: an unhandled TypeInitializationException from SQLitePCLRaw, a stack trace and exit 134 (SIGABRT).
        var dir = CopyWithout("libe_sqlite3");
        var db = Path.Combine(dir, "fleet.db");
        var (code, _, stderr) = PublishedBinary.RunCopy(Path.Combine(dir, "appliance"), TimeSpan.FromSeconds(30), "cloud", "--listen", "tcp://127.0.0.1:0", "--db", db);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"appliance: failed: libe_sqlite3.so: not found in {dir}/", line, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void Doctor_WithoutLibgit2_NamesItAndTheFolder()
    {
        var dir = CopyWithout("libgit2-");

        var (code, stdout, _) = PublishedBinary.RunCopy(Path.Combine(dir, "appliance"), TimeSpan.FromSeconds(60), "doctor");

        Assert.Equal(1, code);
        Assert.Contains($"libgit2: not usable: libgit2-*.so: not found in {dir}/", stdout, StringComparison.Ordinal);
        Assert.Contains("onnxruntime: session runs on", stdout, StringComparison.Ordinal);
    }

    /// <summary>A new folder holding the published binary and the libraries beside it, except those whose name starts with <paramref name="prefix"/> (and CUDA's and TensorRT's, which load only with a GPU).</summary>
    private static string CopyWithout(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory("appliance-aot-nolib-").FullName;
        var published = Path.GetDirectoryName(PublishedBinary.Path)!;
        File.Copy(PublishedBinary.Path, Path.Combine(dir, "appliance"));
        foreach (var lib in Directory.GetFiles(published, "*.so"))
        {
            var name = Path.GetFileName(lib);
            if (!name.StartsWith(prefix, StringComparison.Ordinal) && !name.Contains("providers_cuda", StringComparison.Ordinal) && !name.Contains("tensorrt", StringComparison.Ordinal))
            {
                File.Copy(lib, Path.Combine(dir, name));
            }
        }

        return dir;
    }
}
