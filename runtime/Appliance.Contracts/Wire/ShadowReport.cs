namespace Appliance.Contracts.Wire;

/// <summary>
/// What a device reports in its <see cref="Heartbeat"/> about a candidate model it runs in shadow beside the incumbent
/// (a rollout's wave, <c>rollouts/NAME.toml</c>): the candidate scores the same windows as the incumbent, raises no alert
/// and drives no alarm; these totals are what the rollout controller judges it by.
/// </summary>
/// <remarks>
/// Layout (MessagePack array, positional; a reader skips items past the fourteenth):
/// <code>
/// [0]  rollout           str    the rollout's name (rollouts/NAME.toml)
/// [1]  model             str    the candidate's model folder name (models/NAME/)
/// [2]  incumbent         str    the model it would replace
/// [3]  windows           int    windows the candidate scored in shadow since it was loaded
/// [4]  would_alert       int    of those, windows whose candidate score is above the candidate's threshold
/// [5]  incumbent_alerts  int    of those same windows, windows the incumbent alerted on
/// [6]  agreements        int    windows where both alerted or neither did
/// [7]  errors            int    windows the candidate failed to score (an inference error), not in [3]
/// [8]  latency_p50_us    float  median run time of one candidate scoring, microseconds
/// [9]  latency_p99_us    float  99th percentile of the same
/// [10] score_p50         float  median candidate score
/// [11] score_p90         float  90th percentile candidate score
/// [12] score_p99         float  99th percentile candidate score
/// [13] rejection         str    why the candidate could not be loaded (bad bytes, failed self-test); "" when it loaded
/// </code>
/// Totals are counted since the device process loaded the candidate (a restart starts them again from 0). Quantiles and
/// latencies are NaN before the first scored window.
/// </remarks>
public sealed record ShadowReport
{
    /// <summary>The rollout's name (the stem of <c>rollouts/NAME.toml</c>).</summary>
    public string Rollout { get; init; } = "";

    /// <summary>The candidate model's folder name (<c>models/NAME/</c>).</summary>
    public string Model { get; init; } = "";

    /// <summary>The incumbent model the candidate would replace.</summary>
    public string Incumbent { get; init; } = "";

    /// <summary>Windows the candidate scored in shadow.</summary>
    public long Windows { get; init; }

    /// <summary>Windows whose candidate score was above the candidate's threshold (alerts it would have raised).</summary>
    public long WouldAlert { get; init; }

    /// <summary>Of the same windows, those the incumbent alerted on.</summary>
    public long IncumbentAlerts { get; init; }

    /// <summary>Windows on which candidate and incumbent agreed (both alerted, or neither).</summary>
    public long Agreements { get; init; }

    /// <summary>Windows the candidate failed to score (not counted in <see cref="Windows"/>).</summary>
    public long Errors { get; init; }

    /// <summary>Median run time of one candidate scoring, microseconds; NaN before the first.</summary>
    public double LatencyP50Us { get; init; } = double.NaN;

    /// <summary>99th-percentile run time of one candidate scoring, microseconds; NaN before the first.</summary>
    public double LatencyP99Us { get; init; } = double.NaN;

    /// <summary>Median candidate score; NaN before the first.</summary>
    public double ScoreP50 { get; init; } = double.NaN;

    /// <summary>90th-percentile candidate score; NaN before the first.</summary>
    public double ScoreP90 { get; init; } = double.NaN;

    /// <summary>99th-percentile candidate score; NaN before the first.</summary>
    public double ScoreP99 { get; init; } = double.NaN;

    /// <summary>Why the candidate could not be loaded on this device; empty when it loaded.</summary>
    public string Rejection { get; init; } = "";

    /// <summary>At most this many shadow reports in one heartbeat (one per rollout the device is in).</summary>
    public const int MaxPerHeartbeat = 8;
}
