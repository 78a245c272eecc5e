namespace Appliance.Aot.Tests;

/// <summary>
/// Issue 14 item 20 in the published binary: <c>appliance check REPO_DIR</c> validates a configuration repository as a device
/// would (one line per problem, exit 2; <c>ok: N devices, M models</c>); <c>doctor --config</c> agrees with <c>run</c>; the
/// command line follows the file's rules and says what is wrong in words. Item 22: <c>cloud alerts</c>.
/// </summary>
public sealed class CheckCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("appliance-check-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Starter()
    {
        var dir = Path.Combine(_root, "config");
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "init-config", dir);
        Assert.True(code == 0, stderr);
        Commit(dir);
        return dir;
    }

    private static void Commit(string dir)
    {
        PublishedBinary.Git(dir, "add", "-A");
        PublishedBinary.Git(dir, "-c", "user.name=Operator", "-c", "user.email=op@example.com", "commit", "-q", "-m", "change");
    }

    [Fact]
    public void Check_StarterRepository_OkWithItsDeviceAndModel()
    {
        var dir = Starter();

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "check", dir);

        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("ok: 1 devices, 1 models", stdout.Trim());
    }

    // Issue 19 item 2: the detector eval nab scores by default is accepted as written on a sensor of the repository.
    // Before, `artime+spatial-range|holdfrac=0.2,level=0.2` was refused (learn=N, detector_range and holdfrac).
    [Fact]
    public void Check_SensorWithNabDefaultDetector_Ok()
    {
        const string nabDefault = "artime:learn=500,margin=0.5+spatial-range|holdoff=75,level=0.2"; // DetectorSpec.Default
        var dir = Starter();
        var toml = Path.Combine(dir, "appliance.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("rate_hz = 10\n", $"rate_hz = 10\ndetector = \"{nabDefault}\"\n", StringComparison.Ordinal));
        Assert.Contains(nabDefault, File.ReadAllText(toml), StringComparison.Ordinal);
        Commit(dir);

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "check", dir);

        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("ok: 1 devices, 1 models", stdout.Trim());
    }

    [Fact]
    public void Check_PlaintextOffLoopbackAndBadOverride_OneLinePerProblemExitTwo()
    {
        var dir = Starter();
        var toml = Path.Combine(dir, "appliance.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("tcp://127.0.0.1:5556", "tcp://10.1.2.3:5556", StringComparison.Ordinal));
        var line = Array.FindIndex(File.ReadAllLines(toml), l => l.Contains("tcp://10.1.2.3:5556", StringComparison.Ordinal)) + 1;
        Directory.CreateDirectory(Path.Combine(dir, "devices"));
        File.WriteAllText(Path.Combine(dir, "devices", "pump-2.toml"), "[window\n");
        Commit(dir);

        var (code, stdout, _) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "check", dir);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                $"appliance.toml:{line}: [uplink] endpoint: 'tcp://10.1.2.3:5556' is not loopback and has no CURVE keys (expected curve_server_key and curve_secret_key_file, or allow_plaintext = true on an isolated network)",
                "devices/pump-2.toml:1: invalid TOML at column 8: Expected `]` but was `␤`.",
            ],
            stdout.Trim().Split('\n'));

        // doctor --config refuses what run refuses (it passed this file before).
        var doctor = PublishedBinary.Run(TimeSpan.FromSeconds(60), "doctor", "--config", toml);
        Assert.Equal(2, doctor.ExitCode);
        Assert.Contains($"appliance.toml:{line}: [uplink] endpoint: 'tcp://10.1.2.3:5556' is not loopback", doctor.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Submodule_RefusedOutLoud()
    {
        var dir = Starter();
        var head = PublishedBinary.Git(dir, "rev-parse", "HEAD").Trim();
        PublishedBinary.Git(dir, "update-index", "--add", "--cacheinfo", $"160000,{head},vendor/lib");
        PublishedBinary.Git(dir, "-c", "user.name=Operator", "-c", "user.email=op@example.com", "commit", "-q", "-m", "submodule");

        var (code, stdout, _) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "check", dir);

        Assert.Equal(2, code);
        Assert.StartsWith($"vendor/lib: a submodule (gitlink to {head[..12]})", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DeviceIdWithSpace_RefusedByTheFilesRule()
    {
        var dir = Starter();

        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", dir, "--state", Path.Combine(_root, "state"), "--insecure-skip-verify", "--device", "a b");

        Assert.Equal(2, code);
        Assert.Equal("appliance: --device 'a b': not a device id (expected 1 to 64 letters, digits, '-', '_' or '.'; the rule of [device] id)", stderr.Trim());
    }

    [Fact]
    public void Run_MissingRepoPath_SaysNoSuchDirectory()
    {
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "run", "--repo", "/nonexistent/config", "--state", Path.Combine(_root, "state"), "--insecure-skip-verify");

        Assert.Equal(2, code);
        Assert.StartsWith("appliance: /nonexistent/config: no such directory", stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("scheme", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinaryDump_ErrorEscapedAndCapped()
    {
        var dump = Path.Combine(_root, "random.dump");
        var bytes = new byte[4096];
        new Random(20).NextBytes(bytes);
        File.WriteAllBytes(dump, bytes);

        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "read", "bme280", "--i2cdump", dump);

        Assert.Equal(2, code);
        Assert.DoesNotContain(stderr.TrimEnd('\n'), c => c < ' ' || c == '\u007f');
        Assert.True(stderr.Length < 400, stderr);
    }

    [Fact]
    public void CloudAlerts_AfterDemo_LatestFirst()
    {
        var state = Path.Combine(_root, "demo");
        var demo = PublishedBinary.Run(TimeSpan.FromSeconds(90), "demo", "--duration", "14s", "--state", state);
        Assert.True(demo.ExitCode == 0, demo.Stderr);

        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "cloud", "alerts", "--db", Path.Combine(state, "cloud.db"), "--device", "demo-1", "--json");

        Assert.True(code == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var times = json.RootElement.EnumerateArray().Select(a => a.GetProperty("time_ns").GetInt64()).ToList();
        Assert.NotEmpty(times); // the demo's +15 °C heater step (8 s to 12 s) fires the EWMA z-score detector
        Assert.Equal(times.OrderDescending(), times);
        Assert.All(json.RootElement.EnumerateArray(), a => Assert.Equal("demo-1", a.GetProperty("device").GetString()));
    }
}
