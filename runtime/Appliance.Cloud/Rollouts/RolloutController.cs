using System.Globalization;
using System.Text;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;
using Appliance.Contracts.Wire;
using Appliance.Device.GitOps;

namespace Appliance.Cloud.Rollouts;

/// <summary>One step the controller took: the audit row and the rollout as committed.</summary>
/// <param name="Audit">The audit row (event, wave, devices, reason, figures, commit).</param>
/// <param name="Spec">The rollout with its new <c>[state]</c>.</param>
public sealed record RolloutStep(RolloutAuditRow Audit, RolloutSpec Spec);

/// <summary>A rollout as <c>appliance cloud rollout status</c> and <c>GET /api/rollouts/{name}</c> show it.</summary>
/// <param name="Spec">The rollout at the repository's tip.</param>
/// <param name="Commit">The tip commit it was read from.</param>
/// <param name="Reports">The latest shadow report of each device.</param>
/// <param name="Audit">Its audit trail, oldest first.</param>
public sealed record RolloutStatus(RolloutSpec Spec, string Commit, IReadOnlyList<DeviceShadowReport> Reports, IReadOnlyList<RolloutAuditRow> Audit);

/// <summary>
/// The rollout controller (issue 18, docs/models.md "Rollouts"): starts, judges, promotes and aborts the rollouts of the
/// configuration repository (<c>rollouts/NAME.toml</c> on branch <c>main</c>), each step one commit signed with the cloud's
/// key (<see cref="SignedCommitWriter"/>) and one row of <c>rollout_audit</c>. It keeps the latest shadow report per
/// device and rollout from the devices' heartbeats (<see cref="Record"/>) in <c>shadow_reports</c>, and judges each
/// rollout in progress with <see cref="RolloutJudge"/> on every <see cref="Tick"/>. Time comes from the given clock.
/// </summary>
/// <remarks>Thread-safe: one lock around every step (the collector's store thread records, a timer ticks).</remarks>
public sealed class RolloutController
{
    /// <summary>The branch devices follow and the controller commits to.</summary>
    public const string Branch = "main";

    private readonly ICollectorStore _store;
    private readonly SignedCommitWriter _repo;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();

    /// <summary>A controller over <paramref name="store"/> and the repository <paramref name="repo"/> writes to.</summary>
    /// <param name="store">A <see cref="SqliteStore"/> or <see cref="PostgresStore"/> (migration 6: the rollout tables).</param>
    /// <param name="repo">The configuration repository, with the cloud's signing key.</param>
    /// <param name="clock">The clock of every judgement and commit; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="NotSupportedException">The store has no SQL connection (a test double).</exception>
    public RolloutController(ICollectorStore store, SignedCommitWriter repo, TimeProvider? clock = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _repo = repo ?? throw new ArgumentNullException(nameof(repo));
        _clock = clock ?? TimeProvider.System;
        _ = Sql;
    }

    /// <summary>Rollout files the controller could not read (a <see cref="ConfigException"/>), counted per tick.</summary>
    public long UnreadableRollouts { get; private set; }

    private ISqlStore Sql => _store as ISqlStore ?? throw new NotSupportedException($"{_store} has no rollout tables (expected a SQLite or PostgreSQL collector store)");

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Keeps <paramref name="reports"/> (a heartbeat's item [10]) as the latest of each rollout for <paramref name="deviceId"/>.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="receivedNs">When its heartbeat was stored, UTC Unix ns.</param>
    /// <param name="reports">The heartbeat's shadow reports.</param>
    public void Record(string deviceId, long receivedNs, IReadOnlyList<ShadowReport> reports)
    {
        if (reports.Count == 0)
        {
            return;
        }

        Sql.Run(true, (c, d) =>
        {
            foreach (var r in reports)
            {
                RolloutSql.Upsert(c, d, deviceId, receivedNs, r);
            }

            return 0;
        });
    }

    /// <summary>Starts rollout <paramref name="name"/>: resolves its targets against the store's devices and commits
    /// <c>[state] phase = "shadow"</c>, wave 1, its devices in shadow.</summary>
    /// <exception cref="ArgumentException">No such rollout, not pending or aborted, or no device targeted (one line).</exception>
    /// <exception cref="ConfigException">The rollout file is invalid (file:line, key).</exception>
    public RolloutStep Start(string name)
    {
        lock (_gate)
        {
            var (spec, tip) = Read(name);
            if (spec.State.Phase is RolloutPhase.Shadow or RolloutPhase.Promoted)
            {
                throw new ArgumentException($"rollouts/{name}.toml: already {spec.State.Phase.ToString().ToLowerInvariant()} (wave {spec.State.Wave}); abort it first or commit a new rollout");
            }

            var fleet = Sql.Run(false, RolloutSql.Devices);
            var targets = RolloutJudge.Targets(spec, fleet);
            var wave = RolloutJudge.WaveDevices(spec, targets, [], 1);
            if (wave.Count == 0)
            {
                throw new ArgumentException($"rollouts/{name}.toml: target {spec.Target ?? "devices"} matches none of the {fleet.Count} devices the store knows");
            }

            Sql.Run(true, (c, d) =>
            {
                RolloutSql.ClearReports(c, d, name);
                return 0;
            });
            long now = NowMs;
            var next = spec with { State = new RolloutState(RolloutPhase.Shadow, 1, wave, [], "", now) };
            return Commit(next, tip, "started", 1, wave, "", $"targets={targets.Count} ({string.Join(',', targets)})");
        }
    }

    /// <summary>Aborts rollout <paramref name="name"/> at once: phase aborted, nobody in shadow or active (every device back on
    /// the incumbent), <paramref name="reason"/> recorded.</summary>
    /// <exception cref="ArgumentException">No such rollout, or it is not in progress.</exception>
    public RolloutStep Abort(string name, string reason)
    {
        lock (_gate)
        {
            var (spec, tip) = Read(name);
            if (spec.State.Phase is not (RolloutPhase.Shadow or RolloutPhase.Promoted))
            {
                throw new ArgumentException($"rollouts/{name}.toml: {spec.State.Phase.ToString().ToLowerInvariant()}, nothing to abort");
            }

            return AbortStep(spec, tip, "operator: " + reason, "");
        }
    }

    /// <summary>Judges every rollout in progress once and takes the steps due (promote, complete, abort).</summary>
    /// <returns>The steps taken.</returns>
    public IReadOnlyList<RolloutStep> Tick()
    {
        lock (_gate)
        {
            var steps = new List<RolloutStep>();
            string? tip = _repo.Tip(Branch);
            if (tip is null)
            {
                return steps;
            }

            foreach (string file in _repo.List(tip, RolloutFile.Folder).Where(f => f.EndsWith(".toml", StringComparison.Ordinal)))
            {
                RolloutSpec spec;
                try
                {
                    spec = Parse(tip, RolloutFile.Folder + "/" + file);
                }
                catch (ConfigException)
                {
                    UnreadableRollouts++;
                    continue;
                }

                if (spec.InProgress)
                {
                    string current = _repo.Tip(Branch)!;
                    if (Step(spec, current) is { } step)
                    {
                        steps.Add(step);
                    }
                }
            }

            return steps;
        }
    }

    /// <summary>Rollout <paramref name="name"/> at the tip, with its reports and audit trail.</summary>
    /// <exception cref="ArgumentException">No such rollout.</exception>
    public RolloutStatus Status(string name)
    {
        var (spec, tip) = Read(name);
        return new RolloutStatus(spec, tip, Sql.Run(false, (c, d) => RolloutSql.Reports(c, d, name)), Sql.Run(false, (c, d) => RolloutSql.AuditRows(c, d, name)));
    }

    /// <summary>Every rollout at the tip (those that parse), by name.</summary>
    public IReadOnlyList<RolloutSpec> List()
    {
        string? tip = _repo.Tip(Branch);
        var specs = new List<RolloutSpec>();
        foreach (string file in tip is null ? [] : _repo.List(tip, RolloutFile.Folder).Where(f => f.EndsWith(".toml", StringComparison.Ordinal)))
        {
            try
            {
                specs.Add(Parse(tip!, RolloutFile.Folder + "/" + file));
            }
            catch (ConfigException)
            {
                UnreadableRollouts++;
            }
        }

        return specs;
    }

    private RolloutStep? Step(RolloutSpec spec, string tip)
    {
        var fleet = Sql.Run(false, RolloutSql.Devices);
        var reports = Sql.Run(false, (c, d) => RolloutSql.Reports(c, d, spec.Name));
        var precision = spec.Criteria.MinPrecision is not null && spec.State.Active.Count > 0 && _store is IFleetReader reader
            ? AlertLabels.Precision(reader, spec.State.Active, spec.State.WaveStartedUnixMs * 1_000_000, NowMs * 1_000_000)
            : (LabelPrecision?)null;
        var verdict = RolloutJudge.Judge(spec, fleet, reports, NowMs, precision);
        if (verdict.Decision == RolloutDecision.Abort)
        {
            return AbortStep(spec, tip, verdict.Reason, verdict.Figures);
        }

        if (verdict.Decision == RolloutDecision.Wait)
        {
            return null;
        }

        var s = spec.State;
        List<string> active = [.. s.Active, .. s.Shadow];
        var targets = RolloutJudge.Targets(spec, fleet);
        for (int wave = s.Wave + 1; wave <= spec.Waves.Count; wave++)
        {
            var joining = RolloutJudge.WaveDevices(spec, targets, active, wave);
            if (joining.Count > 0)
            {
                var next = spec with { State = new RolloutState(RolloutPhase.Shadow, wave, joining, active, "", NowMs) };
                return Commit(next, tip, "promoted", s.Wave, s.Shadow, verdict.Reason, verdict.Figures);
            }
        }

        string reason = $"{spec.Waves.Count} waves passed; last: {verdict.Reason}";
        var done = spec with { State = new RolloutState(RolloutPhase.Promoted, spec.Waves.Count, [], active, reason, s.WaveStartedUnixMs) };
        return Commit(done, tip, "completed", s.Wave, s.Shadow, reason, verdict.Figures);
    }

    private RolloutStep AbortStep(RolloutSpec spec, string tip, string reason, string figures)
    {
        var s = spec.State;
        var aborted = spec with { State = new RolloutState(RolloutPhase.Aborted, s.Wave, [], [], reason, s.WaveStartedUnixMs) };
        return Commit(aborted, tip, "aborted", s.Wave, [.. s.Active, .. s.Shadow], reason, figures);
    }

    private RolloutStep Commit(RolloutSpec next, string tip, string what, int wave, IReadOnlyList<string> devices, string reason, string figures)
    {
        var now = _clock.GetUtcNow();
        string message = string.Create(CultureInfo.InvariantCulture, $"rollout {next.Name}: {what} wave {wave} of {next.Waves.Count} ({string.Join(", ", devices)})")
            + (reason.Length > 0 ? "\n\n" + reason : "") + (figures.Length > 0 ? "\n" + figures : "");
        string path = RolloutFile.Folder + "/" + next.Name + ".toml";
        string commit = _repo.Commit(Branch, new Dictionary<string, byte[]> { [path] = Encoding.UTF8.GetBytes(RolloutFile.Format(next)) }, message, now, tip);
        var row = new RolloutAuditRow(next.Name, now.ToUnixTimeMilliseconds() * 1_000_000, wave, what, devices, reason, figures, commit);
        Sql.Run(true, (c, d) =>
        {
            RolloutSql.Audit(c, d, row);
            return 0;
        });
        return new RolloutStep(row, next);
    }

    private (RolloutSpec Spec, string Tip) Read(string name)
    {
        string tip = _repo.Tip(Branch) ?? throw new ArgumentException($"the configuration repository has no branch {Branch}");
        return (Parse(tip, RolloutFile.Folder + "/" + name + ".toml"), tip);
    }

    private RolloutSpec Parse(string tip, string path)
    {
        byte[] bytes = _repo.ReadFile(tip, path) ?? throw new ArgumentException($"{path}: no such file at {tip[..12]} (commit the rollout first)");
        return RolloutFile.Parse(Encoding.UTF8.GetString(bytes), path);
    }
}
