using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Contracts.Wire;
using Appliance.Detection;
using Appliance.Device.Uplink;
using Appliance.Kernels.Windows;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// The device side from sample to outbox, as five stages over one <see cref="SensorStream"/> per source:
/// <see cref="SamplingStage"/> (one drivers' sampling loop per source, live or replay, into its <see cref="SampleRing"/>),
/// <see cref="WindowingStage"/> (one worker drains the rings into <see cref="TumblingWindow"/>s),
/// <see cref="BatchScoringStage"/> (the windows that close together scored in one ONNX <c>Run</c> through a
/// <see cref="HotSwapScorer"/>; <see cref="OnDeviceFit"/> while no model is configured),
/// <see cref="EmissionStage"/> (summaries and each channel's <see cref="IDetector"/>) and <see cref="AlarmStage"/>
/// (alerts and local alarm outputs), all enqueued on the <see cref="UplinkClient"/> (which owns the outbox and the socket).
/// This class builds the stages, starts and stops them, and is the pipeline's face to the device (models, counters).
/// </summary>
public sealed class DevicePipeline : IDisposable
{
    private readonly ApplianceConfig _config;
    private readonly ILogger _logger;
    private readonly SensorStream[] _streams;
    private readonly PipelineTally _tally = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HotSwapScorer? _scorer;
    private readonly ShadowStage? _shadow;
    private readonly SamplingStage _sampling;
    private readonly EmissionStage _emission;
    private readonly AlarmStage _alarmStage;
    private readonly BatchScoringStage _batch;
    private readonly MultivariateStage? _multivariate;
    private readonly WindowingStage _windowing;
    private readonly Health.StageSupervisor _supervisor;
    private volatile string? _lastRejection;
    private long _startedAt;

    /// <summary>Creates the pipeline; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="config">The configuration snapshot (windows, detector, inference).</param>
    /// <param name="sensors">The sources, one per configured sensor.</param>
    /// <param name="uplink">The started uplink client.</param>
    /// <param name="options">Pacing and reporting.</param>
    /// <param name="logger">The log.</param>
    /// <param name="alarms">The alarm outputs (<c>[[alarm]]</c>) that alerts raise locally, as the window that fired closes; none when null.</param>
    /// <param name="inferenceLatency">Receives the duration of each successful ONNX run (the device's histogram, which
    /// outlives its pipelines, served on <c>[metrics]</c>); none timed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A window length or detector setting the kernels refuse.</exception>
    /// <exception cref="InferenceException"><c>gpu = "required"</c> and no GPU execution provider can be used.</exception>
    public DevicePipeline(ApplianceConfig config, IReadOnlyList<SensorBinding> sensors, UplinkClient uplink, PipelineOptions options, ILogger logger, Appliance.Drivers.Chips.Gpio.AlarmPanel? alarms = null, Metrics.LatencyHistogram? inferenceLatency = null)
    {
        _tally.InferenceLatency = inferenceLatency;
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sensors);
        ArgumentNullException.ThrowIfNull(options);
        _config = config;
        _logger = logger;
        _streams = new SensorStream[sensors.Count];
        var offset = 0;
        for (var i = 0; i < sensors.Count; i++)
        {
            _streams[i] = new SensorStream(sensors[i], config, config.Sensors.FirstOrDefault(x => x.Name == sensors[i].Source.Name), offset, options.NotBeforeNs);
            offset += _streams[i].Channels;
        }

        var slowest = sensors.Where(b => !b.IsReplay).Select(b => 1.5 / b.RateHz).DefaultIfEmpty(0).Max();
        var grace = TimeSpan.FromSeconds(Math.Clamp(slowest, 0.02, 0.5));
        OnDeviceFit? fit = null;
        if (config.Inference.Enabled && offset > 0)
        {
            var policy = Policy(config);
            if (policy == GpuPolicy.Required)
            {
                // gpu = "required": refuse to start now, with the reason, rather than when the first model loads.
                using var probe = new OnnxScorer(StandardScoreModel.Fit([[0f, 1f]], 1, OnDeviceFit.Features).ToOnnx(), 1, OnDeviceFit.Features, policy);
            }

            _scorer = new HotSwapScorer(offset, policy, r => _lastRejection = $"{r.Source}: {r.Reason}");
            _shadow = new ShadowStage(offset, policy);
            if (config.Inference.Model is null)
            {
                fit = new OnDeviceFit(_streams, options.ScorerTrainingWindows, (id, onnx) => StageModel(id, onnx));
            }
        }

        _supervisor = options.Supervisor ?? new Health.StageSupervisor(logger);
        _sampling = new SamplingStage(_streams, options, _tally, logger, _supervisor);
        _alarmStage = new AlarmStage(uplink, alarms, _tally, logger);
        _emission = new EmissionStage(uplink, _alarmStage, options.LiveLine is { } write ? new LiveLine(write) : null, _tally);
        _multivariate = config.Multivariate is { Count: > 0 } mv ? new MultivariateStage(mv, _streams, _alarmStage, _tally, logger) : null;
        _batch = new BatchScoringStage(_streams, _scorer, fit, _multivariate, _emission, grace, _tally, logger, _shadow);
        _windowing = new WindowingStage(_streams, _sampling, _batch, _supervisor, options.WorkerFault);
    }

    /// <summary>How long a closed window waits for the other sensors' windows before its batch is scored without them:
    /// 1.5 sample periods of the slowest live sensor, between 20 ms and 500 ms.</summary>
    public TimeSpan BatchGrace => _batch.Grace;

    /// <summary>
    /// The error that stopped a sample source early (a replayed CSV's bad row, a source that could not be read), as
    /// "sensor: message"; null while every source runs or ended cleanly. The samples before it were windowed and sent.
    /// </summary>
    public string? SourceFailure => _sampling.SourceFailure;

    /// <summary>The model that scores windows now (<c>models/NAME@sha256:HEX12</c>, a bundle directory, or <c>on-device:standard-score</c>), or <c>none</c>. For the heartbeat.</summary>
    public string ActiveModel => _scorer?.ActiveSource is { Length: > 0 } id ? id : "none";

    /// <summary>The last refused model and why (<c>SOURCE: REASON</c>), or null when none was refused. For the heartbeat.</summary>
    public string? LastModelRejection => _lastRejection;

    /// <summary>Models swapped in since start.</summary>
    public int ModelSwaps => _scorer?.Swaps ?? 0;

    /// <summary>Channel windows that received a model score.</summary>
    public long ScoredWindows => Interlocked.Read(ref _tally.ScoredWindows);

    /// <summary>Batches whose run failed (the model raised an error or produced NaN from finite features); their windows went unscored.</summary>
    public long InferenceFaults => Interlocked.Read(ref _tally.InferenceFaults);

    /// <summary>Called on the pipeline thread for every channel window a model scored: (sensor, channel, window start in Unix ns,
    /// score, model id). Set before <see cref="Start"/>; may be null.</summary>
    public Action<string, string, long, double, string>? WindowScored
    {
        get => _emission.WindowScored;
        set => _emission.WindowScored = value;
    }

    /// <summary>
    /// Loads <paramref name="onnx"/> beside the active model and checks it (<see cref="HotSwapScorer.Stage(string, byte[], ModelSelfTest?)"/>):
    /// it must take this pipeline's batch (S rows of the window features named in its metadata) and score finite. It takes
    /// over at the next batch, so every window is scored by exactly one model. Any thread.
    /// </summary>
    /// <param name="id">The model's name in status and errors (for example <c>models/pump</c>).</param>
    /// <param name="onnx">The ONNX ModelProto.</param>
    /// <param name="selfTest">The model's bundled self-test, or null.</param>
    /// <returns>True when staged; false when refused (the previous model stays; see <see cref="LastModelRejection"/>).</returns>
    public bool StageModel(string id, byte[] onnx, ModelSelfTest? selfTest = null)
    {
        if (_scorer is null)
        {
            _lastRejection = $"{id}: [inference] is disabled";
            return false;
        }

        var staged = _scorer.Stage(id, onnx, selfTest);
        if (!staged)
        {
            PipelineLog.ModelRejected(_logger, id, _scorer.LastRejection!.Reason);
        }

        return staged;
    }

    /// <summary>Stages the model <c>[inference] model</c> names from a revision's verified model folders (before or after <see cref="Start"/>).</summary>
    /// <param name="models">The revision's models (<see cref="Appliance.Device.GitOps.ConfigBundle.Models"/>).</param>
    /// <returns>True when staged; false when none is configured, it is missing, or it was refused.</returns>
    public bool UseModels(IReadOnlyList<ModelPackage> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var m in _multivariate?.Models ?? [])
        {
            if (models.FirstOrDefault(p => p.Name == m) is { } p)
            {
                _ = StageMultivariate(p.Id, m, p.Onnx);
            }
            else
            {
                _lastRejection = $"models/{m}: [[multivariate]] model names a folder that is not in the revision";
            }
        }

        if (_config.Inference.Model is not { } name)
        {
            return false;
        }

        if (_scorer is null)
        {
            _lastRejection = $"models/{name}: [inference] is disabled"; // and the revision loader left the model unread
            return false;
        }

        var package = models.FirstOrDefault(m => m.Name == name);
        if (package is null)
        {
            _lastRejection = $"models/{name}: [inference] model names a folder that is not in the revision";
            return false;
        }

        return StageModel(package);
    }

    /// <summary>
    /// Stages a verified model folder of a revision (<see cref="StageModel(string, byte[], ModelSelfTest?)"/> with its
    /// <see cref="ModelPackage.Id"/>, bytes and bundled self-test, run again on this pipeline's session):
    /// how a revision that changes only the model swaps it into the running pipeline. Any thread.
    /// </summary>
    /// <param name="package">The model (<c>models/NAME/</c> of the revision).</param>
    /// <returns>True when staged; false when refused (the previous model stays; see <see cref="LastModelRejection"/>).</returns>
    public bool StageModel(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return StageModel(package.Id, package.Onnx, package.SelfTestCase);
    }

    /// <summary>
    /// Loads the model of the <c>[[multivariate]]</c> table that names <paramref name="model"/>; it scores from the next batch
    /// on. Any thread.
    /// </summary>
    /// <param name="id">The model's name in status and errors (for example <c>models/pump-pca@sha256:...</c>).</param>
    /// <param name="model">The folder name the table gives (<c>model = "NAME"</c>).</param>
    /// <param name="onnx">The ONNX ModelProto: input float32 <c>[1, C·F]</c>, output <c>[1, 1]</c>.</param>
    /// <returns>True when staged; false when no table names it or it was refused (see <see cref="LastModelRejection"/>).</returns>
    public bool StageMultivariate(string id, string model, byte[] onnx)
    {
        if (_multivariate is null || !_multivariate.Models.Contains(model, StringComparer.Ordinal))
        {
            _lastRejection = $"{id}: no [[multivariate]] table names model '{model}'";
            return false;
        }

        if (_multivariate.Stage(model, onnx, Policy(_config)) is { } reason)
        {
            _lastRejection = $"{id}: {reason}";
            PipelineLog.ModelRejected(_logger, id, reason);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Runs in shadow the candidates of the rollouts that give this device <see cref="RolloutRole.Shadow"/> (beside the
    /// <c>[inference]</c> model, on the same batches; no alert, alarm or summary of theirs), and reports the rejected ones;
    /// a rollout no longer listed stops. A candidate whose rollout and bytes are unchanged keeps its totals. Any thread.
    /// </summary>
    /// <param name="rollouts">The revision's rollouts for this device (<see cref="Appliance.Device.GitOps.ConfigBundle.Rollouts"/>).</param>
    public void UseShadows(IReadOnlyList<Appliance.Device.GitOps.DeviceRollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        if (_shadow is not null)
        {
            _shadow.Use(rollouts);
        }
        else if (rollouts.FirstOrDefault(r => r.Role == RolloutRole.Shadow) is { } r)
        {
            _lastRejection = $"models/{r.Spec.Model}: [inference] is disabled: no candidate can score in shadow";
        }
    }

    /// <summary>What each candidate in shadow has scored so far, one report per rollout (<see cref="ShadowReport"/>); empty
    /// when none runs. For the heartbeat and status.json.</summary>
    public IReadOnlyList<ShadowReport> ShadowReports => _shadow?.Reports() ?? [];

    /// <summary>Rows the <c>[[multivariate]]</c> models scored (one per window start at which all their sensors closed a window).</summary>
    public long MultivariateRows => _multivariate?.Rows ?? 0;

    /// <summary>Completes when every replayed source has ended and its last window has been summarised; never for live sources.</summary>
    public Task Completion => _windowing.Completion;

    /// <summary>The execution provider of the active model's session (<c>CPU</c>, <c>CUDA</c>), or <c>none</c> before a model is active.</summary>
    public string ExecutionProvider => _scorer?.ExecutionProvider ?? "none";

    /// <summary>A snapshot of the counters.</summary>
    public PipelineCounters Counters => new(
        Interlocked.Read(ref _tally.SamplesRead),
        Interlocked.Read(ref _tally.SampleFaults),
        _streams.Sum(s => s.Ring.Overruns),
        Interlocked.Read(ref _tally.Windows),
        Interlocked.Read(ref _tally.Alerts),
        Interlocked.Read(ref _tally.InferenceRuns),
        _streams.Sum(s => s.Window.LateSamples + s.Window.EarlySamples));

    /// <summary>
    /// Checks what this pipeline would refuse to be built from, so that validation refuses it instead of an apply: a window
    /// length the <see cref="TumblingWindow"/> refuses, and <c>gpu = "required"</c> where no GPU execution provider loads.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="file">The file named in the error.</param>
    /// <exception cref="ConfigException">The pipeline would refuse <paramref name="config"/> (the key and why).</exception>
    public static void Check(ApplianceConfig config, string file)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            _ = new TumblingWindow(new SampleRing(1024, 1), config.Window.Length);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConfigException(file, 0, $"[window] length = {config.Window.Length.TotalMilliseconds:G} ms: the tumbling window refuses it ({e.Message.Split('\n')[0].Trim()})");
        }

        if (config.Inference.Enabled && Policy(config) == GpuPolicy.Required)
        {
            try
            {
                using var probe = new OnnxScorer(StandardScoreModel.Fit([[0f, 1f]], 1, OnDeviceFit.Features).ToOnnx(), 1, OnDeviceFit.Features, GpuPolicy.Required);
            }
            catch (InferenceException e)
            {
                throw new ConfigException(file, 0, e.Message);
            }
        }
    }

    /// <summary>Replaces the uplink the pipeline enqueues on; only before <see cref="Start"/> (a revision that changes the uplink
    /// builds its pipeline while the old uplink still serves the old pipeline).</summary>
    /// <exception cref="InvalidOperationException">The pipeline has started.</exception>
    internal void UseUplink(UplinkClient uplink)
    {
        if (_startedAt != 0)
        {
            throw new InvalidOperationException("the pipeline has started: its uplink cannot change");
        }

        _emission.Uplink = uplink;
        _alarmStage.Uplink = uplink;
    }

    /// <summary>The supervisor that restarts this pipeline's sampling loops and worker (the device's, when it passed one).</summary>
    public Health.StageSupervisor Supervisor => _supervisor;

    /// <summary>
    /// What has stopped making progress, for the watchdogs: <c>pipeline worker</c> when the worker's loop has not turned for
    /// <paramref name="limit"/> (it turns at least every 20 ms while it runs), <c>sampling loop NAME</c> when a live sensor's
    /// loop has not turned for <paramref name="limit"/> plus two of its sample periods; null while everything turns, and
    /// before <see cref="Start"/>. Replays are not watched (they wait for room in their ring, and they end).
    /// </summary>
    /// <param name="limit">How long without a turn is a stall.</param>
    /// <returns>The stalled stage and for how long, or null.</returns>
    public string? Stall(TimeSpan limit)
    {
        if (_startedAt == 0 || _stop.IsCancellationRequested)
        {
            return null;
        }

        var now = Environment.TickCount64;
        var ms = (long)limit.TotalMilliseconds;
        if (now - _windowing.LastTurn is var worker && worker > ms)
        {
            return $"pipeline worker: no turn for {worker} ms";
        }

        foreach (var s in _streams)
        {
            var allowed = ms + (long)(2000 / Math.Max(s.Binding.RateHz, 1e-3));
            if (!s.Binding.IsReplay && !s.Ended && Volatile.Read(ref s.LastTurn) is var last && last != 0 && now - last > allowed)
            {
                return $"sampling loop {s.Name}: no turn for {now - last} ms";
            }
        }

        return null;
    }

    /// <summary>How long the pipeline has run since <see cref="Start"/> (zero before).</summary>
    public TimeSpan Running => _startedAt == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Starts the sampling loops and the worker.</summary>
    public void Start()
    {
        _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _sampling.Start(_stop.Token);
        _windowing.Start(_stop.Token);
    }

    /// <summary>Stops sampling, lets the worker summarise what the rings hold (closing the open windows), and waits for the threads.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _sampling.Join(TimeSpan.FromSeconds(5));
        _windowing.Join(TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop();
        _scorer?.Dispose();
        _shadow?.Dispose();
        _multivariate?.Dispose();
        _stop.Dispose();
    }

    private static GpuPolicy Policy(ApplianceConfig config) => config.Inference.Gpu;
}
