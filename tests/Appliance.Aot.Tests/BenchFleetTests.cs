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
        "collector_rss_mb", "lost", "duplicates_stored", "produced", "rows", "load_average_1min_start",
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

    [Theory]
    [InlineData("--devices", "0", "appliance: --devices 0: expected at least 1")]
    [InlineData("--db", "mysql://h/db", "appliance: --db 'mysql': unknown scheme (expected a SQLite file or a postgresql:// URL)")]
    [InlineData("--duration", "soon", "appliance: --duration: 'soon' is not a duration")]
    [InlineData("--collectors", "0", "appliance: --collectors 0: expected 1 to 16")]
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

    private void Check(string db, int collectors)
    {
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "bench", "fleet", "--devices", "8", "--rate", "100",
            "--duration", "3s", "--db", db, "--collectors", collectors.ToString(CultureInfo.InvariantCulture), "--json");
        output.WriteLine(stdout);
        Assert.True(code == 0, $"appliance bench fleet exited {code}: {stdout}\n{stderr}");
        using var doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        foreach (string key in Keys)
        {
            Assert.True(r.TryGetProperty(key, out _), $"bench fleet --json lacks '{key}': {stdout}");
        }

        Assert.Equal(8, r.GetProperty("devices").GetInt32());
        Assert.Equal(collectors, r.GetProperty("collectors").GetInt32());
        Assert.Equal(0, r.GetProperty("lost").GetInt64());
        Assert.Equal(0, r.GetProperty("duplicates_stored").GetInt64());
        Assert.True(r.GetProperty("produced").GetInt64() > 0, stdout);
        Assert.Equal(r.GetProperty("produced").GetInt64(), r.GetProperty("rows").GetInt64());
    }
}
