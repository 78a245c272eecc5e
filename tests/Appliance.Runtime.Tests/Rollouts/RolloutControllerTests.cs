using System.Text.Json;
using Appliance.Cloud.Rollouts;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;
using Appliance.Device.GitOps;
using Appliance.Runtime.Tests.Cloud;
using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Rollouts;

/// <summary>
/// The rollout controller (issue 18 item 4) on synthetic heartbeats: six devices, waves 1 → 25 % → all, a 10 s bake on a
/// clock the test moves. Every commit the controller makes is checked by the device's own <see cref="CommitVerifier"/>
/// against an allowed-signers file that lists the cloud's key, and by <c>git verify-commit</c> as the reference.
/// </summary>
public sealed class RolloutControllerTests : IDisposable
{
    private const string Rollout = """
        [rollout]
        model = "candidate"
        incumbent = "bme280-zscore"
        target = "all"
        waves = [1, "25%", "100%"]
        bake = "10s"

        [criteria]
        max_alert_rate_factor = 2.0
        alert_rate_floor = 0.01
        min_windows = 30
        report_timeout = "30s"
        """;

    private static readonly string[] s_devices = ["dev-1", "dev-2", "dev-3", "dev-4", "dev-5", "dev-6"];
    private readonly GitWorkspace _git = new();
    private readonly TempDatabase _db = new();
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-12-07T04:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly SqliteStore _store;
    private readonly RolloutController _controller;
    private readonly ShadowReportingStore _ingest;
    private readonly string _signers;
    private long _seq;

    public RolloutControllerTests()
    {
        string op = _git.Key("operator");
        string cloud = _git.Key("cloud");
        _signers = _git.AllowedSigners(op, cloud);
        _git.Commit(op, "rollouts/cand.toml", Rollout);
        _store = new SqliteStore(_db.Path);
        _controller = new RolloutController(_store, new SignedCommitWriter(_git.Bare, SshSigningKey.Load(cloud)), _clock);
        _ingest = new ShadowReportingStore(_store, _controller);
        foreach (string id in s_devices)
        {
            Heartbeat(id, "applied");
        }
    }

    [Fact]
    public void Good_PromotedThroughOneThenQuarterThenAll_EachStepASignedCommitAndAnAuditRow()
    {
        var start = _controller.Start("cand");
        Assert.Equal(["dev-1"], start.Spec.State.Shadow); // canary: the first device id in ordinal order
        var waves = new List<IReadOnlyList<string>> { start.Spec.State.Shadow };
        for (int wave = 1; wave <= 3; wave++)
        {
            var shadow = waves[^1];
            _clock.Advance(TimeSpan.FromSeconds(2));
            foreach (string id in shadow)
            {
                Heartbeat(id, "applied", Report(windows: 40, wouldAlert: 1, incumbentAlerts: 1));
            }

            Assert.Empty(_controller.Tick()); // baking: 2 s of 10
            _clock.Advance(TimeSpan.FromSeconds(9));
            var step = Assert.Single(_controller.Tick());
            waves.Add(step.Spec.State.Shadow);
        }

        // ceil(25 % of 6) = 2 devices after wave 2, all 6 after wave 3 (RolloutWave.CumulativeSize).
        string[][] expected = [["dev-1"], ["dev-2"], ["dev-3", "dev-4", "dev-5", "dev-6"], []];
        Assert.Equal(expected, waves.Select(w => w.ToArray()).ToArray());
        var status = _controller.Status("cand");
        Assert.Equal(Contracts.Config.RolloutPhase.Promoted, status.Spec.State.Phase);
        Assert.Equal(s_devices, status.Spec.State.Active.Order(StringComparer.Ordinal));
        Assert.Equal(["started", "promoted", "promoted", "completed"], status.Audit.Select(a => a.Event));
        Assert.Equal([1, 1, 2, 3], status.Audit.Select(a => a.Wave));
        Assert.Contains("windows=160 would_alert=4 rate=0.025", status.Audit[^1].Figures, StringComparison.Ordinal);
        foreach (var a in status.Audit)
        {
            AssertSignedByCloud(a.CommitId);
        }

        Assert.Equal(status.Commit, status.Audit[^1].CommitId);
    }

    [Fact]
    public void Bad_TenTimesTheIncumbentsAlerts_AbortedAtTheCanaryWithTheReason()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(5));
        // incumbent 2 of 100 windows (0.02); candidate 20 of 100 (0.2) > 2 x max(0.02, 0.01) = 0.04.
        Heartbeat("dev-1", "applied", Report(windows: 100, wouldAlert: 20, incumbentAlerts: 2));
        Assert.Empty(_controller.Tick());
        _clock.Advance(TimeSpan.FromSeconds(6));
        var step = Assert.Single(_controller.Tick());
        AssertAborted(step, "alert rate: would-alert rate 0.2 > 2 x max(incumbent 0.02, floor 0.01) = 0.04");
    }

    [Fact]
    public void Rejected_CandidateFailsToLoadOnTheCanary_AbortedAsRejectedWithoutWaitingForTheBake()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(1));
        Heartbeat("dev-1", "applied", Report(windows: 0, wouldAlert: 0, incumbentAlerts: 0) with { Rejection = "models/candidate/model.onnx: not an ONNX model" });
        var step = Assert.Single(_controller.Tick());
        AssertAborted(step, "rejected: dev-1 could not load candidate: models/candidate/model.onnx: not an ONNX model");
    }

    [Fact]
    public void Failed_CanaryRejectsTheRevision_AbortedAsFailed()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(1));
        Heartbeat("dev-1", "rolled_back");
        var step = Assert.Single(_controller.Tick());
        AssertAborted(step, "failed: dev-1 reports configuration rolled back");
    }

    [Fact]
    public void TimedOut_CanarySendsNoShadowReport_AbortedAfterTheReportTimeout()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(29));
        Heartbeat("dev-1", "applied"); // alive, but no shadow report
        Assert.Empty(_controller.Tick()); // baked, but 29 s < report_timeout 30 s
        _clock.Advance(TimeSpan.FromSeconds(1));
        var step = Assert.Single(_controller.Tick());
        AssertAborted(step, "timed out: dev-1 sent no shadow report within 30s of the wave's start");
    }

    [Fact]
    public void OperatorAbort_AfterTheCanaryWasPromoted_RevertsEveryDevice()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(11));
        Heartbeat("dev-1", "applied", Report(windows: 40, wouldAlert: 0, incumbentAlerts: 0));
        Assert.Equal("promoted", Assert.Single(_controller.Tick()).Audit.Event);
        var step = _controller.Abort("cand", "pulled by the operator");
        AssertAborted(step, "operator: pulled by the operator");
        Assert.Equal(["dev-1", "dev-2"], step.Audit.Devices);
        Assert.Throws<ArgumentException>(() => _controller.Abort("cand", "again"));
    }

    [Fact]
    public void Start_NoSuchRollout_OneLineNamingTheFile()
    {
        var e = Assert.Throws<ArgumentException>(() => _controller.Start("nope"));
        Assert.StartsWith("rollouts/nope.toml: no such file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_ListAndGet_ServeTheStatusJsonAnd404ForAnUnknownRollout()
    {
        _controller.Start("cand");
        _clock.Advance(TimeSpan.FromSeconds(2));
        Heartbeat("dev-1", "applied", Report(windows: 40, wouldAlert: 1, incumbentAlerts: 1));
        var options = new Appliance.Cloud.Http.FleetHttpOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), null, TimeSpan.FromSeconds(25));
        await using var server = await Appliance.Cloud.Http.FleetHttpServer.StartAsync(options, new Appliance.Cloud.Http.Api.FleetApi(_store, options, null) { Rollouts = _controller }, null);
        using var client = new HttpClient { BaseAddress = server.Address };
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/rollouts"));
        var item = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(("cand", "shadow", 1), (item.GetProperty("name").GetString(), item.GetProperty("phase").GetString(), item.GetProperty("wave").GetInt32()));
        using var one = JsonDocument.Parse(await client.GetStringAsync("/api/rollouts/cand"));
        var device = Assert.Single(one.RootElement.GetProperty("devices").EnumerateArray());
        Assert.Equal(("dev-1", "shadow", 40L), (device.GetProperty("device_id").GetString(), device.GetProperty("role").GetString(), device.GetProperty("windows").GetInt64()));
        Assert.Equal("started", Assert.Single(one.RootElement.GetProperty("audit").EnumerateArray()).GetProperty("event").GetString());
        using var missing = await client.GetAsync("/api/rollouts/nope");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    public void Dispose()
    {
        _store.Dispose();
        _db.Dispose();
        _git.Dispose();
    }

    private static ShadowReport Report(long windows, long wouldAlert, long incumbentAlerts) => new()
    {
        Rollout = "cand", Model = "candidate", Incumbent = "bme280-zscore", Windows = windows, WouldAlert = wouldAlert,
        IncumbentAlerts = incumbentAlerts, Agreements = windows - Math.Abs(wouldAlert - incumbentAlerts),
        LatencyP50Us = 40, LatencyP99Us = 90, ScoreP50 = 0.5, ScoreP90 = 1, ScoreP99 = 2,
    };

    private void Heartbeat(string id, string configState, params ShadowReport[] shadow)
    {
        long now = _clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        _ingest.Store([Envelope.Create(id, ++_seq, new Heartbeat { ConfigState = configState, Shadow = shadow })], 0, now);
    }

    private void AssertAborted(RolloutStep step, string reason)
    {
        Assert.Equal("aborted", step.Audit.Event);
        Assert.Equal(reason, step.Audit.Reason);
        var spec = _controller.Status("cand").Spec;
        Assert.Equal((Contracts.Config.RolloutPhase.Aborted, reason), (spec.State.Phase, spec.State.Reason));
        Assert.Empty(spec.State.Shadow); // every device back on the incumbent
        Assert.Empty(spec.State.Active);
        Assert.All(s_devices, id => Assert.Equal(Contracts.Config.RolloutRole.None, spec.RoleOf(id)));
        AssertSignedByCloud(step.Audit.CommitId);
        Assert.Equal(step.Audit.CommitId, _controller.Status("cand").Audit[^1].CommitId);
    }

    private void AssertSignedByCloud(string commit)
    {
        var repo = ConfigRepository.OpenLocal(_git.Bare, RepositoryLimits.Default);
        string signer = CommitVerifier.Trusting(AllowedSigners.Load(_signers)).Verify(repo, commit);
        Assert.StartsWith("cloud@example.com", signer, StringComparison.Ordinal);
        // Reference: git's own verification of an SSH-signed commit (git verify-commit, gpg.format = ssh).
        Assert.Equal(0, GitWorkspace.ExitCode(_git.Bare, "git", "-c", "gpg.ssh.allowedSignersFile=" + _signers, "verify-commit", commit));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
