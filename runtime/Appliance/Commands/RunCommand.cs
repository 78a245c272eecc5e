using System.CommandLine;
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Device.Hosting;
using Appliance.Device.Pipeline;
using Appliance.Device.State;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance run --repo URL --state DIR (--trust FILE | --insecure-skip-verify)</c>: the device. Its configuration
/// comes from the git repository at URL (cloned into <c>STATE/repo</c>), verified, applied and rolled back by the
/// <see cref="Reconciler"/>. A device whose first configuration fails, with no last known good revision in its state
/// directory, runs nothing and sends nothing (<c>config_state</c> <c>no configuration</c>, the reason in <c>config_error</c>)
/// and retries with backoff; it never falls back to the demo's configuration. Runs until SIGTERM or Ctrl-C, then stops sampling, summarises what it sampled and waits
/// (up to 10 s) for the collector to acknowledge it.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "The configuration repository (path, file://, https://, ssh:// or user@host:path)", Required = true };
        var state = new Option<DirectoryInfo>("--state") { Description = "The device's state directory (clone, last known good revision, gitops-status.json)", DefaultValueFactory = _ => new DirectoryInfo("/var/lib/appliance") };
        var branch = new Option<string>("--branch") { Description = "The branch to follow (until the applied [gitops] branch names another)", DefaultValueFactory = _ => "main" };
        var device = new Option<string?>("--device") { Description = "The device id: selects devices/ID.toml (default: [device] id of appliance.toml)" };
        var trust = new Option<FileInfo?>("--trust") { Description = "Allowed-signers file (ssh-keygen ALLOWED SIGNERS format): the keys that may sign revisions" };
        var insecure = new Option<bool>("--insecure-skip-verify") { Description = "Apply unsigned revisions (demos only; warned on every pull)" };
        var downgrade = new Option<bool>("--allow-downgrade") { Description = "Accept a branch tip older than the applied revision" };
        var tokenFile = new Option<FileInfo?>("--repo-token-file") { Description = "File whose first line is the https:// repository's token or password (default: STATE/repo-token when it exists)" };
        var caFile = new Option<FileInfo?>("--repo-ca-file") { Description = "PEM certificates the https:// repository's server may chain to besides the system's (a private CA, or its self-signed certificate)" };
        var watchdogDevice = new Option<string?>("--watchdog-device") { Description = "A hardware watchdog to feed while the pipeline makes progress (e.g. /dev/watchdog; disarmed with the magic 'V' on a clean stop)" };
        var watchdogInterval = new Option<double>("--watchdog-interval") { Description = "Seconds between feeds of --watchdog-device (below its timeout)", DefaultValueFactory = _ => 5 };
        var limits = new RepositoryLimitOptions();
        var logFormat = Cli.LogFormatOption();
        var logLevel = Cli.LogLevelOption();
        var cmd = new Command("run", "Run the device: sample, summarise, detect, score and send upstream") { repo, state, branch, device, trust, insecure, downgrade, tokenFile, caFile, watchdogDevice, watchdogInterval, logFormat, logLevel };
        limits.AddTo(cmd);
        cmd.SetAction((p, token) => Cli.Guard(() => RunAsync(
            p.GetValue(repo)!, p.GetValue(state)!, p.GetValue(branch)!, p.GetValue(device), p.GetValue(trust), p.GetValue(insecure), p.GetValue(downgrade),
            p.GetValue(tokenFile), p.GetValue(caFile), (p.GetValue(watchdogDevice), p.GetValue(watchdogInterval)), limits.Read(p), Cli.LogSettings(p.GetValue(logFormat)!, p.GetValue(logLevel)!), token)));
        return cmd;
    }

    private static async Task<int> RunAsync(
        string repo, DirectoryInfo state, string branch, string? deviceId, FileInfo? trust, bool insecure, bool allowDowngrade, FileInfo? tokenFile, FileInfo? caFile,
        (string? Device, double IntervalS) watchdogSettings, RepositoryLimits limits, (LogLevelSwitch Levels, string Format) logSettings, CancellationToken token)
    {
        if ((trust is null) == !insecure)
        {
            throw new ArgumentException("--trust FILE or --insecure-skip-verify: give exactly one (the device must say whose signatures it trusts)");
        }

        // A native library missing beside the binary: one line naming it and where it was looked for, exit 1 (it used to end in
        // an unhandled TypeInitializationException, exit 134, at the first use of LibGit2Sharp or ONNX Runtime).
        if (NativeLibraries.Check() is [var missing, ..])
        {
            await Console.Error.WriteLineAsync($"appliance: failed: {missing}");
            return ExitCodes.Failed;
        }

        if (!(watchdogSettings.IntervalS is > 0 and <= 3600))
        {
            throw new ArgumentException($"--watchdog-interval {watchdogSettings.IntervalS:G}: expected seconds in (0, 3600]");
        }

        var verifier = trust is not null ? CommitVerifier.Trusting(AllowedSigners.Load(trust.FullName)) : CommitVerifier.Insecure();
        ConfigRepository.CheckScheme(repo);
        ConfigRepository.CheckLocalPath(repo);
        if (deviceId is not null && !ConfigLoader.IsDeviceId(deviceId))
        {
            throw new ArgumentException($"--device {Appliance.Kernels.Text.QuotedText.Quote(deviceId)}: not a device id ({ConfigLoader.DeviceIdRule}; the rule of [device] id)");
        }
        var access = RepositoryAccess.For(state.FullName, tokenFile?.FullName, caFile?.FullName);
        var levels = logSettings.Levels;
        using var logging = Cli.CreateLogging(levels, logSettings.Format);
        var log = logging.CreateLogger("run");
        using var stop = Cli.StopOnSignal();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, stop.Token);
        Directory.CreateDirectory(state.FullName);
        using var stateLock = StateDirectoryLock.Acquire(state.FullName); // a second `run` on this directory exits 2 naming the holder

        using var device = new DeviceRuntime(logging, new PipelineOptions(), state.FullName) { LogLevels = levels };
        // systemd (Type=notify: READY=1 once the first revision runs, WATCHDOG=1) and the hardware watchdog, fed while the
        // pipeline makes progress (DeviceRuntime.Stall: a worker or live sampling loop without a turn for 10 s stops it).
        using var watchdog = new Appliance.Device.Health.ServiceWatchdog(
            () => device.Stall(TimeSpan.FromSeconds(10)),
            Appliance.Device.Health.SystemdNotifier.FromEnvironment(),
            watchdogSettings.Device is { } wd ? new Appliance.Device.Health.HardwareWatchdog(wd) : null,
            TimeSpan.FromSeconds(watchdogSettings.IntervalS),
            logging.CreateLogger("watchdog"));
        device.Watchdog = watchdog;
        watchdog.Start();
        _ = device.FirstApplied.ContinueWith(_ => watchdog.Ready(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        using var reconciler = device.Follow(
            new ReconcilerOptions
            {
                Url = repo,
                Access = access,
                StateDirectory = state.FullName,
                Branch = branch,
                DeviceId = deviceId,
                Verifier = verifier,
                AllowDowngrade = allowDowngrade,
                BakedInToml = null, // never the demo's simulated sensors: with no revision the device runs nothing
                Limits = limits,
            },
            logging.CreateLogger("gitops"));

        try
        {
            await reconciler.StartAsync(linked.Token);
            if (reconciler.Applied is { } applied)
            {
                log.LogInformation("Device {Device} running config revision {Revision} ({State}) from {Repo}", applied.Config.Device.Id, reconciler.ConfigRevision, reconciler.Status.StateName, UrlSecrets.Redact(repo));
            }
            else
            {
                log.LogError("No configuration from {Repo}: the device runs nothing and sends nothing until a revision applies ({Reason}); see appliance status --state {State}", UrlSecrets.Redact(repo), reconciler.ConfigError, state.FullName);
            }

            // A reconciler loop that throws is restarted with backoff and counted; repeated failure exits non-zero (StageSupervisor).
            await device.Supervision.RunAsync("reconciler", reconciler.RunAsync, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }

        var acked = await device.StopAsync(TimeSpan.FromSeconds(10));
        watchdog.Stop(clean: true); // STOPPING=1, and the hardware watchdog's magic close
        var c = device.Counters; // since start, across every applied revision
        log.LogInformation("Stopped: {Windows} windows summarised, {Alerts} alerts, {Faults} sample faults; outbox fully acknowledged: {Acked}", c.WindowsSummarised, c.Alerts, c.SampleFaults, acked);
        return ExitCodes.Ok;
    }
}
