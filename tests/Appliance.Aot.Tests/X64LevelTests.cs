using Appliance.Kernels.Cpu;

namespace Appliance.Aot.Tests;

/// <summary>
/// Issue 20 item 3: <c>out/appliance</c> is built for x86-64-v2 and starts on a CPU without AVX (QEMU's Nehalem model: SSE4.2,
/// no AVX; qemu-user from Debian's qemu-user, installed by <c>./build.sh test</c>), where its kernels use 128-bit vectors; on a
/// CPU with AVX2 it hands over to <c>out/appliance-x86-64-v3</c> (256 bits; -v4 when that image was built and the CPU has
/// AVX-512). Under CI=true a missing qemu-x86_64 fails the test; elsewhere it returns early with a message.
/// </summary>
public sealed class X64LevelTests(ITestOutputHelper output)
{
    [Fact]
    public void Nehalem_UnderQemu_BaselineImageRunsWith128BitVectors()
    {
        string? qemu = FindOnPath("qemu-x86_64");
        if (qemu is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "qemu-x86_64 not found: ./build.sh test installs qemu-user");
            output.WriteLine("qemu-x86_64 not found and not in CI: the no-AVX run was not made (apt-get install qemu-user)");
            return;
        }

        using var bench = Bench(qemu, ["-cpu", "Nehalem", PublishedBinary.Path], null);

        Assert.Equal("x86-64-v2", bench.RootElement.GetProperty("cpu_level").GetString());
        Assert.Equal("x86-64-v2", bench.RootElement.GetProperty("image").GetString());
        Assert.Equal(128, bench.RootElement.GetProperty("vector_width_bits").GetInt32());
        Assert.True(bench.RootElement.GetProperty("fused_gbps").GetDouble() > 0);
    }

    [Fact]
    public void Host_HandsOverToTheHighestImageItsCpuRuns_AndTheCapRunsTheBaseline()
    {
        // The test process runs on the same CPU (the JIT reads the same CPUID).
        int cpu = X64Levels.Cpu;
        string dir = System.IO.Path.GetDirectoryName(PublishedBinary.Path)!;
        int expected = 2;
        for (int level = Math.Min(cpu, 4); level > 2; level--)
        {
            if (File.Exists(System.IO.Path.Combine(dir, "appliance-" + X64Levels.Name(level))))
            {
                expected = level;
                break;
            }
        }

        using (var bench = Bench(PublishedBinary.Path, [], null))
        {
            Assert.Equal(X64Levels.Name(cpu), bench.RootElement.GetProperty("cpu_level").GetString());
            Assert.Equal(X64Levels.Name(expected), bench.RootElement.GetProperty("image").GetString());
            Assert.True(bench.RootElement.GetProperty("vector_width_bits").GetInt32() >= (expected >= 3 ? 256 : 128));
        }

        using (var capped = Bench(PublishedBinary.Path, [], "x86-64-v2"))
        {
            Assert.Equal("x86-64-v2", capped.RootElement.GetProperty("image").GetString());
            Assert.Equal(128, capped.RootElement.GetProperty("vector_width_bits").GetInt32());
        }
    }

    [Fact]
    public void MalformedLevelCap_OneLineExit2()
    {
        var (code, _, stderr) = Start(PublishedBinary.Path, ["--version"], "avx2");

        Assert.Equal(2, code);
        Assert.Equal("appliance: APPLIANCE_X64_LEVEL=avx2: expected x86-64-v2, x86-64-v3 or x86-64-v4 (or 2, 3, 4)", stderr.Trim());
    }

    private static JsonDocument Bench(string program, string[] prefix, string? cap)
    {
        var (code, stdout, stderr) = Start(program, [.. prefix, "bench", "kernels", "--json", "--mib", "1", "--rounds", "1"], cap);
        Assert.True(code == 0, $"{program} {string.Join(' ', prefix)} bench kernels exited {code}: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    private static (int Code, string Stdout, string Stderr) Start(string program, string[] args, string? cap)
    {
        Assert.True(File.Exists(PublishedBinary.Path), $"{PublishedBinary.Path} not found: publish it first with ./build.sh");
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["APPLIANCE_X64_LEVEL"] = cap;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(300)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within 300 s");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
