using Appliance.Contracts.Inference;
using System.Text;
using System.Text.Json;
using Appliance.Contracts.Config;
using Appliance.Drivers.Sampling;
using Appliance.Device.State;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.GitOps;

/// <summary>
/// The GitOps loop of one device: fetches its configuration repository every <c>[gitops] interval</c> (and at once on
/// <see cref="PullNow"/>, the cloud's "pull now" command), and when the followed branch has moved: refuses a downgrade
/// (unless allowed), verifies the commit's SSH signature against the device's allowed signers, reads and validates the
/// whole revision (<c>appliance.toml</c>, <c>devices/ID.toml</c>, <c>models/*</c>), applies it through
/// <see cref="IConfigTarget"/>, and health-checks it within a grace period; a failed apply or health check rolls the
/// device back to the last known good revision, which is pinned in the clone (<c>refs/appliance/lkg</c>).
/// Polls are spread ±10 % around the interval (<see cref="Backoff.Spread"/>), so that a fleet started together does not
/// fetch in step; failed fetches back off with full jitter (<see cref="Backoff"/>: a wait drawn from
/// [0, min(cap, interval × 2^failures)]).
/// The state is exposed as <see cref="ConfigRevision"/>, <see cref="ConfigState"/>, <see cref="ConfigError"/> and written
/// to <c>STATE/gitops-status.json</c> at every change.
/// </summary>
public sealed partial class Reconciler : IDisposable
{
    /// <summary>The status file in the state directory.</summary>
    public const string StatusFile = "gitops-status.json";

    /// <summary>The relative spread of a steady-state poll around the interval.</summary>
    internal const double PollJitter = 0.1;

    private readonly ReconcilerOptions _options;
    private readonly IConfigTarget _target;
    private readonly ILogger _logger;
    private readonly ConfigRepository _repo;
    private readonly SemaphoreSlim _pullNow = new(0, 1);
    private readonly Lock _pullGate = new();
    private TaskCompletionSource<GitOpsStatus>? _pullWaiters;
    private readonly Random _random;
    private TimeSpan? _plannedDelay;
    private volatile GitOpsStatus _status = new(string.Empty, ConfigState.Pending, null, null, null, 0);
    private ConfigBundle? _applied;
    private string? _refused;
    private string? _refusal;
    private string _branch;
    private int _attemptsWithoutConfiguration;

    /// <summary>Creates the reconciler; nothing is fetched until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The device's GitOps settings.</param>
    /// <param name="target">What applies a revision.</param>
    /// <param name="logger">The log.</param>
    /// <param name="random">The random source of the poll's jitter and the backoff; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="GitOpsException">The URL's scheme is not supported.</exception>
    public Reconciler(ReconcilerOptions options, IConfigTarget target, ILogger logger, Random? random = null)
    {
        _options = options;
        _random = random ?? Random.Shared;
        _target = target;
        _logger = logger;
        _branch = options.Branch;
        _repo = new ConfigRepository(options.Url, options.StateDirectory, options.Access, options.Limits);
        Directory.CreateDirectory(options.StateDirectory);
    }

    /// <summary>The applied revision: a commit id, <see cref="ConfigBundle.BakedIn"/>, or empty before the first apply.</summary>
    public string ConfigRevision => _status.ConfigRevision;

    /// <summary>applied, rejected, rolled back or pending.</summary>
    public ConfigState ConfigState => _status.ConfigState;

    /// <summary>The last error (for an invalid revision, <c>file:line: ...</c>), or null.</summary>
    public string? ConfigError => _status.ConfigError;

    /// <summary>The whole state at once.</summary>
    public GitOpsStatus Status => _status;

    /// <summary>The bundle that runs now, or null before the first apply.</summary>
    public ConfigBundle? Applied => Volatile.Read(ref _applied);

    /// <summary>The path of the status file.</summary>
    public string StatusPath => Path.Combine(_options.StateDirectory, StatusFile);

    /// <summary>Asks for a fetch now (the cloud's <c>PullConfig</c> command); safe from any thread, coalesced.</summary>
    public void PullNow()
    {
        ReconcilerLog.PullRequested(_logger);
        try
        {
            _pullNow.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pull is already requested.
        }
    }

    /// <summary>
    /// Boots the device: fetches once and applies the branch tip when it is valid; otherwise (offline, or the tip is
    /// refused) applies the last known good revision from the clone, or with none the configuration baked into the image
    /// (<see cref="ReconcilerOptions.BakedInToml"/>, the demo's). With neither, nothing is applied: the device runs nothing
    /// and sends nothing, its state is <see cref="ConfigState.NoConfiguration"/> with the reason in <see cref="ConfigError"/>,
    /// and <see cref="RunAsync"/> retries with backoff.
    /// </summary>
    public async Task StartAsync(CancellationToken token)
    {
        ClearStaleLocks();
        string? fetchError = null;
        try
        {
            _repo.Fetch();
            Publish(_status with { LastFetch = DateTimeOffset.UtcNow });
            await ConsiderTipAsync(token);
        }
        catch (GitOpsException e) // the URL's scheme was checked by the constructor: a missing path is reported here too
        {
            fetchError = e.Message;
            Publish(_status with { ConfigError = e.Message, ConsecutiveFetchFailures = 1 });
        }

        if (Applied is null)
        {
            var why = fetchError ?? _refusal ?? "no usable revision at the branch tip";
            var fallback = LoadFallback();
            if (fallback is null)
            {
                NoConfiguration(why);
                return;
            }

            ReconcilerLog.Offline(_logger, fallback.Revision, why);
            await _target.ApplyAsync(fallback, token);
            Volatile.Write(ref _applied, fallback);
            Publish(_status with
            {
                ConfigRevision = fallback.Revision,
                ConfigState = _refused is null ? ConfigState.Applied : _status.ConfigState,
                ConfigError = _refusal ?? fetchError,
            });
        }
    }

    /// <summary>
    /// Asks for a fetch now, like <see cref="PullNow"/>, and completes once a pass of <see cref="RunAsync"/> that began after
    /// the call has fetched (and applied, when the branch moved): the cloud's <c>pull-config</c> command answers with its state.
    /// </summary>
    /// <returns>The state after that pass; cancelled when the loop stops first.</returns>
    public Task<GitOpsStatus> PullAsync()
    {
        Task<GitOpsStatus> done;
        lock (_pullGate)
        {
            _pullWaiters ??= new TaskCompletionSource<GitOpsStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            done = _pullWaiters.Task;
        }

        PullNow();
        return done;
    }

    /// <summary>Runs the loop until <paramref name="token"/> is cancelled; never throws except on cancellation.</summary>
    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                // The delay a failed fetch logged is the one waited.
                var delay = _plannedDelay ?? NextDelay();
                _plannedDelay = null;
                await WaitAsync(delay, token);
                TaskCompletionSource<GitOpsStatus>? waiters;
                lock (_pullGate)
                {
                    waiters = _pullWaiters; // a pull asked for during this pass waits for the next one
                    _pullWaiters = null;
                }

                await ReconcileOnceAsync(token);
                waiters?.TrySetResult(_status);
            }
        }
        finally
        {
            lock (_pullGate)
            {
                _pullWaiters?.TrySetCanceled(token);
                _pullWaiters = null;
            }
        }
    }

    /// <summary>One fetch and, when the branch moved, one verify/validate/apply/health-check; errors are recorded, not thrown.</summary>
    public async Task ReconcileOnceAsync(CancellationToken token)
    {
        try
        {
            _repo.Fetch();
            Publish(_status with { LastFetch = DateTimeOffset.UtcNow, ConsecutiveFetchFailures = 0, ConfigError = _refusal });
        }
        catch (GitOpsException e)
        {
            var failures = _status.ConsecutiveFetchFailures + 1;
            Publish(_status with { ConsecutiveFetchFailures = failures, ConfigError = e.Message });
            _plannedDelay = NextDelay();
            ReconcilerLog.FetchFailed(_logger, _repo.Url, e.Failure, failures, e.Message, _plannedDelay.Value);
            if (Applied is null)
            {
                NoConfiguration(e.Message);
            }

            return;
        }

        try
        {
            await ConsiderTipAsync(token);
        }
        catch (GitOpsException e)
        {
            Publish(_status with { ConfigError = e.Message });
        }

        if (Applied is null)
        {
            NoConfiguration(_status.ConfigError ?? "no usable revision at the branch tip");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _pullNow.Dispose();

    /// <summary>Reads, verifies and validates <paramref name="commit"/> as a whole.</summary>
    /// <exception cref="GitOpsException">Unsigned or untrusted, or a file too large.</exception>
    /// <exception cref="ConfigException">Invalid configuration or model (file:line named).</exception>
    public ConfigBundle Load(string commit)
    {
        var signer = _options.Verifier.Verify(_repo, commit);
        if (_options.Verifier.SkipsVerification)
        {
            ReconcilerLog.VerificationSkipped(_logger, commit, _repo.Url);
        }

        return RevisionLoader.Load(_repo, commit, _options.DeviceId, _options.CheckBuses, signer);
    }

    private async Task ConsiderTipAsync(CancellationToken token)
    {
        var tip = _repo.Tip(_branch)
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{_repo.Url}: branch '{_branch}' not found");
        var current = Applied;
        if (tip == current?.Revision && _refused is not null)
        {
            // The branch came back to the running revision (a force-push back): the earlier refusal no longer describes the tip.
            _refused = null;
            _refusal = null;
            Publish(_status with { ConfigState = ConfigState.Applied, ConfigError = null, FailedRevision = null });
            ReconcilerLog.TipIsRunning(_logger, _branch, tip);
            return;
        }

        // A refused tip is not tried again while a revision runs; with none running it is (after the backoff), since what
        // refused it may have been passing (a sensor that did not open, a key file not yet provisioned).
        if (tip == current?.Revision || (tip == _refused && current is not null))
        {
            if (_options.Verifier.SkipsVerification)
            {
                ReconcilerLog.VerificationSkipped(_logger, tip, _repo.Url);
            }

            return;
        }

        ConfigBundle bundle;
        try
        {
            CheckNotOlder(tip, current?.Revision ?? _repo.LastKnownGood());
            bundle = Load(tip);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Expected: GitOpsException, ConfigException, FormatException. Anything else a revision makes validation throw
            // (a defect to fix, for example an allocation a setting sized) still only refuses that revision: the device
            // keeps running the one it has.
            var reason = e is GitOpsException or ConfigException or FormatException ? e.Message : $"revision {Short(tip)} could not be validated: {e.GetType().Name}: {e.Message}";
            Refuse(tip, ConfigState.Rejected, reason, current);
            ReconcilerLog.Rejected(_logger, tip, reason);
            return;
        }

        Publish(_status with { ConfigState = ConfigState.Pending });
        string? failure = null;
        try
        {
            await _target.ApplyAsync(bundle, token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = $"revision {Short(tip)}: apply failed: {Appliance.Kernels.Text.QuotedText.MessageOf(e)}";
        }

        if (failure is null)
        {
            var grace = bundle.Config.GitOps.HealthGrace ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, 3 * bundle.Config.Window.Length.Ticks));
            var health = await _target.CheckHealthAsync(grace, token);

            // At boot, the last known good revision is kept even when unhealthy now (a collector outage, say): it was
            // healthy before, and the only thing older is the image's demo configuration.
            if (health.Healthy || (current is null && tip == _repo.LastKnownGood()))
            {
                Volatile.Write(ref _applied, bundle);
                _attemptsWithoutConfiguration = 0;
                _refused = null;
                _refusal = null;
                PinLastKnownGood(tip);
                if (bundle.Config.GitOps.Branch != _branch)
                {
                    _branch = bundle.Config.GitOps.Branch;
                }

                Publish(_status with { ConfigRevision = tip, ConfigState = ConfigState.Applied, ConfigError = null, FailedRevision = null });
                ReconcilerLog.Applied(_logger, tip, bundle.Signer, health.Reason);
                return;
            }

            failure = $"revision {Short(tip)}: health check failed within {grace.TotalSeconds:0.#} s: {health.Reason}";
            var back = current ?? LoadFallback();
            if (back is null)
            {
                // Nothing to go back to: the device stops running the failed revision and runs nothing.
                await _target.UnapplyAsync(token);
            }
            else
            {
                await _target.ApplyAsync(back, token);
            }

            Volatile.Write(ref _applied, back);
            current = back;
        }

        current ??= LoadFallback();
        if (Applied is null && current is not null)
        {
            await _target.ApplyAsync(current, token);
            Volatile.Write(ref _applied, current);
        }

        Refuse(tip, ConfigState.RolledBack, failure, current);
        ReconcilerLog.RolledBack(_logger, tip, failure, current?.Revision ?? "no configuration");
    }

    /// <summary>Refuses <paramref name="tip"/> when it is older than <paramref name="applied"/> (the running revision, or at boot the pinned last known good one).</summary>
    private void CheckNotOlder(string tip, string? applied)
    {
        // The same revision is no downgrade: after a restart the branch tip usually is the pinned last known good one
        // (libgit2's descendant check counts a commit as its own ancestor, which refused it and fell back to the baked-in config).
        if (applied is null || applied == ConfigBundle.BakedIn || tip == applied || !_repo.Contains(applied) || _options.AllowDowngrade)
        {
            return;
        }

        if (_repo.IsAncestor(tip, applied))
        {
            throw new GitOpsException(GitOpsFailure.Downgrade, $"branch '{_branch}' points at {Short(tip)}, an ancestor of the applied {Short(applied)}: downgrade refused (run with --allow-downgrade to accept)");
        }

        if (!_repo.IsAncestor(applied, tip))
        {
            if (_repo.CommitTime(tip) < _repo.CommitTime(applied))
            {
                throw new GitOpsException(GitOpsFailure.Downgrade, $"branch '{_branch}' was rewritten to {Short(tip)}, committed before the applied {Short(applied)}: downgrade refused (run with --allow-downgrade to accept)");
            }

            ReconcilerLog.HistoryRewritten(_logger, _branch, tip);
        }
    }

    private void Refuse(string tip, ConfigState state, string reason, ConfigBundle? current)
    {
        _refused = tip;
        _refusal = reason;
        Publish(_status with { ConfigRevision = current?.Revision ?? _status.ConfigRevision, ConfigState = state, ConfigError = reason, FailedRevision = tip });
    }

    /// <summary>The wait before the next fetch: the interval spread ±10 % while fetches succeed; after failures a full-jitter
    /// backoff draw from [0, min(cap, interval × 2^failures)], cap = max(interval, <see cref="ReconcilerOptions.MaxBackoff"/>).</summary>
    internal TimeSpan NextDelay()
    {
        var interval = Applied?.Config.GitOps.Interval ?? TimeSpan.FromSeconds(30);
        var failures = Applied is null ? Math.Max(_status.ConsecutiveFetchFailures, _attemptsWithoutConfiguration) : _status.ConsecutiveFetchFailures;
        if (failures == 0 || interval <= TimeSpan.Zero)
        {
            return Backoff.Spread(interval, PollJitter, _random);
        }

        var cap = interval > _options.MaxBackoff ? interval : _options.MaxBackoff;
        return new Backoff(interval, cap, _random).Delay(failures);
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await _pullNow.WaitAsync(delay, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
    }

    private static string Short(string revision) => revision.Length > 12 ? revision[..12] : revision;
}
