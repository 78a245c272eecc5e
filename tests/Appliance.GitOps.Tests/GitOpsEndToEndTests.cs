namespace Appliance.GitOps.Tests;

/// <summary>
/// The "must show", with real processes: <c>out/appliance cloud</c> (collector on loopback) and
/// <c>out/appliance run</c> (device) pulling a bare repository on disk into which the git CLI pushes commits signed
/// with <c>git commit -S</c> (<c>gpg.format = ssh</c>, key made by <c>ssh-keygen</c>).
/// </summary>
public sealed class GitOpsEndToEndTests : IDisposable
{
    private const int IntervalSeconds = 2;
    private readonly GitWorkspace _ws = new();
    private readonly ITestOutputHelper _output;

    public GitOpsEndToEndTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _ws.Dispose();

    [Fact]
    public void Run_PushedRevisions_AppliedRejectedRolledBackWithoutLosingAWindow()
    {
        var key = _ws.Key("operator");
        var trust = _ws.AllowedSigners(key);
        var port = FreePort();
        var endpoint = $"tcp://127.0.0.1:{port}";
        var db = Path.Combine(_ws.Root, "cloud.db");
        var badCsv = Path.Combine(_ws.Root, "dead-sensor.csv");
        File.WriteAllText(badCsv, "timestamp,value\nnot-a-time,nan-ish\n");

        var v1 = _ws.Commit(key, "appliance.toml", Toml(endpoint, rate: 10));
        using var cloud = new DeviceProcess("cloud", "--listen", endpoint, "--db", db);
        using var device = new DeviceProcess("run", "--repo", _ws.Url, "--state", _ws.State, "--trust", trust);
        var status = Path.Combine(_ws.State, "gitops-status.json");

        WaitFor(status, s => s.Revision == v1 && s.State == "applied", TimeSpan.FromSeconds(60), device);

        // 1. A changed rate is applied within two pull intervals (plus the swap at the next window boundary and the health check).
        var pushed = Stopwatch.StartNew();
        var v2 = _ws.Commit(key, "appliance.toml", Toml(endpoint, rate: 20));
        WaitFor(status, s => s.Revision == v2 && s.State == "applied", TimeSpan.FromSeconds(30), device);
        var applySeconds = pushed.Elapsed.TotalSeconds;
        _output.WriteLine($"push to applied (fetch + verify + validate + swap at the window boundary + health check): {applySeconds:F2} s, interval {IntervalSeconds} s");
        Assert.True(applySeconds <= (2 * IntervalSeconds) + 4, $"v2 applied {applySeconds:F1} s after the push (limit: two {IntervalSeconds} s intervals + 4 s for the window boundary and health check)");

        // 2. An invalid value is rejected with file:line; the previous revision keeps running.
        var bad = _ws.Commit(key, "appliance.toml", Toml(endpoint, rate: 0));
        var rejected = WaitFor(status, s => s.State == "rejected", TimeSpan.FromSeconds(20), device);
        Assert.Equal(v2, rejected.Revision);
        Assert.Equal(bad, rejected.Failed);
        Assert.Equal("appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000", rejected.Error);

        // 3. A revision whose sensors fail the health check is rolled back to the last known good one.
        var dead = _ws.Commit(key, "appliance.toml", Toml(endpoint, rate: 20, extra: $"[[sensor]]\nname = \"dead\"\nchip = \"replay\"\nbus = 'replay:{badCsv}'\nrate_hz = 1\n"));
        var deadPushed = Stopwatch.StartNew();
        var rolled = WaitFor(status, s => s.State == "rolled_back", TimeSpan.FromSeconds(40), device);
        Assert.Equal(v2, rolled.Revision);
        Assert.Equal(dead, rolled.Failed);
        _output.WriteLine($"push of the failing revision to rolled back: {deadPushed.Elapsed.TotalSeconds:F2} s");
        Assert.Contains("health check failed", rolled.Error, StringComparison.Ordinal);
        Thread.Sleep(2500); // windows after the roll back reach the collector

        Assert.Equal(0, device.Stop(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, cloud.Stop(TimeSpan.FromSeconds(20)));

        // The collector saw every temperature window once, back to back across the three swaps, and the new rate.
        using var sql = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        sql.Open();
        var windows = Query(sql, "SELECT window_start_ns, window_end_ns, count FROM summaries WHERE sensor = 'env' AND channel = 'temperature_c' ORDER BY window_start_ns");
        Assert.True(windows.Count >= 10, $"only {windows.Count} windows stored; device output:\n{device.Output}");
        for (var i = 1; i < windows.Count; i++)
        {
            Assert.True(windows[i][0] == windows[i - 1][1], $"window {i}: starts at {windows[i][0]}, previous ended at {windows[i - 1][1]} (lost or duplicated window)");
        }

        _output.WriteLine($"{windows.Count} temperature windows stored back to back across 3 swaps");
        var counts = windows.Skip(1).SkipLast(1).Select(w => w[2]).ToList();
        Assert.Contains(counts, c => c is >= 9 and <= 11);   // 10 Hz x 1 s
        Assert.Contains(counts, c => c is >= 19 and <= 21);  // 20 Hz x 1 s
        var revision = Query(sql, "SELECT count(*) FROM devices WHERE config_revision = $r", ("$r", v2));
        Assert.Equal(1, revision[0][0]);
    }

    private static string Toml(string endpoint, double rate, string extra = "") => $$"""
        [device]
        id = "pump-7"

        [[sensor]]
        name = "env"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = {{rate.ToString(CultureInfo.InvariantCulture)}}
        {{extra}}
        [window]
        length = "1s"

        [inference]
        enabled = false

        [uplink]
        endpoint = "{{endpoint}}"

        [gitops]
        branch = "main"
        interval = "{{IntervalSeconds}}s"
        health_grace = "8s"

        """;

    private static (string Revision, string State, string? Error, string? Failed) WaitFor(string statusPath, Func<(string Revision, string State, string? Error, string? Failed), bool> done, TimeSpan timeout, DeviceProcess device)
    {
        var clock = Stopwatch.StartNew();
        (string, string, string?, string?) last = default;
        while (clock.Elapsed < timeout)
        {
            Assert.False(device.HasExited, $"device exited; output:\n{device.Output}");
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(statusPath));
                var r = json.RootElement;
                last = (r.GetProperty("config_revision").GetString()!, r.GetProperty("config_state").GetString()!, r.GetProperty("config_error").GetString(), r.GetProperty("failed_revision").GetString());
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                // Not written yet.
            }

            Thread.Sleep(100);
        }

        Assert.Fail($"status not reached within {timeout}; last {last}; device output:\n{device.Output}");
        return default;
    }

    private static List<long[]> Query(SqliteConnection sql, string text, params (string Name, string Value)[] args)
    {
        using var cmd = sql.CreateCommand();
        cmd.CommandText = text;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var rows = new List<long[]>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var row = new long[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.GetInt64(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
