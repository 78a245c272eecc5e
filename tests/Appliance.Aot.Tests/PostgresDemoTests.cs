namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance demo --db postgresql://...</c> through the published binary: the demo's collector stores into PostgreSQL
/// (PostgresStore, Npgsql) at APPLIANCE_TEST_PG, which .ci/run sets after installing and starting Debian's postgresql on
/// 127.0.0.1. Under CI=true a missing APPLIANCE_TEST_PG fails the test (as the PostgresStore tests do); elsewhere it returns
/// early with a message.
/// </summary>
public sealed partial class PostgresDemoTests(ITestOutputHelper output)
{
    [Fact]
    public void Demo_PostgresDb_StoresEverySummaryThere()
    {
        string? url = Environment.GetEnvironmentVariable("APPLIANCE_TEST_PG");
        if (url is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "APPLIANCE_TEST_PG is not set: .ci/run must install and start PostgreSQL and export it");
            output.WriteLine("APPLIANCE_TEST_PG not set and not in CI: PostgreSQL demo not run (see .ci/run)");
            return;
        }

        // Twice: the second run's device starts its sequences at 1 again and must still be stored, not rejected as duplicates.
        for (int run = 0; run < 2; run++)
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(90), "demo", "--duration", "6s", "--db", url);
            var m = FinalLine().Match(stdout);
            Assert.True(m.Success, $"no final demo line:\n{stdout}\n{stderr}");
            long windows = long.Parse(m.Groups[1].Value), stored = long.Parse(m.Groups[2].Value);
            Assert.True(windows > 0, stdout);
            Assert.Equal(windows, stored);
            Assert.Equal(0, code);
            Assert.Contains("database PostgresStore(postgresql://", stdout, StringComparison.Ordinal);

            // The fleet view on the same database shows the demo device with its heartbeat health.
            var (devCode, devices, devErr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "cloud", "devices", "--db", url, "--json");
            Assert.True(devCode == 0, devErr);
            using var doc = JsonDocument.Parse(devices);
            // "demo-1": the embedded default configuration's [device] id (runtime/Appliance.Contracts/Config/DefaultConfig.cs).
            JsonElement demo = doc.RootElement.EnumerateArray().Single(d => d.GetProperty("device").GetString() == "demo-1");
            Assert.Equal(stored, demo.GetProperty("summaries").GetInt64());
            Assert.True(demo.GetProperty("heartbeat_ns").GetInt64() > 0, devices);
            // The first heartbeat leaves at start-up (before any summary): its journal figures are the empty journal's,
            // with the default budget of 64 MiB (JournalOptions.BudgetBytes).
            JsonElement counters = demo.GetProperty("health").GetProperty("counters");
            Assert.Equal(64L << 20, counters.GetProperty("journal_budget_bytes").GetInt64());
            Assert.True(counters.TryGetProperty("seq_written", out _), devices);
            Assert.Equal("env", demo.GetProperty("health").GetProperty("sensors")[0].GetProperty("name").GetString());
        }
    }

    [GeneratedRegex(@"demo: (\d+) windows summarised, (\d+) summaries stored, (\d+) alerts")]
    private static partial Regex FinalLine();
}
