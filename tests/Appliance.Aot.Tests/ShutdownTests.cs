namespace Appliance.Aot.Tests;

/// <summary>
/// The device and the collector as separate published processes on loopback: a SIGTERM to the device summarises what it
/// sampled, waits for the acknowledgements, and exits 0; everything it counted as summarised is in the collector's store.
/// </summary>
public sealed partial class ShutdownTests
{
    [Fact]
    public void Run_Sigterm_EverySummaryAcknowledgedAndStored()
    {
        var root = Directory.CreateTempSubdirectory("appliance-shutdown-").FullName;
        var port = FreePort();
        using var cloud = new RunningProcess("cloud", "--listen", $"tcp://127.0.0.1:{port}", "--db", Path.Combine(root, "cloud.db"));

        var repo = ConfigRepository(root, port);

        using var device = new RunningProcess("run", "--repo", repo, "--state", Path.Combine(root, "state"), "--insecure-skip-verify");
        Thread.Sleep(TimeSpan.FromSeconds(5));
        Assert.False(device.HasExited, device.Stderr);
        Assert.Equal(0, device.Terminate(TimeSpan.FromSeconds(20)));
        var stopped = DeviceStopped().Match(device.Stderr);
        Assert.True(stopped.Success, device.Stderr);
        var summarised = long.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(summarised >= 3, device.Stderr); // at least one 1 s window of 3 channels in 5 s
        Assert.Equal("True", stopped.Groups[2].Value);

        Assert.Equal(0, cloud.Terminate(TimeSpan.FromSeconds(10)));
        var stored = CloudStopped().Match(cloud.Stderr);
        Assert.True(stored.Success, cloud.Stderr);
        Assert.Equal(summarised, long.Parse(stored.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Run_SigtermWithTheCollectorUnreachable_WaitsForAcknowledgementsThenStopsWithItsLineAndExitZero()
    {
        // Nothing listens on the port: every summary stays unacknowledged. The device waits its documented 10 s for
        // acknowledgements, says so in its Stopped: line and exits 0; it used to be killed 2 s after SIGTERM (exit 143, no line).
        var root = Directory.CreateTempSubdirectory("appliance-shutdown-").FullName;
        var repo = ConfigRepository(root, FreePort());

        using var device = new RunningProcess("run", "--repo", repo, "--state", Path.Combine(root, "state"), "--insecure-skip-verify");
        Thread.Sleep(TimeSpan.FromSeconds(5));
        Assert.False(device.HasExited, device.Stderr);
        Assert.Equal(0, device.Terminate(TimeSpan.FromSeconds(30)));
        var stopped = DeviceStopped().Match(device.Stderr);
        Assert.True(stopped.Success, device.Stderr);
        Assert.Equal("False", stopped.Groups[2].Value);
    }

    /// <summary>A configuration repository under <paramref name="root"/> holding the default configuration, sending to <paramref name="port"/>.</summary>
    private static string ConfigRepository(string root, int port)
    {
        var repo = Path.Combine(root, "repo");
        Directory.CreateDirectory(repo);
        PublishedBinary.Git(repo, "init", "-q", "-b", "main");
        var toml = DefaultToml().Replace("tcp://127.0.0.1:5556", $"tcp://127.0.0.1:{port}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(repo, "appliance.toml"), toml);
        PublishedBinary.Git(repo, "add", "appliance.toml");
        PublishedBinary.Git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "config");
        return repo;
    }

    /// <summary>The embedded default configuration, as `appliance demo` uses it, read from the source so the test follows it.</summary>
    private static string DefaultToml()
    {
        var source = File.ReadAllText(Path.Combine(PublishedBinary.RepositoryRoot, "runtime", "Appliance.Contracts", "Config", "DefaultConfig.cs"));
        var m = Regex.Match(source, "public const string Toml = \"\"\"\\n(.*?)\\n\\s*\"\"\";", RegexOptions.Singleline);
        Assert.True(m.Success, "DefaultConfig.Toml not found");
        return string.Join('\n', m.Groups[1].Value.Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Stopped: (\d+) windows summarised, \d+ alerts, \d+ sample faults; outbox fully acknowledged: (\w+)")]
    private static partial Regex DeviceStopped();

    [GeneratedRegex(@"Stopped: \d+ devices, (\d+) summaries")]
    private static partial Regex CloudStopped();
}
