namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance bench fleet</c> in the published binary, the short CI form of issue 17's fleet simulator: simulated devices
/// with journals against in-process collectors, on SQLite and on the PostgreSQL at APPLIANCE_TEST_PG (one and two collectors).
/// Asserted: lost = 0 and duplicates_stored = 0, counted by the bench from the store's rows against what the devices produced;
/// not speed. Under CI=true a missing APPLIANCE_TEST_PG fails the PostgreSQL test (as the other PostgreSQL tests do); elsewhere it
/// returns early with a message.
/// </summary>
public sealed class BenchFleetTests(ITestOutputHelper output)
{
    private static readonly string[] Keys =
    [
        "devices", "collectors", "summaries_per_s", "ack_latency_p50_ms", "ack_latency_p99_ms", "collector_cpu_s_per_100k",
        "collector_rss_mb", "device_processes", "connect_s", "routes_peak", "lost", "duplicates_stored", "produced", "rows", "load_average_1min_start",
    ];

    [Fact]
    public void BenchFleet_Sqlite_NothingLostNothingStoredTwice()
    {
        string dir = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Check(Path.Combine(dir, "fleet.db"), 1);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BenchFleet_Postgres_OneAndTwoCollectors_NothingLostNothingStoredTwice()
    {
        string? url = Environment.GetEnvironmentVariable("APPLIANCE_TEST_PG");
        if (url is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "APPLIANCE_TEST_PG is not set: .ci/run must install and start PostgreSQL and export it");
            output.WriteLine("APPLIANCE_TEST_PG not set and not in CI: bench fleet on PostgreSQL not run (see .ci/run)");
            return;
        }

        Check(url, 1);
        Check(url, 2); // a rerun on the same database: new device ids, so its rows are told apart from the first run's
    }

    /// <summary>
    /// The devices in two child processes (hidden <c>bench fleet-devices</c>, one JSON line each way): every summary of the 40
    /// devices stored once, the produced counts, uplink counters and latency sketches of both children merged by the parent
    /// (produced = acknowledged = rows), and ack latency over all of them.
    /// </summary>
    [Fact]
    public void BenchFleet_TwoDeviceProcesses_Sqlite_NothingLostNothingStoredTwice()
    {
        string dir = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            JsonElement r = Check(Path.Combine(dir, "fleet.db"), 1, devices: 40, rate: 20, "--device-processes", "2");
            Assert.Equal(2, r.GetProperty("device_processes").GetInt32());
            Assert.Equal(r.GetProperty("produced").GetInt64(), r.GetProperty("acknowledged").GetInt64());
            Assert.Equal(40, r.GetProperty("routes_peak").GetInt64());
            Assert.True(r.GetProperty("ack_latency_p99_ms").GetDouble() > 0, "latency sketches merged from the children");
            Assert.True(r.GetProperty("device_processes_rss_mb").GetDouble() > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Wire-level devices (<c>--wire-devices</c>: one DEALER each on a shared poller per process) in two child
    /// processes: every summary they made stored once, from the rows, and every device connected at once.</summary>
    [Fact]
    public void BenchFleet_WireDevicesInTwoProcesses_Sqlite_NothingLostNothingStoredTwice()
    {
        string dir = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            JsonElement r = Check(Path.Combine(dir, "fleet.db"), 1, devices: 300, rate: 5, "--device-processes", "2", "--wire-devices");
            Assert.Equal(1, r.GetProperty("wire_devices").GetInt32());
            Assert.Equal(2, r.GetProperty("device_processes").GetInt32());
            Assert.Equal(r.GetProperty("produced").GetInt64(), r.GetProperty("acknowledged").GetInt64());
            Assert.Equal(300, r.GetProperty("routes_peak").GetInt64());
            Assert.True(r.GetProperty("collector_process_cpu_s_per_100k").GetDouble() > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The reconnect storm (issue 17 item 6) in short form: the collector restarted 3 s into the load phase under 40
    /// full devices in two processes; every device comes back (the spread is read from the new collector's routes) and every
    /// summary is stored once, from the rows, though the first collector died with what it held uncommitted.</summary>
    [Fact]
    public void BenchFleet_CollectorRestartedUnderLoad_AllBackNothingLostNothingStoredTwice()
    {
        string dir = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            JsonElement r = Check(Path.Combine(dir, "fleet.db"), 1, devices: 40, rate: 20, "--device-processes", "2", "--restart-collector-at", "2s");
            Assert.Equal(2, r.GetProperty("restart_at_s").GetDouble());
            double half = r.GetProperty("reconnect_s_half").GetDouble(), all = r.GetProperty("reconnect_s_all").GetDouble();
            Assert.True(half >= 0 && all >= half, $"reconnect spread: half {half} s, all {all} s");
            Assert.Equal(r.GetProperty("produced").GetInt64(), r.GetProperty("acknowledged").GetInt64());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--devices", "0", "appliance: --devices 0: expected at least 1")]
    [InlineData("--db", "mysql://h/db", "appliance: --db 'mysql': unknown scheme (expected a SQLite file or a postgresql:// URL)")]
    [InlineData("--duration", "soon", "appliance: --duration: 'soon' is not a duration")]
    [InlineData("--collectors", "0", "appliance: --collectors 0: expected 1 to 16")]
    [InlineData("--device-processes", "-1", "appliance: --device-processes -1: expected 0 (devices in this process) to 2 child processes")]
    [InlineData("--devices", "10000", "appliance: --devices 10000: needs about 200000 loopback ports (NetMQ's signalers")] // any ephemeral range (at most 64,512 ports) holds fewer
    [InlineData("--device-processes", "3", "appliance: --device-processes 3: expected 0 (devices in this process) to 2 child processes")]
    [InlineData("--restart-collector-at", "1s", "appliance: --restart-collector-at 1s: expected a time inside the load phase (--duration 1s)")]
    public void BenchFleet_BadOption_OneLineExit2(string option, string value, string expected)
    {
        var args = new Dictionary<string, string> { ["--devices"] = "2", ["--rate"] = "1", ["--duration"] = "1s", ["--db"] = "/nonexistent/fleet.db" };
        args[option] = value;
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), ["bench", "fleet", .. args.SelectMany(a => new[] { a.Key, a.Value })]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    private JsonElement Check(string db, int collectors, int devices = 8, int rate = 100, params string[] more)
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), ["bench", "fleet", "--devices", devices.ToString(CultureInfo.InvariantCulture),
            "--rate", rate.ToString(CultureInfo.InvariantCulture), "--duration", "3s", "--db", db,
            "--collectors", collectors.ToString(CultureInfo.InvariantCulture), "--json", .. more]);
        output.WriteLine(stdout);
        Assert.True(code == 0, $"appliance bench fleet exited {code}: {stdout}\n{stderr}");
        using var doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        foreach (string key in Keys)
        {
            Assert.True(r.TryGetProperty(key, out _), $"bench fleet --json lacks '{key}': {stdout}");
        }

        Assert.Equal(devices, r.GetProperty("devices").GetInt32());
        Assert.Equal(collectors, r.GetProperty("collectors").GetInt32());
        Assert.Equal(0, r.GetProperty("lost").GetInt64());
        Assert.Equal(0, r.GetProperty("duplicates_stored").GetInt64());
        Assert.True(r.GetProperty("produced").GetInt64() > 0, stdout);
        Assert.Equal(r.GetProperty("produced").GetInt64(), r.GetProperty("rows").GetInt64());
        if (more.Length == 0)
        {
            Assert.Equal(0, r.GetProperty("device_processes").GetInt32());
        }

        return r.Clone();
    }
}
