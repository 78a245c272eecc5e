using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Appliance.Cloud.Rollouts;
using Appliance.Cloud.Storage;
using Appliance.Device.GitOps;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud rollout start NAME | status NAME [--json] | abort NAME --reason TEXT</c>, each with <c>--repo PATH
/// --db PATH|URL</c> and, for the verbs that commit, <c>--signing-key FILE</c> (the cloud's ed25519 SSH key): the model
/// rollouts of issue 18 (<see cref="RolloutController"/>, docs/models.md "Rollouts"). The collector runs the controller
/// with <c>appliance cloud ... --rollouts-repo PATH --signing-key FILE</c> (<see cref="ControllerOptions"/>).
/// </summary>
internal static class CloudRolloutCommand
{
    /// <summary>How often the collector's controller judges the rollouts in progress.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var cmd = new Command("rollout", "Model rollouts in waves (rollouts/NAME.toml of the configuration repository): start, status, abort");
        cmd.Subcommands.Add(Verb("start", "Start a committed rollout: wave 1's devices run the candidate in shadow (one signed commit)", signs: true, (c, name, _, _) =>
        {
            var step = c.Start(name);
            Console.WriteLine($"rollout {name} started: wave 1 of {step.Spec.Waves.Count}, shadow [{string.Join(", ", step.Audit.Devices)}], commit {step.Audit.CommitId[..12]}");
        }));
        cmd.Subcommands.Add(Verb("status", "A rollout's phase, wave, devices per wave with their latest shadow reports, and its audit trail", signs: false, (c, name, _, json) =>
        {
            var status = c.Status(name);
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    RolloutJson.Write(w, status);
                }

                Console.WriteLine();
                return;
            }

            PrintStatus(status);
        }));
        cmd.Subcommands.Add(Verb("abort", "Abort a rollout: one signed commit puts every device back on the incumbent, the reason recorded", signs: true, (c, name, reason, _) =>
        {
            var step = c.Abort(name, reason ?? throw new ArgumentException("--reason: missing (expected why the rollout is aborted)"));
            Console.WriteLine($"rollout {name} aborted at wave {step.Audit.Wave}: every device back on {step.Spec.Incumbent}, commit {step.Audit.CommitId[..12]}");
        }));
        return cmd;
    }

    /// <summary><c>--rollouts-repo</c> and <c>--signing-key</c> of <c>appliance cloud</c>.</summary>
    public static (Option<string?> Repo, Option<FileInfo?> Key) ControllerOptions() => (
        new Option<string?>("--rollouts-repo") { Description = "Run the rollout controller on this configuration repository (bare, the one the devices pull): judges rollouts/*.toml in progress and commits each step, signed with --signing-key" },
        new Option<FileInfo?>("--signing-key") { Description = "The cloud's SSH signing key (ed25519 private key file, no passphrase) for the rollout controller's commits" });

    /// <summary>The controller over <paramref name="store"/> when <paramref name="repo"/> is given (null otherwise).</summary>
    /// <exception cref="ArgumentException">--rollouts-repo without --signing-key, or the reverse.</exception>
    public static RolloutController? Controller(ICollectorStore store, string? repo, FileInfo? key) => (repo, key) switch
    {
        (null, null) => null,
        (null, _) => throw new ArgumentException("--signing-key needs --rollouts-repo (the repository the controller commits to)"),
        (_, null) => throw new ArgumentException("--rollouts-repo needs --signing-key (the controller's commits are signed)"),
        _ => new RolloutController(store, new SignedCommitWriter(repo, SshSigningKey.Load(key.FullName))),
    };

    /// <summary>Judges the rollouts every <see cref="TickPeriod"/> until <paramref name="token"/> is cancelled; each step logged,
    /// each failed tick counted in the log (the next tick tries again).</summary>
    public static async Task RunAsync(RolloutController? controller, ILogger log, CancellationToken token)
    {
        if (controller is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TickPeriod);
        long failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    foreach (var step in controller.Tick())
                    {
                        log.LogInformation("Rollout {Name}: {Event} wave {Wave} ({Devices}) {Reason} [{Figures}] commit {Commit}", step.Spec.Name, step.Audit.Event,
                            step.Audit.Wave, string.Join(",", step.Audit.Devices), step.Audit.Reason, step.Audit.Figures, step.Audit.CommitId);
                    }
                }
                catch (Exception e) when (e is GitOpsException or System.Data.Common.DbException or IOException or ArgumentException or LibGit2Sharp.LibGit2SharpException)
                {
                    log.LogWarning(e, "Rollout controller: tick failed ({Failures} so far): {Message}", ++failures, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Command Verb(string name, string description, bool signs, Action<RolloutController, string, string?, bool> body)
    {
        var rollout = new Argument<string>("NAME") { Description = "The rollout: rollouts/NAME.toml at the tip of main" };
        var repo = new Option<string>("--repo") { Description = "The configuration repository the devices pull (bare, or a clone's folder)", Required = true };
        var db = CloudCommand.DbOption();
        var key = new Option<FileInfo?>("--signing-key") { Description = "The cloud's SSH signing key (ed25519 private key file, no passphrase)", Required = signs };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the commit, the rollout's [state] and the audit trail)", Required = name == "abort" };
        var json = CloudCommand.JsonOption();
        var cmd = new Command(name, description) { rollout, repo, db };
        if (signs)
        {
            cmd.Options.Add(key);
        }

        if (name == "abort")
        {
            cmd.Options.Add(reason);
        }

        if (name == "status")
        {
            cmd.Options.Add(json);
        }

        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            var signing = p.GetValue(key) is { } file ? SshSigningKey.Load(file.FullName) : null;
            var writer = new SignedCommitWriter(p.GetValue(repo)!, signing);
            using var store = signs ? CloudCommand.OpenStore(p.GetValue(db)!) : CloudCommand.OpenExisting(p.GetValue(db)!);
            body(new RolloutController(store, writer), p.GetValue(rollout)!, p.GetValue(reason), p.GetValue(json));
            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    private static void PrintStatus(RolloutStatus status)
    {
        var s = status.Spec.State;
        Console.WriteLine($"rollout {status.Spec.Name}: {status.Spec.Model} replacing {status.Spec.Incumbent}, {s.Phase.ToString().ToLowerInvariant()}, wave {s.Wave} of {status.Spec.Waves.Count}"
            + (s.Reason.Length > 0 ? $" ({s.Reason})" : "") + $", commit {status.Commit[..12]}");
        var reports = status.Reports.ToDictionary(r => r.DeviceId, StringComparer.Ordinal);
        foreach (var (wave, devices) in RolloutJson.WaveDevices(status))
        {
            Console.WriteLine($"  wave {wave} ({status.Spec.Waves[wave - 1]}):");
            foreach (string id in devices)
            {
                string role = status.Spec.RoleOf(id).ToString().ToLowerInvariant();
                Console.WriteLine(reports.TryGetValue(id, out var d)
                    ? string.Create(CultureInfo.InvariantCulture, $"    {id} {role}: windows {d.Report.Windows}, would alert {d.Report.WouldAlert}, incumbent alerts {d.Report.IncumbentAlerts}, agreements {d.Report.Agreements}, errors {d.Report.Errors}, score p50/p90/p99 {d.Report.ScoreP50:G4}/{d.Report.ScoreP90:G4}/{d.Report.ScoreP99:G4}, latency p50/p99 {d.Report.LatencyP50Us:0.#}/{d.Report.LatencyP99Us:0.#} us{(d.Report.Rejection.Length > 0 ? ", rejected: " + d.Report.Rejection : "")}")
                    : $"    {id} {role}: no shadow report");
            }
        }

        foreach (var a in status.Audit)
        {
            Console.WriteLine($"  {DateTimeOffset.FromUnixTimeMilliseconds(a.AtNs / 1_000_000):yyyy-MM-ddTHH:mm:ss.fffZ} {a.Event} wave {a.Wave} [{string.Join(",", a.Devices)}] {a.Reason} {a.Figures} commit {a.CommitId[..12]}".TrimEnd());
        }
    }
}
