namespace Appliance.Aot.Tests;

/// <summary>
/// The AOT smoke test: what works under <c>dotnet test</c> (JIT) can still fail after trimming and Native AOT
/// compilation, so these run the published binary itself over every third-party path the appliance uses.
/// </summary>
public sealed partial class SmokeTests
{
    [Fact]
    public void Version_Published_PrintsSemanticVersion()
    {
        var (code, stdout, _) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Theory]
    [InlineData("tomlyn")]
    [InlineData("messagepack")]
    [InlineData("libgit2sharp")]
    [InlineData("onnxruntime")]
    [InlineData("bme280")]
    [InlineData("netmq+sqlite")]
    public void SelfTest_ThirdPartyPath_PassesInPublishedBinary(string check)
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "selftest");
        Assert.True(stdout.Contains($"selftest: {check} ok:", StringComparison.Ordinal), $"{check} did not pass:\n{stdout}\n{stderr}");
        Assert.Equal(0, code);
    }

    [Fact]
    public void Doctor_NoBuses_ReportsNotPresentAndExitsZero()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "doctor");
        Assert.True(code == 0, stderr);
        Assert.Contains("buses:", stdout, StringComparison.Ordinal);
        Assert.Contains("simd:", stdout, StringComparison.Ordinal);
        Assert.Matches(@"onnxruntime: session runs on (CPU|CUDA)", stdout);
        Assert.Contains("libgit2:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_EmbeddedDefault_StoresEverySummaryAndRaisesAlert()
    {
        // The embedded default injects a +15 °C heater fault from 8 s to 12 s: the EWMA z-score of the temperature
        // window means must cross its threshold (4) there, so at least one alert appears.
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(90), "demo", "--duration", "15s");
        var m = FinalLine().Match(stdout);
        Assert.True(m.Success, $"no final demo line:\n{stdout}\n{stderr}");
        long n = long.Parse(m.Groups[1].Value), stored = long.Parse(m.Groups[2].Value), alerts = long.Parse(m.Groups[3].Value);
        Assert.True(n > 0, stdout);
        Assert.Equal(n, stored);
        Assert.True(alerts > 0, stdout);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Demo_MissingReplayFile_OneLineErrorExitTwo()
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "demo", "--replay", "/nonexistent/x.csv");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("/nonexistent/x.csv", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingTrustFile_OneLineErrorExitTwo()
    {
        // The trust policy is the device's own: a missing allowed-signers file is bad input at start, before any fetch.
        var state = Directory.CreateTempSubdirectory("appliance-aot-").FullName;
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", "/nonexistent/repo", "--state", state, "--trust", "/nonexistent/allowed_signers");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/allowed_signers", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingRepository_RunsNothingSendsNothingAndStatusSaysWhy()
    {
        // Issue 14, item 1: with no revision applied (and no last known good one) the device used to run the demo's
        // configuration (demo-1: a simulated BME280 with an injected heater fault, sending to 127.0.0.1:5556): here a
        // repository without the branch. It must run nothing, say why in status and its log, and keep running to retry.
        var root = Directory.CreateTempSubdirectory("appliance-aot-noconfig-").FullName;
        var repo = Path.Combine(root, "fleet-config.git");
        Directory.CreateDirectory(repo);
        PublishedBinary.Git(repo, "init", "-q", "--bare");
        var state = Path.Combine(root, "state");
        using var device = new RunningProcess("run", "--repo", repo, "--state", state, "--insecure-skip-verify");
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.False(device.HasExited, device.Stderr);
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "status", "--state", state, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("no configuration", json.RootElement.GetProperty("config_state").GetString());
        Assert.Contains("branch 'main' not found", json.RootElement.GetProperty("config_error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, device.Terminate(TimeSpan.FromSeconds(20)));
        Assert.DoesNotContain("demo-1", device.Stderr, StringComparison.Ordinal);
        Assert.Contains("No configuration", device.Stderr, StringComparison.Ordinal);
        Assert.Contains("Stopped: 0 windows summarised, 0 alerts", device.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnsupportedScheme_NamesSchemeExitTwo()
    {
        // An invalid or unreachable repository does not stop the device (it boots from its last known good revision, or
        // with none runs nothing and retries: see Run_MissingRepository_...); a scheme it never fetches over is refused at start.
        var state = Directory.CreateTempSubdirectory("appliance-aot-state-").FullName;
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", "http://127.0.0.1:9/fleet.git", "--state", state, "--insecure-skip-verify");
        Assert.Equal(2, code);
        Assert.Contains("scheme 'http' is not supported", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InitConfig_EmptyFolder_WritesRepositoryThatLoads()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("appliance-aot-init-").FullName, "fleet");
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "init-config", dir);
        Assert.True(code == 0, stderr);
        Assert.Contains("init-config: wrote", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "appliance.toml")));
        Assert.True(File.Exists(Path.Combine(dir, "models", "bme280-zscore", "SHA256SUMS")));
        PublishedBinary.Git(Path.Combine(dir, "models", "bme280-zscore"), "status"); // a git repository
        var (again, _, err) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "init-config", dir);
        Assert.Equal(2, again);
        Assert.Contains("not empty", err, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"demo: (\d+) windows summarised, (\d+) summaries stored, (\d+) alerts")]
    private static partial Regex FinalLine();
}
