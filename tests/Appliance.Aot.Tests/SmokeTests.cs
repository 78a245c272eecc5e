using System.Text.RegularExpressions;

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
    public void Run_MissingRepository_OneLineErrorExitTwo()
    {
        var state = Directory.CreateTempSubdirectory("appliance-aot-").FullName;
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", "/nonexistent/repo", "--state", state);
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/repo", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InvalidConfig_NamesFileLineAndKey()
    {
        var repo = Directory.CreateTempSubdirectory("appliance-aot-repo-").FullName;
        var state = Directory.CreateTempSubdirectory("appliance-aot-state-").FullName;
        PublishedBinary.Git(repo, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(repo, "appliance.toml"), """
            [device]
            id = "pump-7"

            [[sensor]]
            name = "vib"
            chip = "bme280"
            bus = "emulated:bme280"
            rate_hz = 0

            [window]
            length = "1s"

            [uplink]
            endpoint = "tcp://127.0.0.1:5556"

            [gitops]
            branch = "main"
            interval = "30s"
            """);
        PublishedBinary.Git(repo, "add", "appliance.toml");
        PublishedBinary.Git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "bad rate");
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", repo, "--state", state);
        Assert.Equal(2, code);
        Assert.Contains("appliance.toml:8: sensor 'vib' rate_hz = 0: must be between 0.1 and 10000", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"demo: (\d+) windows summarised, (\d+) summaries stored, (\d+) alerts")]
    private static partial Regex FinalLine();
}
