namespace Appliance.Runtime.Tests.Rollouts;

/// <summary><c>rollouts/NAME.toml</c> (issue 18 item 2) and the heartbeat's shadow reports (item 3): the contract between
/// the rollout controller, which writes them, and the devices, which read them.</summary>
public sealed class RolloutFileTests
{
    private const string Good = """
        [rollout]
        model = "pump-v2"
        incumbent = "pump"
        target = "label:site=plant-a"
        waves = [1, "25%", "100%"]
        bake = "2m"

        [criteria]
        max_alert_rate_factor = 3.0
        min_windows = 20
        report_timeout = "90s"
        min_precision = 0.5
        """;

    [Fact]
    public void Parse_GoodFile_ReadsEveryKeyAndIsPendingWithoutState()
    {
        var spec = RolloutFile.Parse(Good, "rollouts/pump-v2.toml");
        Assert.Equal(("pump-v2", "pump-v2", "pump", "label:site=plant-a"), (spec.Name, spec.Model, spec.Incumbent, spec.Target));
        Assert.Null(spec.Devices);
        Assert.Equal([new RolloutWave(1, 0), new RolloutWave(0, 25), new RolloutWave(0, 100)], spec.Waves);
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Bake);
        Assert.Equal((3.0, 0.01, 20L, TimeSpan.FromSeconds(90), (double?)0.5),
            (spec.Criteria.MaxAlertRateFactor, spec.Criteria.AlertRateFloor, spec.Criteria.MinWindows, spec.Criteria.Timeout, spec.Criteria.MinPrecision));
        Assert.Equal(RolloutPhase.Pending, spec.State.Phase);
        Assert.Equal(RolloutRole.None, spec.RoleOf("dev-1"));
    }

    [Fact]
    public void Waves_OneThenQuarterThenAll_OfSixDevicesAre1Then2Then6()
    {
        // ceil(0.25 x 6) = 2; "100%" is all 6; a count never shrinks below the wave before it.
        var spec = RolloutFile.Parse(Good, "rollouts/pump-v2.toml");
        int previous = 0;
        var sizes = spec.Waves.Select(w => previous = w.CumulativeSize(6, previous)).ToArray();
        Assert.Equal([1, 2, 6], sizes);
        Assert.Equal(3, new RolloutWave(0, 10).CumulativeSize(6, 3)); // ceil(0.6) = 1 < 3 before it
        Assert.Equal(4, new RolloutWave(10, 0).CumulativeSize(4, 0));  // capped at the targeted devices
    }

    [Fact]
    public void Format_WithState_ParsesBackEqualAndGivesEachDeviceItsRole()
    {
        var spec = RolloutFile.Parse(Good, "rollouts/pump-v2.toml") with
        {
            State = new RolloutState(RolloutPhase.Shadow, 2, ["dev-2"], ["dev-1"], "", 1_796_600_000_000),
        };
        var back = RolloutFile.Parse(RolloutFile.Format(spec), "rollouts/pump-v2.toml");
        Assert.Equal(spec.Waves, back.Waves);
        Assert.Equal(spec.Criteria, back.Criteria);
        Assert.Equal((spec.State.Phase, spec.State.Wave, spec.State.Reason, spec.State.WaveStartedUnixMs),
            (back.State.Phase, back.State.Wave, back.State.Reason, back.State.WaveStartedUnixMs));
        Assert.Equal(spec.State.Shadow, back.State.Shadow);
        Assert.Equal(spec.State.Active, back.State.Active);
        Assert.Equal((RolloutRole.Active, RolloutRole.Shadow, RolloutRole.None), (back.RoleOf("dev-1"), back.RoleOf("dev-2"), back.RoleOf("dev-3")));

        var aborted = back with { State = new RolloutState(RolloutPhase.Aborted, 1, [], [], "would-alert rate 10.2x the incumbent's \"(max 3x)\"") };
        var abortedBack = RolloutFile.Parse(RolloutFile.Format(aborted), "rollouts/pump-v2.toml");
        Assert.Equal(aborted.State.Reason, abortedBack.State.Reason);
        Assert.Equal(RolloutRole.None, abortedBack.RoleOf("dev-1"));
    }

    [Theory]
    [InlineData("incumbent = \"pump\"", "incumbent = \"pump-v2\"", "rollouts/pump-v2.toml:2: [rollout] model")]
    [InlineData("waves = [1, \"25%\", \"100%\"]", "waves = [1, \"125%\"]", "rollouts/pump-v2.toml:5: [rollout] waves")]
    [InlineData("waves = [1, \"25%\", \"100%\"]", "waves = []", "rollouts/pump-v2.toml:5: [rollout] waves")]
    [InlineData("target = \"label:site=plant-a\"", "target = \"site=plant-a\"", "rollouts/pump-v2.toml:4: [rollout] target")]
    [InlineData("target = \"label:site=plant-a\"", "devices = [\"a\", \"a\"]", "rollouts/pump-v2.toml:4: [rollout] devices")]
    [InlineData("bake = \"2m\"", "bake = \"2 minutes\"", "rollouts/pump-v2.toml:6: [rollout] bake")]
    [InlineData("min_windows = 20", "min_windos = 20", "rollouts/pump-v2.toml:10: [criteria] min_windos")]
    [InlineData("min_precision = 0.5", "min_precision = 1.5", "rollouts/pump-v2.toml:12:")]
    public void Parse_BadKey_OneLineNamingFileLineAndKey(string from, string to, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => RolloutFile.Parse(Good.Replace(from, to, StringComparison.Ordinal), "rollouts/pump-v2.toml"));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Parse_StateThatContradictsItself_Refused()
    {
        string both = Good + "\n[state]\nphase = \"shadow\"\nwave = 1\nshadow = [\"dev-1\"]\nactive = [\"dev-1\"]\n";
        Assert.Contains("[state] shadow", Assert.Throws<ConfigException>(() => RolloutFile.Parse(both, "rollouts/pump-v2.toml")).Message, StringComparison.Ordinal);
        string abortedWithDevices = Good + "\n[state]\nphase = \"aborted\"\nwave = 1\nshadow = []\nactive = [\"dev-1\"]\n";
        Assert.Contains("[state] active", Assert.Throws<ConfigException>(() => RolloutFile.Parse(abortedWithDevices, "rollouts/pump-v2.toml")).Message, StringComparison.Ordinal);
        string pastLastWave = Good + "\n[state]\nphase = \"shadow\"\nwave = 4\n";
        Assert.Contains("[state] wave", Assert.Throws<ConfigException>(() => RolloutFile.Parse(pastLastWave, "rollouts/pump-v2.toml")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckTogether_TwoRolloutsInProgressOnOneIncumbent_SecondNamed()
    {
        var a = RolloutFile.Parse(Good, "rollouts/a.toml") with { State = new RolloutState(RolloutPhase.Shadow, 1, ["d1"], []) };
        var b = RolloutFile.Parse(Good.Replace("pump-v2", "pump-v3", StringComparison.Ordinal), "rollouts/b.toml") with { State = a.State };
        RolloutFile.CheckTogether([("rollouts/a.toml", a), ("rollouts/b.toml", b with { State = RolloutState.NotStarted })]);
        var ex = Assert.Throws<ConfigException>(() => RolloutFile.CheckTogether([("rollouts/a.toml", a), ("rollouts/b.toml", b)]));
        Assert.StartsWith("rollouts/b.toml: incumbent \"pump\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Heartbeat_ShadowReports_RoundTripWithAndWithoutLabels()
    {
        var report = new ShadowReport
        {
            Rollout = "pump-v2", Model = "pump-v2", Incumbent = "pump", Windows = 120, WouldAlert = 3, IncumbentAlerts = 2,
            Agreements = 117, Errors = 1, LatencyP50Us = 41.5, LatencyP99Us = 180.25, ScoreP50 = 0.5, ScoreP90 = 1.25, ScoreP99 = 3.5,
        };
        foreach (var labels in new Dictionary<string, string>?[] { null, new() { ["site"] = "plant-a" } })
        {
            var e = Envelope.Create("dev1", 1, new Heartbeat { ConfigRevision = "r", Labels = labels, Shadow = [report, report with { Rollout = "x", Rejection = "models/x/model.onnx: not an ONNX model" }] });
            Assert.True(WireCodec.TryDecode(WireCodec.Encode(e), out var back, out string? error), error);
            var hb = (Heartbeat)back.Body;
            Assert.Equal(labels, hb.Labels);
            Assert.Equal(2, hb.Shadow.Count);
            Assert.Equal(report, hb.Shadow[0]);
            Assert.Equal("models/x/model.onnx: not an ONNX model", hb.Shadow[1].Rejection);
        }

        // Without shadow reports the heartbeat keeps its 9 or 10 items (older readers and golden bytes unchanged).
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(Envelope.Create("dev1", 2, new Heartbeat { ConfigRevision = "r" })), out var plain, out _));
        Assert.Empty(((Heartbeat)plain.Body).Shadow);
    }
}
