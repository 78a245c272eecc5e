using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Rollouts;

/// <summary>
/// Issue 18 items 2 and 3 on the device: the device of <c>appliance run</c> (<see cref="DeviceRuntime"/>, an emulated BME280
/// sampled live) follows a real repository through the real <see cref="Reconciler"/> while <c>rollouts/r1.toml</c> moves
/// it through the roles of <see cref="RolloutSpec.RoleOf"/>: shadow (a candidate that alerts on every window, then one
/// equal to the incumbent, then one whose bytes are not a model), active, and back to none. The incumbent's threshold is
/// 10¹² (its score, a squared standard score of a window mean, never reaches it) and the "hot" candidate's 10⁻⁹ (every
/// window's score is above it), so the expected counts follow from the definitions of <see cref="ShadowReport"/>.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class ShadowRolloutTests : IDisposable
{
    private readonly GitWorkspace _ws = new();
    private readonly string _key;
    private readonly string _trust;

    public ShadowRolloutTests()
    {
        _key = _ws.Key("operator");
        _trust = _ws.AllowedSigners(_key);
    }

    public void Dispose() => _ws.Dispose();

    // The model push tests' device, its channels alerting through the model's score (detector "onnx").
    private static readonly string Toml = ModelPushTests.Toml().Replace("rate_hz = 20\n", "rate_hz = 20\ndetector = \"onnx\"\n", StringComparison.Ordinal);

    [Fact]
    public async Task Rollout_ShadowThenActiveThenAborted_CandidateScoresInShadowWithoutAlertsAndIncumbentReturns()
    {
        var files = RolloutModels.Folder(_ws.Work, "pump", threshold: 1e12);
        foreach (var (k, v) in RolloutModels.Folder(_ws.Work, "hot", threshold: 1e-9).Concat(RolloutModels.Folder(_ws.Work, "twin", threshold: 1e12)).Concat(RolloutModels.Garbage(_ws.Work, "junk")))
        {
            files[k] = v;
        }

        Assert.Contains("detector = \"onnx\"", Toml, StringComparison.Ordinal);
        files["appliance.toml"] = Toml;
        files["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "shadow");
        var revA = _ws.Commit(_key, files, "rollout r1: hot in shadow");
        string pumpId = RolloutModels.Id(_ws.Work, "pump"), hotId = RolloutModels.Id(_ws.Work, "hot"), twinId = RolloutModels.Id(_ws.Work, "twin");

        var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), _ws.State);
        long alertsInShadow;
        using (var r = new Reconciler(ModelPushTests.Options(_ws, _trust), device, NullLogger.Instance))
        {
            try
            {
                device.GitOpsStatus = () => r.Status;
                await r.StartAsync(CancellationToken.None);
                Assert.Equal((ConfigState.Applied, revA), (r.ConfigState, r.ConfigRevision));
                var pipeline = device.Pipeline!;

                // Shadow: the candidate that alerts on every window scores the incumbent's windows; the incumbent alerts on none.
                var hot = await ReportAsync(pipeline, "hot", 9);
                Assert.Equal(pumpId, pipeline.ActiveModel);
                Assert.Equal(("r1", "pump", "", 0L), (hot.Rollout, hot.Incumbent, hot.Rejection, hot.Errors));
                Assert.Equal(hot.Windows, hot.WouldAlert);
                Assert.Equal((0L, 0L), (hot.IncumbentAlerts, hot.Agreements));
                Assert.True(hot.ScoreP50 > 1e-9 && hot.ScoreP50 <= hot.ScoreP90 && hot.ScoreP90 <= hot.ScoreP99, $"score quantiles {hot.ScoreP50} {hot.ScoreP90} {hot.ScoreP99}");
                Assert.True(hot.LatencyP50Us > 0 && hot.LatencyP50Us <= hot.LatencyP99Us, $"latency {hot.LatencyP50Us} {hot.LatencyP99Us}");
                await StatusShadowAsync("hot");

                // A revision that changes nothing the device runs: the same shadow run goes on (its totals kept) and the
                // heartbeat sent at the apply carries them.
                var revA2 = _ws.Commit(_key, new Dictionary<string, string?> { ["rollouts/README"] = "rollouts of this fleet\n" }, "notes");
                await r.ReconcileOnceAsync(CancellationToken.None);
                Assert.Equal((ConfigState.Applied, revA2), (r.ConfigState, r.ConfigRevision));
                Assert.True(pipeline.ShadowReports.Single().Windows >= hot.Windows);
                alertsInShadow = pipeline.Counters.Alerts;

                // A candidate equal to the incumbent (same bytes, another folder): it agrees on every window.
                await ApplyAsync(r, RolloutModels.Rollout("twin", "shadow"), ConfigState.Applied);
                Assert.Same(pipeline, device.Pipeline);
                var twin = await ReportAsync(pipeline, "twin", 6);
                Assert.Equal((twin.Windows, 0L, 0L, 0L), (twin.Agreements, twin.WouldAlert, twin.IncumbentAlerts, twin.Errors));

                // A candidate whose files verify but whose bytes are no model: the revision is applied, the candidate rejected.
                var revC = await ApplyAsync(r, RolloutModels.Rollout("junk", "shadow"), ConfigState.Applied);
                Assert.Equal(revC, r.ConfigRevision);
                var junk = pipeline.ShadowReports.Single();
                Assert.Equal(("junk", 0L), (junk.Model, junk.Windows));
                Assert.Contains("models/junk/model.onnx", junk.Rejection, StringComparison.Ordinal);
                var scored = pipeline.ScoredWindows;
                await ModelPushTests.WaitAsync(() => pipeline.ScoredWindows >= scored + 6, "the incumbent scores on beside the rejected candidate");
                Assert.Equal(pumpId, pipeline.ActiveModel);

                // Active: the candidate replaces the incumbent in the same pipeline; no shadow run.
                await ApplyAsync(r, RolloutModels.Rollout("twin", "promoted"), ConfigState.Applied);
                Assert.Same(pipeline, device.Pipeline);
                await ModelPushTests.WaitAsync(() => pipeline.ActiveModel == twinId, "twin becomes the active model");
                Assert.Empty(pipeline.ShadowReports);

                // Aborted: the incumbent again, no shadow report.
                await ApplyAsync(r, RolloutModels.Rollout("twin", "aborted"), ConfigState.Applied);
                await ModelPushTests.WaitAsync(() => pipeline.ActiveModel == pumpId, "pump is the active model again");
                Assert.Empty(pipeline.ShadowReports);
                Assert.NotEqual(hotId, pipeline.ActiveModel);
            }
            finally
            {
                await device.StopAsync(TimeSpan.Zero);
                device.Dispose();
            }
        }

        var bodies = ModelPushTests.JournalBodies(Path.Combine(_ws.State, "outbox"));
        var alerts = bodies.OfType<Alert>().Count();
        var heartbeats = bodies.OfType<Heartbeat>().ToList();

        // No alert from a shadow model: the hot candidate would have alerted on every window it scored.
        Assert.Equal(0, alertsInShadow);
        Assert.Equal(0, alerts);

        // The heartbeats carry the shadow report, its windows growing; the rejection too; none once the rollout is aborted.
        var hotWindows = heartbeats.SelectMany(h => h.Shadow).Where(s => s.Model == "hot").Select(s => s.Windows).ToList();
        Assert.True(hotWindows.Count >= 2 && hotWindows[^1] > hotWindows[0], $"hot windows in heartbeats: {string.Join(",", hotWindows)}");
        Assert.Contains(heartbeats, h => h.Shadow.Any(s => s.Model == "junk" && s.Rejection.Contains("does not load", StringComparison.Ordinal)));
        Assert.Contains(heartbeats, h => h.ModelId == twinId && h.Shadow.Count == 0);
        Assert.Empty(heartbeats[^1].Shadow);
    }

    private async Task<string> ApplyAsync(Reconciler r, string rollout, ConfigState expected)
    {
        var rev = _ws.Commit(_key, "rollouts/r1.toml", rollout);
        await r.ReconcileOnceAsync(CancellationToken.None);
        Assert.True(r.ConfigState == expected && r.ConfigRevision == rev, $"{r.ConfigState} {r.ConfigRevision} {r.ConfigError}");
        return rev;
    }

    private static async Task<ShadowReport> ReportAsync(DevicePipeline pipeline, string model, long windows)
    {
        await ModelPushTests.WaitAsync(() => pipeline.ShadowReports is [{ } s] && s.Model == model && s.Windows >= windows, $"{model} scores {windows} windows in shadow");
        return pipeline.ShadowReports.Single();
    }


    /// <summary>Waits (status.json is rewritten every second) until its <c>shadow</c> array holds a report of <paramref name="model"/> with windows.</summary>
    private async Task StatusShadowAsync(string model)
    {
        var path = Path.Combine(_ws.State, "status.json");
        await ModelPushTests.WaitAsync(
            () =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(path));
                    return doc.RootElement.TryGetProperty("shadow", out var shadow) && shadow.EnumerateArray().Any(s =>
                        s.GetProperty("model").GetString() == model && s.GetProperty("windows").GetInt64() > 0
                        && s.GetProperty("would_alert").GetInt64() == s.GetProperty("windows").GetInt64()
                        && s.GetProperty("score_p99").ValueKind == JsonValueKind.Number);
                }
                catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
                {
                    return false;
                }
            },
            $"status.json shadow shows {model}");
    }
}
