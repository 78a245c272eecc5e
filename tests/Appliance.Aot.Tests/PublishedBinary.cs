namespace Appliance.Aot.Tests;

/// <summary>Runs the published Native AOT binary <c>out/appliance</c> (made by <c>./build.sh</c>, which <c>./build.sh test</c> runs first).</summary>
internal static class PublishedBinary
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path => System.IO.Path.Combine(RepositoryRoot, "out", "appliance");

    /// <summary>The shared data folder beside the checkout (<c>../shared/data</c>); a test that needs it fails when it is missing.</summary>
    public static string SharedData
    {
        get
        {
            var dir = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared", "data"));
            Assert.True(Directory.Exists(dir), $"shared data not found at {dir} (expected ../shared/data beside the checkout)");
            return dir;
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) => RunCopy(Path, timeout, args);

    /// <summary>Runs <paramref name="binary"/> (the published binary, a copy of it elsewhere, or a program on PATH such as qemu-aarch64) with <paramref name="args"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunCopy(string binary, TimeSpan timeout, params string[] args)
    {
        Assert.True(binary != Path || File.Exists(Path), $"{Path} not found: publish it first with ./build.sh");
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"appliance {string.Join(' ', args)} did not finish within {timeout}; output so far:\n{stdout}\n{stderr}");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the git command line in <paramref name="dir"/>, as an operator would; returns its standard output.</summary>
    public static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {stderr.Result}");
        return stdout;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Appliance.sln not found above " + AppContext.BaseDirectory);
    }
}
