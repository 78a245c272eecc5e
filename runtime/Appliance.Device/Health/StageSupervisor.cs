using Appliance.Drivers.Sampling;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Health;

/// <summary>
/// In-process supervision of the device's long-running stages (the sampling loops, the pipeline worker, the reconciler):
/// a stage whose body throws is logged, counted and run again after a jittered backoff (<see cref="Backoff"/>: full jitter,
/// 100 ms doubling to 5 s), so that a fault never leaves a silently dead thread. When one stage fails
/// <see cref="MaxFailures"/> times within <see cref="Window"/>, the supervisor escalates: one line naming the stage, the
/// count and the last error goes to <c>escalate</c> (by default standard error, then the process exits with status 70,
/// EX_SOFTWARE of sysexits.h) so that systemd or the image's <c>/init</c> restarts the whole process.
/// </summary>
/// <remarks>The counts (<see cref="Snapshot"/>, <see cref="Restarts"/>) are the device's, kept across the pipelines its
/// revisions build; they are in <c>status.json</c> (<c>"stage_restarts"</c>, <c>"stages"</c>) and in the heartbeat
/// (<c>HeartbeatCounter.StageRestarts</c>). Thread-safe.</remarks>
public sealed class StageSupervisor
{
    /// <summary>The exit status of an escalation: EX_SOFTWARE (70, sysexits.h), an internal software error.</summary>
    public const int EscalationExitCode = 70;

    private readonly ILogger _logger;
    private readonly Action<string> _escalate;
    private readonly Dictionary<string, StageRecord> _stages = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _restarts;

    /// <summary>Creates the supervisor.</summary>
    /// <param name="logger">Where each failure is logged.</param>
    /// <param name="escalate">Called with the escalation line; null: write it to standard error and exit with
    /// <see cref="EscalationExitCode"/>.</param>
    /// <param name="maxFailures">Failures of one stage within <paramref name="window"/> that escalate; at least 1.</param>
    /// <param name="window">The window of <paramref name="maxFailures"/>; 60 s when null.</param>
    /// <param name="backoffBase">The first restart's backoff ceiling; 100 ms when null (tests pass less).</param>
    public StageSupervisor(ILogger logger, Action<string>? escalate = null, int maxFailures = 5, TimeSpan? window = null, TimeSpan? backoffBase = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailures, 1);
        _logger = logger;
        _escalate = escalate ?? ExitProcess;
        MaxFailures = maxFailures;
        Window = window ?? TimeSpan.FromSeconds(60);
        BackoffBase = backoffBase ?? TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Failures of one stage within <see cref="Window"/> that escalate.</summary>
    public int MaxFailures { get; }

    /// <summary>The window over which failures are counted for escalation.</summary>
    public TimeSpan Window { get; }

    /// <summary>The ceiling of the first restart's backoff (doubling per failure within the window, capped at 5 s).</summary>
    public TimeSpan BackoffBase { get; }

    /// <summary>Restarts of every stage since the supervisor was created.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Escalations (each also went to <c>escalate</c>; with the default the process has exited).</summary>
    public int Escalations { get; private set; }

    /// <summary>Each stage that failed at least once: its name, restarts, last error and when it last failed (UTC).</summary>
    /// <returns>The stages, by name.</returns>
    public IReadOnlyList<StageRestarts> Snapshot()
    {
        lock (_gate)
        {
            return [.. _stages.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new StageRestarts(s.Key, s.Value.Restarts, s.Value.LastError, s.Value.LastFailure))];
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> on the calling thread until it returns or <paramref name="token"/> is cancelled; each
    /// exception it throws (other than an <see cref="OperationCanceledException"/> of <paramref name="token"/>) is a failure:
    /// counted, logged, then <paramref name="body"/> runs again after the backoff, or the supervisor escalates.
    /// </summary>
    /// <param name="stage">The stage's name in status and logs (<c>pipeline</c>, <c>sample:NAME</c>, <c>reconciler</c>).</param>
    /// <param name="body">The stage's loop.</param>
    /// <param name="token">Stops the stage.</param>
    public void Run(string stage, Action<CancellationToken> body, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(body);
        while (true)
        {
            try
            {
                body(token);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!Failed(stage, e, out var wait) || token.WaitHandle.WaitOne(wait))
                {
                    return;
                }
            }
        }
    }

    /// <summary>The asynchronous form of <see cref="Run"/> (the reconciler's loop).</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="body">The stage's loop.</param>
    /// <param name="token">Stops the stage; its cancellation is thrown as usual.</param>
    /// <returns>Completes when <paramref name="body"/> returns.</returns>
    public async Task RunAsync(string stage, Func<CancellationToken, Task> body, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(body);
        while (true)
        {
            try
            {
                await body(token);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                if (!Failed(stage, e, out var wait))
                {
                    return;
                }

                await Task.Delay(wait, token);
            }
        }
    }

    /// <summary>Counts a failure; false when it escalated (the stage is not restarted).</summary>
    private bool Failed(string stage, Exception e, out TimeSpan wait)
    {
        int recent;
        long restarts;
        lock (_gate)
        {
            if (!_stages.TryGetValue(stage, out var record))
            {
                _stages[stage] = record = new StageRecord();
            }

            var now = DateTimeOffset.UtcNow;
            record.Recent.Enqueue(now);
            while (record.Recent.Count > 0 && now - record.Recent.Peek() > Window)
            {
                record.Recent.Dequeue();
            }

            recent = record.Recent.Count;
            record.LastError = $"{e.GetType().Name}: {e.Message}";
            record.LastFailure = now;
            if (recent >= MaxFailures)
            {
                Escalations++;
                wait = TimeSpan.Zero;
                restarts = record.Restarts;
            }
            else
            {
                record.Restarts++;
                restarts = record.Restarts;
                wait = new Backoff(BackoffBase, TimeSpan.FromSeconds(5)).Delay(recent - 1);
            }
        }

        if (recent >= MaxFailures)
        {
            var line = $"stage {stage} failed {recent} times within {Window.TotalSeconds:G} s (last: {e.GetType().Name}: {e.Message}); exiting so that the service manager restarts the appliance";
            HealthLog.StageEscalated(_logger, stage, recent, e);
            _escalate(line);
            return false;
        }

        Interlocked.Increment(ref _restarts);
        HealthLog.StageRestarting(_logger, stage, restarts, wait.TotalMilliseconds, e);
        return true;
    }

    private static void ExitProcess(string line)
    {
        Console.Error.WriteLine($"appliance: failed: {line}");
        Environment.Exit(EscalationExitCode);
    }

    private sealed class StageRecord
    {
        public Queue<DateTimeOffset> Recent { get; } = new();

        public long Restarts { get; set; }

        public string LastError { get; set; } = string.Empty;

        public DateTimeOffset LastFailure { get; set; }
    }
}

/// <summary>One supervised stage's failures (<see cref="StageSupervisor.Snapshot"/>).</summary>
/// <param name="Stage">The stage's name (<c>pipeline</c>, <c>sample:NAME</c>, <c>reconciler</c>).</param>
/// <param name="Restarts">Times it was restarted.</param>
/// <param name="LastError">The last exception, <c>Type: message</c>.</param>
/// <param name="LastFailure">When it last failed (UTC).</param>
public sealed record StageRestarts(string Stage, long Restarts, string LastError, DateTimeOffset LastFailure);
