using System.Globalization;
using Appliance.Contracts.Wire;

namespace Appliance.Contracts.Config;

/// <summary>Where a rollout stands (<c>[state] phase</c> of <c>rollouts/NAME.toml</c>).</summary>
public enum RolloutPhase
{
    /// <summary>Not started: no <c>[state]</c> table yet (every device keeps the incumbent).</summary>
    Pending,

    /// <summary>A wave's devices run the candidate in shadow (<see cref="RolloutState.Shadow"/>) while earlier waves run it as active.</summary>
    Shadow,

    /// <summary>Every wave promoted: the candidate is active on every targeted device.</summary>
    Promoted,

    /// <summary>Aborted: every device back on the incumbent; <see cref="RolloutState.Reason"/> says why.</summary>
    Aborted,
}

/// <summary>What a rollout asks of one device.</summary>
public enum RolloutRole
{
    /// <summary>Not in a started wave (or the rollout is pending or aborted): the incumbent, no shadow.</summary>
    None,

    /// <summary>In the current wave: the incumbent stays active, the candidate scores the same windows in shadow.</summary>
    Shadow,

    /// <summary>In a promoted wave: the candidate replaces the incumbent.</summary>
    Active,
}

/// <summary>One wave's size, cumulative over the waves before it: a device count, or a percentage of the targeted devices.</summary>
/// <param name="Devices">A device count (1 or more), or 0 when <paramref name="Percent"/> gives the size.</param>
/// <param name="Percent">A percentage above 0 and at most 100, or 0 when <paramref name="Devices"/> gives the size.</param>
public readonly record struct RolloutWave(int Devices, double Percent)
{
    /// <summary>
    /// How many of <paramref name="targeted"/> devices this wave reaches, counting the waves before it: a count capped at
    /// <paramref name="targeted"/>, or ceil(percent x targeted / 100), and never fewer than <paramref name="previous"/>
    /// (the waves before) nor fewer than 1 when any device is targeted.
    /// </summary>
    /// <param name="targeted">The number of devices the rollout targets.</param>
    /// <param name="previous">The cumulative size of the wave before (0 for the first).</param>
    public int CumulativeSize(int targeted, int previous)
    {
        int n = Devices > 0 ? Math.Min(Devices, targeted) : (int)Math.Ceiling(Percent * targeted / 100.0 - 1e-9);
        return Math.Min(targeted, Math.Max(Math.Max(n, previous), targeted > 0 ? 1 : 0));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Devices > 0 ? Devices.ToString(CultureInfo.InvariantCulture) : Percent.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}

/// <summary>When a wave is promoted and when the rollout is aborted (<c>[criteria]</c> of <c>rollouts/NAME.toml</c>).</summary>
/// <param name="MaxAlertRateFactor">The candidate's would-alert rate (would_alert / windows over the wave) may be at most this
/// many times the incumbent's alert rate on the same windows (<c>max_alert_rate_factor</c>, default 2).</param>
/// <param name="AlertRateFloor">Alert rates below this fraction of windows count as this, so an incumbent that never alerts
/// does not make every candidate alert infinitely more often (<c>alert_rate_floor</c>, default 0.01).</param>
/// <param name="MinWindows">Windows each device of the wave must have scored in shadow before the wave is judged
/// (<c>min_windows</c>, default 30).</param>
/// <param name="ReportTimeout">A wave device that has sent no shadow report within this after its wave started has timed out
/// (<c>report_timeout</c>, default 2 min).</param>
/// <param name="MinPrecision">When set, the candidate's precision on operator-labelled alerts must be at least this
/// (<c>min_precision</c>, 0 to 1); null to not judge precision.</param>
public sealed record RolloutCriteria(double MaxAlertRateFactor = 2.0, double AlertRateFloor = 0.01, long MinWindows = 30,
    TimeSpan? ReportTimeout = null, double? MinPrecision = null)
{
    /// <summary>The report timeout in force (2 minutes when unset).</summary>
    public TimeSpan Timeout => ReportTimeout ?? TimeSpan.FromMinutes(2);
}

/// <summary>The controller's record of a rollout (<c>[state]</c> of <c>rollouts/NAME.toml</c>), written only by
/// <c>appliance cloud rollout</c> and its controller; devices read <see cref="Shadow"/> and <see cref="Active"/>.</summary>
/// <param name="Phase">Where the rollout stands.</param>
/// <param name="Wave">The current wave, 1-based (0 when pending; the last wave when promoted).</param>
/// <param name="Shadow">The device ids that run the candidate in shadow now (the current wave's new devices).</param>
/// <param name="Active">The device ids that run the candidate as active (the promoted waves' devices).</param>
/// <param name="Reason">Why the rollout was promoted or aborted; empty while in progress.</param>
/// <param name="WaveStartedUnixMs">When the current wave started, Unix milliseconds (0 when pending).</param>
public sealed record RolloutState(RolloutPhase Phase, int Wave, IReadOnlyList<string> Shadow, IReadOnlyList<string> Active,
    string Reason = "", long WaveStartedUnixMs = 0)
{
    /// <summary>The state of a rollout not yet started.</summary>
    public static RolloutState NotStarted { get; } = new(RolloutPhase.Pending, 0, [], []);
}

/// <summary>One rollout, as <c>rollouts/NAME.toml</c> of the configuration repository describes it.</summary>
/// <param name="Name">The file's stem (letters, digits, '.', '_', '-').</param>
/// <param name="Model">The candidate: the model folder <c>models/MODEL/</c> (<c>[rollout] model</c>).</param>
/// <param name="Incumbent">The model it replaces: the <c>[inference] model</c> or a <c>[[multivariate]] model</c> of the
/// configuration (<c>[rollout] incumbent</c>).</param>
/// <param name="Target">Which devices: <c>all</c>, a label selector <c>label:KEY=VALUE</c> (<see cref="DeviceLabels.TryParseSelector"/>),
/// or null when <paramref name="Devices"/> lists them (<c>[rollout] target</c>).</param>
/// <param name="Devices">Explicit device ids, in wave order (<c>[rollout] devices</c>); null when <paramref name="Target"/> selects.</param>
/// <param name="Waves">The waves in order, cumulative (<c>[rollout] waves = [1, "25%", "100%"]</c>).</param>
/// <param name="Bake">How long each wave runs in shadow before it is judged (<c>[rollout] bake</c>).</param>
/// <param name="Criteria">Promote and abort criteria (<c>[criteria]</c>).</param>
/// <param name="State">The controller's state (<c>[state]</c>).</param>
public sealed record RolloutSpec(string Name, string Model, string Incumbent, string? Target, IReadOnlyList<string>? Devices,
    IReadOnlyList<RolloutWave> Waves, TimeSpan Bake, RolloutCriteria Criteria, RolloutState State)
{
    /// <summary>What this rollout asks of <paramref name="deviceId"/> now.</summary>
    public RolloutRole RoleOf(string deviceId) => State.Phase switch
    {
        RolloutPhase.Shadow or RolloutPhase.Promoted when State.Active.Contains(deviceId) => RolloutRole.Active,
        RolloutPhase.Shadow when State.Shadow.Contains(deviceId) => RolloutRole.Shadow,
        _ => RolloutRole.None,
    };

    /// <summary>True while the rollout is started and neither promoted nor aborted.</summary>
    public bool InProgress => State.Phase == RolloutPhase.Shadow;
}

/// <summary>
/// Reads <c>rollouts/NAME.toml</c> (the format is documented in docs/models.md): every error names the file, the line and
/// the key and says what was expected (<see cref="ConfigException"/>).
/// </summary>
public static class RolloutFile
{
    /// <summary>The folder of the configuration repository that holds the rollouts.</summary>
    public const string Folder = "rollouts";

    private static readonly string[] s_top = ["rollout", "criteria", "state"];
    private static readonly string[] s_rollout = ["model", "incumbent", "target", "devices", "waves", "bake"];
    private static readonly string[] s_criteria = ["max_alert_rate_factor", "alert_rate_floor", "min_windows", "report_timeout", "min_precision"];
    private static readonly string[] s_state = ["phase", "wave", "shadow", "active", "reason", "wave_started_unix_ms"];

    /// <summary>Parses the text of <c>rollouts/NAME.toml</c>.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="source">The file's path inside the repository (<c>rollouts/NAME.toml</c>): NAME becomes <see cref="RolloutSpec.Name"/>.</param>
    /// <exception cref="ConfigException">Invalid TOML, an unknown or missing key, a value of the wrong type or out of range,
    /// or a <c>[state]</c> that contradicts itself (file:line and key named).</exception>
    public static RolloutSpec Parse(string text, string source)
    {
        string name = Path.GetFileNameWithoutExtension(source);
        if (!ConfigLoader.ModelFolder().IsMatch(name))
        {
            throw new ConfigException(source, 0, $"rollout name {name}: expected 1 to 64 letters, digits, '.', '_' or '-'");
        }

        var origins = new KeyOrigins();
        var root = ConfigText.Parse(text, source, origins, "a [rollout] table");
        var doc = new TableReader(source, root, origins, string.Empty);
        doc.RejectUnknown(s_top);
        var r = doc.Table("rollout");
        r.RejectUnknown(s_rollout);
        string model = ModelName(r, "model");
        string incumbent = ModelName(r, "incumbent");
        if (model == incumbent)
        {
            throw r.Error("model", $"\"{model}\" is also the incumbent: a rollout replaces one model by another");
        }

        string? target = r.String("target", required: false);
        IReadOnlyList<string>? devices = r.StringArray("devices");
        if ((target is null) == (devices is null))
        {
            throw r.Error(target is null ? "target" : "devices", "expected exactly one of target (\"all\" or \"label:KEY=VALUE\") and devices ([\"id\", ...])");
        }

        if (target is not null && target != "all" && !(DeviceLabels.TryParseSelector(target, out _, out string? value) && value is not null))
        {
            throw r.Error("target", $"\"{target}\": expected \"all\" or \"label:KEY=VALUE\" (for example label:site=plant-a)");
        }

        if (devices is not null)
        {
            CheckDeviceIds(r, "devices", devices, allowEmpty: false);
        }

        var waves = Waves(r);
        TimeSpan bake = r.Duration("bake", required: true)!.Value;
        var c = doc.Table("criteria", required: false);
        c.RejectUnknown(s_criteria);
        var d = new RolloutCriteria();
        var criteria = new RolloutCriteria(
            c.Number("max_alert_rate_factor", d.MaxAlertRateFactor, 1, 1e6),
            c.Number("alert_rate_floor", d.AlertRateFloor, 0, 1),
            c.Integer("min_windows", d.MinWindows, 1, 100_000_000),
            c.Duration("report_timeout", required: false),
            c.Has("min_precision") ? c.Number("min_precision", null, 0, 1) : null);
        return new RolloutSpec(name, model, incumbent, target, devices, waves, bake, criteria, State(doc, waves.Count));
    }

    /// <summary>Refuses two rollouts in progress that replace the same incumbent (a device could not run both).</summary>
    /// <param name="rollouts">The rollouts of one revision, with the path each was read from.</param>
    /// <exception cref="ConfigException">Two of them are in progress with the same incumbent (the second file named).</exception>
    public static void CheckTogether(IEnumerable<(string Path, RolloutSpec Spec)> rollouts)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, spec) in rollouts)
        {
            if (spec.State.Phase is RolloutPhase.Shadow && !seen.TryAdd(spec.Incumbent, path))
            {
                throw new ConfigException(path, 0, $"incumbent \"{spec.Incumbent}\" is already being replaced by {seen[spec.Incumbent]}: at most one rollout in progress per model");
            }
        }
    }

    /// <summary>
    /// The text of <c>rollouts/NAME.toml</c> for <paramref name="spec"/>: what <see cref="Parse"/> reads back as an equal
    /// spec (the controller rewrites the whole file with each state change; comments are not kept).
    /// </summary>
    /// <param name="spec">The rollout.</param>
    public static string Format(RolloutSpec spec)
    {
        var b = new System.Text.StringBuilder();
        b.Append("# rollouts/").Append(spec.Name).Append(".toml: a model rollout (docs/models.md). [state] is written by the rollout controller.\n");
        b.Append("[rollout]\n");
        b.Append("model = ").Append(Quote(spec.Model)).Append('\n');
        b.Append("incumbent = ").Append(Quote(spec.Incumbent)).Append('\n');
        if (spec.Target is not null)
        {
            b.Append("target = ").Append(Quote(spec.Target)).Append('\n');
        }

        if (spec.Devices is not null)
        {
            b.Append("devices = ").Append(List(spec.Devices)).Append('\n');
        }

        b.Append("waves = [").AppendJoin(", ", spec.Waves.Select(w => w.Devices > 0 ? w.ToString() : Quote(w.ToString()))).Append("]\n");
        b.Append("bake = ").Append(Quote(Duration.Format(spec.Bake))).Append("\n\n");
        var c = spec.Criteria;
        b.Append("[criteria]\n");
        b.Append(CultureInfo.InvariantCulture, $"max_alert_rate_factor = {Number(c.MaxAlertRateFactor)}\n");
        b.Append(CultureInfo.InvariantCulture, $"alert_rate_floor = {Number(c.AlertRateFloor)}\n");
        b.Append(CultureInfo.InvariantCulture, $"min_windows = {c.MinWindows}\n");
        if (c.ReportTimeout is { } timeout)
        {
            b.Append("report_timeout = ").Append(Quote(Duration.Format(timeout))).Append('\n');
        }

        if (c.MinPrecision is { } precision)
        {
            b.Append(CultureInfo.InvariantCulture, $"min_precision = {Number(precision)}\n");
        }

        var s = spec.State;
        if (s.Phase != RolloutPhase.Pending || s.Wave != 0)
        {
            b.Append("\n[state]\n");
            b.Append("phase = ").Append(Quote(s.Phase.ToString().ToLowerInvariant())).Append('\n');
            b.Append(CultureInfo.InvariantCulture, $"wave = {s.Wave}\n");
            b.Append("shadow = ").Append(List(s.Shadow)).Append('\n');
            b.Append("active = ").Append(List(s.Active)).Append('\n');
            b.Append("reason = ").Append(Quote(s.Reason)).Append('\n');
            b.Append(CultureInfo.InvariantCulture, $"wave_started_unix_ms = {s.WaveStartedUnixMs}\n");
        }

        return b.ToString();
    }

    private static string Number(double x) => x.ToString("0.0##############", CultureInfo.InvariantCulture);

    private static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";

    /// <summary>A TOML basic string (TOML 1.0, "String": backslash, quote and control characters escaped).</summary>
    private static string Quote(string text)
    {
        var b = new System.Text.StringBuilder(text.Length + 2).Append('"');
        foreach (char ch in text)
        {
            _ = ch switch
            {
                '"' => b.Append("\\\""),
                '\\' => b.Append("\\\\"),
                '\n' => b.Append("\\n"),
                '\t' => b.Append("\\t"),
                < ' ' or '\u007f' => b.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:X4}"),
                _ => b.Append(ch),
            };
        }

        return b.Append('"').ToString();
    }

    private static string ModelName(TableReader r, string key)
    {
        string value = r.String(key, required: true)!;
        return ConfigLoader.ModelFolder().IsMatch(value)
            ? value
            : throw r.Error(key, $"\"{value}\": expected a model folder name under models/ (letters, digits, '.', '_', '-'; at most 64)");
    }

    private static void CheckDeviceIds(TableReader r, string key, IReadOnlyList<string> ids, bool allowEmpty)
    {
        if (ids.Count == 0 && !allowEmpty)
        {
            throw r.Error(key, "empty: expected at least one device id");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            if (!ConfigLoader.DeviceId().IsMatch(id))
            {
                throw r.Error(key, $"\"{id}\": expected a device id (1 to 64 letters, digits, '.', '_', '-')");
            }

            if (!seen.Add(id))
            {
                throw r.Error(key, $"\"{id}\" appears twice");
            }
        }
    }

    private static List<RolloutWave> Waves(TableReader r)
    {
        if (r.Raw("waves") is not Tomlyn.Model.TomlArray array || array.Count == 0)
        {
            throw r.Error("waves", "expected a non-empty array of device counts and percentages, for example [1, \"25%\", \"100%\"]");
        }

        var waves = new List<RolloutWave>(array.Count);
        foreach (object? item in array)
        {
            RolloutWave wave = item switch
            {
                long n when n is >= 1 and <= 1_000_000 => new RolloutWave((int)n, 0),
                string s when s.EndsWith('%') && double.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p > 0 && p <= 100 => new RolloutWave(0, p),
                _ => throw r.Error("waves", $"item {waves.Count + 1} ({item}): expected a device count (1 or more) or a percentage \"P%\" (above 0, at most 100)"),
            };
            waves.Add(wave);
        }

        return waves;
    }

    private static RolloutState State(TableReader doc, int waveCount)
    {
        var s = doc.Table("state", required: false);
        if (!s.Exists)
        {
            return RolloutState.NotStarted;
        }

        s.RejectUnknown(s_state);
        string phaseText = s.String("phase", required: true)!;
        RolloutPhase phase = phaseText switch
        {
            "pending" => RolloutPhase.Pending,
            "shadow" => RolloutPhase.Shadow,
            "promoted" => RolloutPhase.Promoted,
            "aborted" => RolloutPhase.Aborted,
            _ => throw s.Error("phase", $"\"{phaseText}\": expected pending, shadow, promoted or aborted"),
        };
        int wave = (int)s.Integer("wave", 0, 0, waveCount);
        var shadow = s.StringArray("shadow") ?? [];
        var active = s.StringArray("active") ?? [];
        CheckDeviceIds(s, "shadow", shadow, allowEmpty: true);
        CheckDeviceIds(s, "active", active, allowEmpty: true);
        foreach (string id in shadow)
        {
            if (active.Contains(id))
            {
                throw s.Error("shadow", $"\"{id}\" is also in active: a device runs the candidate either in shadow or as active");
            }
        }

        if (phase is RolloutPhase.Shadow && wave < 1)
        {
            throw s.Error("wave", "0: a rollout in shadow is in wave 1 or later");
        }

        if (phase is RolloutPhase.Pending or RolloutPhase.Aborted && (shadow.Count > 0 || active.Count > 0))
        {
            throw s.Error(shadow.Count > 0 ? "shadow" : "active", $"a rollout {phaseText} keeps every device on the incumbent: expected shadow = [] and active = []");
        }

        return new RolloutState(phase, wave, shadow, active, s.String("reason", required: false) ?? "",
            s.Integer("wave_started_unix_ms", 0, 0, long.MaxValue));
    }
}
