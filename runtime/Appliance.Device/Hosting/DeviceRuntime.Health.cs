using Appliance.Device.GitOps;
using Appliance.Device.Health;
using Appliance.Device.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>The revision health check of <see cref="DeviceRuntime"/> (<see cref="IConfigTarget.CheckHealthAsync"/>), its
/// stage supervision and the progress signal its watchdogs are fed by.</summary>
public sealed partial class DeviceRuntime
{
    private readonly TaskCompletionSource _firstApplied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The supervisor of the device's stages (every pipeline's sampling loops and worker, and whatever the caller
    /// runs through it, such as the reconciler); its counts are the device's since start, in status and heartbeat.</summary>
    public StageSupervisor Supervision { get; private set; } = null!;

    /// <summary>The watchdog fed by <see cref="Stall"/>, whose figures go into <c>status.json</c>; null when none runs.</summary>
    public ServiceWatchdog? Watchdog { get; set; }

    /// <summary>Completes when the first revision has been applied and its pipeline started (systemd's <c>READY=1</c>).</summary>
    public Task FirstApplied => _firstApplied.Task;

    /// <summary>
    /// The progress signal of the watchdogs: what has stalled (<see cref="DevicePipeline.Stall"/> of the running pipeline),
    /// or null while the pipeline makes progress, and while no pipeline runs (before the first revision and after an
    /// unapply the device idles on purpose).
    /// </summary>
    /// <param name="limit">How long without a turn of the worker or a live sampling loop is a stall.</param>
    /// <returns>The stalled stage, or null.</returns>
    public string? Stall(TimeSpan limit) => _pipeline?.Stall(limit);

    private PipelineOptions Supervise(PipelineOptions options, ILoggerFactory logging)
    {
        Supervision = options.Supervisor ?? new StageSupervisor(logging.CreateLogger("supervisor"));
        return options.From(options.NotBeforeNs, Supervision);
    }

    /// <summary>Sends the heartbeat of a newly applied revision and marks the device ready.</summary>
    private void Announce()
    {
        _uplink!.Enqueue(CurrentHeartbeat());
        _firstApplied.TrySetResult();
    }

    /// <inheritdoc/>
    /// <remarks>Healthy once samples were read, windows summarised, the uplink acknowledged (when it was up before this
    /// revision) and an awaited model scores; a pipeline whose sources are all replays that have ended is judged at its end.</remarks>
    public async Task<HealthReport> CheckHealthAsync(TimeSpan grace, CancellationToken token)
    {
        var deadline = DateTimeOffset.UtcNow + grace;
        var uplinkRequired = _uplinkRebuilt || _ackedAtApply > 0;
        long? scoredAtSwap = null;
        while (true)
        {
            var c = _pipeline!.Counters;
            var acked = _uplink!.Counters.Acknowledged - _ackedAtApply;

            if (_pipeline.Completion.IsCompleted)
            {
                // Every source is a recording and has ended (a bad row ends it too, counted as a fault):
                // nothing more will come, and rolling back would not replay it; the replay's outcome is its caller's to report.
                return new HealthReport(true, $"replay ended: {c.SamplesRead} samples, {c.WindowsSummarised} windows, {c.SampleFaults} faults");
            }

            // Sensors answer: reads do not fail (more than one in ten fails the check, at once). A replay is judged at its end.
            if (c.SampleFaults > c.SamplesRead / 10 && !_sensors.All(x => x.IsReplay))
            {
                return new HealthReport(false, $"sensors do not answer: {c.SampleFaults} failed reads, {c.SamplesRead} good");
            }

            // A model swapped in place: healthy once it is active and has scored windows (counted from when it was first seen
            // active, so that they are its own); a model that only faults or never takes over fails the check.
            var awaited = _awaitedModel;
            if (awaited is not null && scoredAtSwap is null && _pipeline.ActiveModel == awaited)
            {
                scoredAtSwap = _pipeline.ScoredWindows;
            }

            var modelScores = awaited is null || _pipeline.ScoredWindows > scoredAtSwap;
            if (c.SamplesRead > 0 && c.WindowsSummarised > 0 && (!uplinkRequired || acked > 0) && modelScores)
            {
                if (awaited is not null)
                {
                    _awaitedModel = null;
                    DeviceRuntimeLog.ModelSwappedIn(_logger, awaited);
                    _uplink.Enqueue(CurrentHeartbeat()); // the cloud sees the new active model at once
                }

                return new HealthReport(true, $"{c.SamplesRead} samples, {c.WindowsSummarised} windows, {acked} acknowledged, {c.SampleFaults} faults{(awaited is null ? "" : $", {awaited} scores")}");
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                var missing = c.SamplesRead == 0 ? "no sample read (sensors do not answer)"
                    : c.WindowsSummarised == 0 ? "no window produced"
                    : !modelScores && scoredAtSwap is null ? $"model {awaited} was not swapped in ({_pipeline.ActiveModel} still scores)"
                    : !modelScores ? $"model {awaited} scored no window ({_pipeline.InferenceFaults} inference faults)"
                    : await DeviceParts.WhyNoAcknowledgementAsync(_uplinkOptions!, TimeSpan.FromSeconds(1));
                return new HealthReport(false, missing);
            }

            await Task.Delay(200, token);
        }
    }

    // The heartbeat of now; the candidates in shadow (rollouts) ride along (Heartbeat.Shadow).
    private Appliance.Contracts.Wire.Heartbeat CurrentHeartbeat() => DeviceHeartbeat.Create(
        Environment.TickCount64 - _startedTicks,
        _pipeline?.ExecutionProvider ?? "none",
        _revision,
        GitOpsStatus?.Invoke(),
        _outbox,
        _uplink,
        Counters,
        _sensorStats,
        _pipeline?.ActiveModel ?? "",
        _pipeline?.LastModelRejection ?? "",
        Appliance.Drivers.Sampling.SteadyClock.Shared, Array.ConvertAll(_cameras, c => c.Counters), Supervision.Restarts, _config?.Device.Labels,
        _pipeline?.ShadowReports);
}
