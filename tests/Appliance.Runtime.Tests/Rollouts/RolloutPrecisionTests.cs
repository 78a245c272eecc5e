using Appliance.Cloud.Rollouts;
using Appliance.Cloud.Storage;

namespace Appliance.Runtime.Tests.Rollouts;

/// <summary><c>min_precision</c> (issue 18 items 4 and 5): a wave is judged on the precision, TP / (TP + FP), of the
/// operator-labelled alerts of the devices already running the candidate (<see cref="AlertLabels.Precision"/>).</summary>
public sealed class RolloutPrecisionTests
{
    private const long WaveStartMs = 1_796_600_000_000;

    private static readonly RolloutSpec s_spec = RolloutFile.Parse("""
        [rollout]
        model = "candidate"
        incumbent = "pump"
        devices = ["dev-1", "dev-2", "dev-3", "dev-4"]
        waves = [1, "50%", "100%"]
        bake = "10s"

        [criteria]
        min_windows = 30
        min_precision = 0.8
        """, "rollouts/cand.toml") with
    {
        State = new RolloutState(RolloutPhase.Shadow, 2, ["dev-2"], ["dev-1"], "", WaveStartMs),
    };

    // After the bake, dev-2 has scored 100 windows in shadow and would have alerted on 1, as the incumbent did: the alert
    // rate alone promotes.
    private static RolloutVerdict Judge(RolloutSpec spec, LabelPrecision? precision) => RolloutJudge.Judge(
        spec,
        [new FleetDevice("dev-2", new Dictionary<string, string>(), "applied", (WaveStartMs + 1_000) * 1_000_000, "r")],
        [new DeviceShadowReport("dev-2", (WaveStartMs + 5_000) * 1_000_000, new ShadowReport { Rollout = "cand", Model = "candidate", Incumbent = "pump", Windows = 100, WouldAlert = 1, IncumbentAlerts = 1, Agreements = 100 })],
        WaveStartMs + 11_000,
        precision);

    [Fact]
    public void Judge_LabelledPrecisionBelowMin_Aborts()
    {
        var verdict = Judge(s_spec, new LabelPrecision(TrueAlerts: 1, FalseAlerts: 3, Unlabelled: 5)); // 1 / (1 + 3) = 0.25
        Assert.Equal(RolloutDecision.Abort, verdict.Decision);
        Assert.StartsWith("precision: 0.25 on 4 labelled alerts", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("precision=0.25 (1 of 4 labelled)", verdict.Figures, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_LabelledPrecisionAtLeastMin_Promotes()
    {
        var verdict = Judge(s_spec, new LabelPrecision(TrueAlerts: 4, FalseAlerts: 1, Unlabelled: 0)); // 4 / 5 = 0.8
        Assert.Equal(RolloutDecision.Promote, verdict.Decision);
        Assert.Contains("precision=0.8 (4 of 5 labelled)", verdict.Figures, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_NoLabelledAlerts_PrecisionNotEvaluatedAndTheRateDecides()
    {
        var verdict = Judge(s_spec, new LabelPrecision(0, 0, 7));
        Assert.Equal(RolloutDecision.Promote, verdict.Decision);
        Assert.Contains("precision=not evaluated", verdict.Figures, StringComparison.Ordinal);
        Assert.Contains("precision=not judged", Judge(s_spec with { Criteria = s_spec.Criteria with { MinPrecision = null } }, null).Figures, StringComparison.Ordinal);
    }
}
