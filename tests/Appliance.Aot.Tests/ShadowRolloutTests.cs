namespace Appliance.Aot.Tests;

/// <summary>
/// Issue 18 item 3 in the published binary: <c>appliance run</c> on a repository (the one <c>appliance init-config</c>
/// writes, its model named by <c>[inference] model</c>) whose <c>rollouts/r1.toml</c> puts this device in shadow for a
/// copy of that model: status.json's <c>shadow</c> array reports the candidate's windows, agreeing on every one.
/// </summary>
public sealed class ShadowRolloutTests
{
    [Fact]
    public void Run_DeviceInShadowWave_StatusShowsShadowReport()
    {
        var root = Directory.CreateTempSubdirectory("appliance-aot-shadow-").FullName;
        var repo = Path.Combine(root, "fleet");
        var (init, _, initErr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "init-config", repo);
        Assert.True(init == 0, initErr);
        var toml = Path.Combine(repo, "appliance.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("[inference]\nenabled = true\n", "[inference]\nenabled = true\nmodel = \"bme280-zscore\"\n", StringComparison.Ordinal));
        Assert.Contains("model = \"bme280-zscore\"", File.ReadAllText(toml), StringComparison.Ordinal);
        var candidate = Directory.CreateDirectory(Path.Combine(repo, "models", "bme280-candidate")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(repo, "models", "bme280-zscore")))
        {
            File.Copy(file, Path.Combine(candidate, Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(repo, "rollouts"));
        File.WriteAllText(Path.Combine(repo, "rollouts", "r1.toml"), """
            [rollout]
            model = "bme280-candidate"
            incumbent = "bme280-zscore"
            devices = ["demo-1"]
            waves = [1]
            bake = "1m"

            [state]
            phase = "shadow"
            wave = 1
            shadow = ["demo-1"]
            active = []
            reason = ""
            wave_started_unix_ms = 0
            """);
        PublishedBinary.Git(repo, "add", "-A");
        PublishedBinary.Git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "rollout r1 in shadow");
        var state = Path.Combine(root, "state");

        using var device = new RunningProcess("run", "--repo", repo, "--state", state, "--insecure-skip-verify");
        JsonElement? report = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (report is null && DateTime.UtcNow < deadline && !device.HasExited)
        {
            Thread.Sleep(500);
            var (code, stdout, _) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "status", "--state", state, "--json");
            if (code != 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(stdout);
            if (json.RootElement.TryGetProperty("shadow", out var shadow) && shadow.GetArrayLength() == 1 && shadow[0].GetProperty("windows").GetInt64() >= 3)
            {
                report = shadow[0].Clone();
            }
        }

        Assert.True(report is not null, "no shadow report with 3 windows in status.json; device log:\n" + device.Stderr);
        var r = report.Value;
        Assert.Equal(("r1", "bme280-candidate", "bme280-zscore", ""), (r.GetProperty("rollout").GetString(), r.GetProperty("model").GetString(), r.GetProperty("incumbent").GetString(), r.GetProperty("rejection").GetString()));
        Assert.Equal(r.GetProperty("windows").GetInt64(), r.GetProperty("agreements").GetInt64()); // the same bytes: same scores, same threshold
        Assert.Equal(0, r.GetProperty("errors").GetInt64());
        Assert.Equal(JsonValueKind.Number, r.GetProperty("score_p50").ValueKind);
        Assert.Equal(0, device.Terminate(TimeSpan.FromSeconds(30)));
    }
}
