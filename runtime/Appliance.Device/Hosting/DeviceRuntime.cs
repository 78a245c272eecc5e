using Appliance.Contracts.Inference;
using Appliance.Kernels.Windows;
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Device.Health;
using Appliance.Device.Outbox;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;
using Appliance.Contracts.Wire;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>
/// The device, composed in one place: sources (<see cref="DeviceParts"/>) → <see cref="DevicePipeline"/> → uplink (the
/// <see cref="UplinkClient"/> over the <see cref="JournalOutbox"/> in <c>STATE/outbox</c>) → status (<c>STATE/status.json</c>),
/// built from the revisions a <see cref="Reconciler"/> applies (<see cref="Follow"/>). <c>appliance run</c> and
/// <c>appliance demo</c> both run it; the demo's repository is one it writes itself.
/// The device is rebuilt in place when the reconciler applies a new revision: the new sensors are
/// opened and the new pipeline built while the old one still runs; the swap happens at a window boundary (the old pipeline
/// stops just before it and closes its last window; the new one starts at it), so no window is lost or produced twice.
/// The outbox outlives every swap, so sequence numbers continue and unacknowledged summaries are still delivered; the
/// uplink client is kept, and rebuilt over the same outbox when any uplink setting changes (endpoint, device id, CURVE on or
/// off, either key); a rebuilt link must acknowledge within the health check's grace or the revision is rolled back.
/// A revision that changes only the model (<see cref="RevisionChange"/>: same configuration but <c>[inference] model</c>, other
/// model bytes) is not a rebuild: the running pipeline keeps its open windows, detector state and sampling loops, and loads the
/// new model beside the old one, runs its self-test and swaps it in between batches (<see cref="DevicePipeline.StageModel(ModelPackage)"/>).
/// A model the pipeline refuses fails the apply (the reconciler keeps the running revision) and the old model keeps scoring;
/// the health check passes only once the new model has scored windows.
/// </summary>
public sealed partial class DeviceRuntime : IConfigTarget, IDisposable
{
    private static readonly TimeSpan s_stopMargin = TimeSpan.FromMilliseconds(15);
    private readonly ILoggerFactory _logging;
    private readonly ILogger _logger;
    private readonly PipelineOptions _options;
    private readonly JournalOutbox _outbox;
    private readonly StatusFile _status;
    private readonly long _startedTicks = Environment.TickCount64;
    private List<SensorBinding> _sensors = [];
    private List<Appliance.Drivers.Sampling.SamplingStats> _sensorStats = [];
    private DevicePipeline? _pipeline;
    private Appliance.Drivers.Chips.Gpio.AlarmPanel? _alarms;
    private UplinkClient? _uplink;
    private UplinkOptions? _uplinkOptions;
    private ApplianceConfig? _config;
    private bool _uplinkRebuilt;
    private long _ackedAtApply;
    private string _revision = string.Empty;
    private ConfigBundle? _bundle;
    private string? _awaitedModel;
    private readonly Lock _countersGate = new();
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly DeviceCommands _commands;
    private PipelineCounters _retired;
    private readonly Metrics.LatencyHistogram _inferenceLatency = new();
    private readonly Metrics.MetricsEndpoint _metrics;

    /// <summary>Creates the device; its outbox journal lives in <c>STATE/outbox</c> and its status in <c>STATE/status.json</c>.
    /// Nothing samples until a revision is applied.</summary>
    /// <param name="logging">The log.</param>
    /// <param name="options">How the pipelines pace replays and report (the demo's live line).</param>
    /// <param name="stateDirectory">The device's state directory.</param>
    public DeviceRuntime(ILoggerFactory logging, PipelineOptions options, string stateDirectory)
    {
        _logging = logging;
        _logger = logging.CreateLogger("device");
        _options = Supervise(options, logging);
        _outbox = new JournalOutbox(new JournalOptions { Directory = Path.Combine(stateDirectory, "outbox") }, logging.CreateLogger<JournalOutbox>());
        _status = new StatusFile(stateDirectory, TimeSpan.FromSeconds(1), _logger);
        _status.Add(new DeviceStatusSection(_outbox, () => _uplink, () => GitOpsStatus?.Invoke(), () => _pipeline, () => Counters, () => _sensorStats));
        _status.Add(new AlarmStatusSection(() => _alarms));
        _status.Add(new CameraStatusSection(() => _cameras));
        _status.Add(new SupervisionStatusSection(Supervision, () => Watchdog));
        _cameraState = stateDirectory;
        _status.Start();
        Appliance.Drivers.Sampling.SteadyClock.Shared.Stepped += OnClockStep;
        _commands = new DeviceCommands(this, _logger);
        _metrics = new(new Metrics.DeviceExposition(_outbox, () => _uplink, () => Counters, () => _sensorStats, _inferenceLatency).Write, logging.CreateLogger("metrics"));
    }

    /// <summary>The reconciler's state (config_revision, config_state, config_error), written into the status file.</summary>
    public Func<GitOpsStatus>? GitOpsStatus { get; set; }

    /// <summary>Called when the cloud sends <see cref="CommandKind.PullConfig"/>.</summary>
    public Action PullRequested { get; set; } = () => { };

    /// <summary>Fetches now and completes with the reconciler's state after it (the <c>pull-config</c> command's answer); null
    /// when the device follows no repository.</summary>
    public Func<Task<GitOpsStatus>>? PullAndWait { get; set; }

    /// <summary>The log level the <c>set-log-level</c> command changes; null when the log has no switch.</summary>
    public LogLevelSwitch? LogLevels { get; set; }

    /// <summary>
    /// The device's counters since it started: those of every pipeline its revisions ran, the running one included (a
    /// rebuild starts a new pipeline at zero; <see cref="DevicePipeline.Counters"/> of <see cref="Pipeline"/> counts this
    /// revision only).
    /// </summary>
    public PipelineCounters Counters
    {
        get
        {
            lock (_countersGate)
            {
                return _retired + (_pipeline?.Counters ?? default);
            }
        }
    }

    /// <summary>Where <c>[metrics] listen</c> serves <c>GET /metrics</c> now, or null when it is off.</summary>
    internal System.Net.IPEndPoint? MetricsEndPoint => _metrics.LocalEndPoint;

    /// <summary>The outbox journal's counters now (status.json's seq_written, seq_acked, journal_bytes).</summary>
    internal JournalCounters JournalCounters => _outbox.Counters;

    /// <summary>The running pipeline, or null before the first apply.</summary>
    public DevicePipeline? Pipeline => _pipeline;

    /// <summary>The uplink client, or null before the first apply.</summary>
    public UplinkClient? Uplink => _uplink;

    /// <summary>The alarm outputs of <c>[[alarm]]</c> of the running revision, or null before the first apply.</summary>
    public Appliance.Drivers.Chips.Gpio.AlarmPanel? Alarms => _alarms;

    /// <summary>
    /// The reconciler that drives this device: it applies revisions of <see cref="ReconcilerOptions.Url"/> to it, and the
    /// cloud's pull command and the status file are wired to it. The caller starts and disposes it.
    /// </summary>
    /// <param name="options">Where the configuration comes from and whose signatures are trusted.</param>
    /// <param name="logger">The reconciler's log.</param>
    /// <returns>The reconciler.</returns>
    public Reconciler Follow(ReconcilerOptions options, ILogger logger)
    {
        var reconciler = new Reconciler(options, this, logger);
        PullRequested = reconciler.PullNow;
        PullAndWait = reconciler.PullAsync;
        GitOpsStatus = () => reconciler.Status;
        return reconciler;
    }

    /// <inheritdoc/>
    public async Task ApplyAsync(ConfigBundle bundle, CancellationToken token)
    {
        await _applyGate.WaitAsync(token);
        try
        {
            await ApplyCoreAsync(bundle, token, rebuild: false);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>Builds the pipeline again from the applied revision (the <c>restart-pipeline</c> command): sensors reopened,
    /// windows and detectors started afresh at the next window boundary; the uplink and its journal are kept.</summary>
    /// <param name="token">Cancels the wait for the boundary.</param>
    /// <returns>The result line, <c>pipeline restarted on rev=R</c>.</returns>
    /// <exception cref="InvalidOperationException">No revision applied yet.</exception>
    public async Task<string> RestartPipelineAsync(CancellationToken token)
    {
        await _applyGate.WaitAsync(token);
        try
        {
            var bundle = _bundle ?? throw new InvalidOperationException("no revision applied yet: no pipeline to restart");
            await ApplyCoreAsync(bundle, token, rebuild: true);
            return $"pipeline restarted on rev={bundle.Revision}";
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private async Task ApplyCoreAsync(ConfigBundle bundle, CancellationToken token, bool rebuild)
    {
        var outbox = bundle.Config.Outbox ?? new OutboxSettings(); // [outbox] budget and reserve, in effect at once
        _outbox.SetLimits(outbox.BudgetBytes, outbox.ReserveBytes);
        _metrics.Apply(bundle.Config.Metrics); // [metrics] listen: started, stopped or rebound at once, the pipeline untouched
        if (!rebuild && _pipeline is not null && _bundle is not null && RevisionChange.Between(_bundle, bundle) is { Kind: not RevisionChangeKind.Rebuild } change)
        {
            ApplyInPlace(bundle, change);
            return;
        }

        var config = bundle.Config;

        // Build what can be built before touching the running device: a sensor that does not open fails the apply here.
        var sensors = new List<SensorBinding>();
        var stats = new List<Appliance.Drivers.Sampling.SamplingStats>();
        try
        {
            foreach (var s in config.Sensors)
            {
                sensors.Add(DeviceParts.CreateSensor(s, stats, _logger));
            }
        }
        catch
        {
            foreach (var s in sensors)
            {
                s.Source.Dispose();
            }

            throw;
        }

        // Alarm outputs: kept as they are (a raised alarm stays raised through its hold) when the revision leaves [[alarm]]
        // unchanged; otherwise the new ones are opened here and the old ones released (driven inactive) when the old pipeline stops.
        var keepAlarms = _alarms is not null && RevisionChange.SameAlarms(_config?.Alarms, config.Alarms);
        Appliance.Drivers.Chips.Gpio.AlarmPanel? newAlarms = null;
        if (!keepAlarms)
        {
            try
            {
                newAlarms = AlarmSettings.OpenPanel(config.Alarms, new Appliance.Drivers.Sources.SensorFactory(emulated: new Appliance.Drivers.Emulation.EmulatedBuses()), _logging.CreateLogger("alarm"));
            }
            catch
            {
                foreach (var s in sensors)
                {
                    s.Source.Dispose();
                }

                throw;
            }
        }

        // The new pipeline is built (and the new model staged) while the old one still runs: a revision the pipeline refuses
        // (a window length the kernels refuse, gpu = "required" without a GPU, an uplink key that cannot be read) fails here,
        // before anything running is touched, and the old pipeline goes on as if the revision had not come.
        var old = _pipeline;
        var oldUplink = _uplink;
        DateTimeOffset? boundary = old is null ? null : NextBoundary(DateTimeOffset.UtcNow, _config!.Window.Length, config.Window.Length);
        DevicePipeline? pipeline = null;
        UplinkOptions? uplinkOptions = null;
        var uplinkChanged = true;
        try
        {
            // Any uplink setting (endpoint, device id, CURVE on or off, either key, the secret key file's content, plaintext
            // allowance) rebuilds the link; the rebuilt link must then acknowledge within the health check's grace.
            uplinkOptions = DeviceParts.UplinkOptionsFor(config, CurrentHeartbeat);
            uplinkChanged = oldUplink is null || _uplinkOptions is null || !DeviceParts.SameLink(_uplinkOptions, uplinkOptions);
            if (uplinkChanged)
            {
                uplinkOptions.Validate();
            }

            var options = boundary is { } start
                ? _options.From(start.ToUnixTimeMilliseconds() * 1_000_000)
                : _options;
            if (oldUplink is null)
            {
                StartUplink(uplinkOptions); // the first revision: nothing runs yet
            }

            pipeline = new DevicePipeline(config, sensors, _uplink!, options, _logger, keepAlarms ? _alarms : newAlarms, _inferenceLatency);
            pipeline.UseModels(bundle.Models);
            pipeline.UseShadows(bundle.Rollouts);
            boundary = DeviceParts.Replan(boundary, s_stopMargin, _config?.Window.Length ?? config.Window.Length, config.Window.Length, _logger);
            if (boundary is { } stop && stop - s_stopMargin - DateTimeOffset.UtcNow is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, token);
            }
        }
        catch
        {
            pipeline?.Dispose();
            newAlarms?.Dispose();
            foreach (var s in sensors)
            {
                s.Source.Dispose();
            }

            if (oldUplink is null && _uplink is not null)
            {
                _uplink.CommandReceived -= OnCommand;
                _uplink.Dispose();
                _uplink = null;
            }

            throw;
        }

        if (old is not null)
        {
            // Stop closes the old pipeline's open window (its samples all lie before the boundary) and enqueues it.
            await Task.Run(old.Stop, CancellationToken.None);
            old.Dispose();
            foreach (var s in _sensors)
            {
                s.Source.Dispose();
            }
        }

        if (uplinkChanged && oldUplink is not null)
        {
            await oldUplink.FlushAsync(TimeSpan.FromSeconds(2));
            oldUplink.CommandReceived -= OnCommand;
            oldUplink.Dispose();
            _uplinkRebuilt = true;
            StartUplink(uplinkOptions!);
            pipeline.UseUplink(_uplink!);
        }

        if (boundary is { } b && b > DateTimeOffset.UtcNow)
        {
            await Task.Delay(b - DateTimeOffset.UtcNow, CancellationToken.None);
        }

        if (!keepAlarms)
        {
            _alarms?.Dispose();
            _alarms = newAlarms;
            _alarms!.Start(DeviceParts.AlarmTick);
        }

        _sensors = sensors;
        _sensorStats = stats;
        _config = config;
        _ackedAtApply = _uplink!.Counters.Acknowledged;
        _revision = bundle.Revision;
        _bundle = bundle;
        _awaitedModel = null;
        lock (_countersGate)
        {
            // The stopped pipeline's counts stay the device's: a rebuild must not reset them.
            _retired += _pipeline?.Counters ?? default;
            _pipeline = pipeline;
        }

        _pipeline.Start();
        ApplyCameras(bundle);

        // Tell the cloud at once which revision runs now (drift at a glance), not at the next periodic heartbeat.
        Announce();
    }

    /// <summary>
    /// A revision that the running pipeline can take as it is: for a new model, loads it beside the active one and runs its
    /// self-test on the pipeline's own session (<see cref="DevicePipeline.StageModel(ModelPackage)"/>); the pipeline swaps it
    /// in at its next batch. The revision's settings are otherwise those running already.
    /// </summary>
    /// <exception cref="Appliance.Contracts.Inference.InferenceException">The pipeline refused the model (does not load, wrong
    /// shape, self-test fails, NaN); nothing changed and the previous model keeps scoring.</exception>
    private void ApplyInPlace(ConfigBundle bundle, RevisionChange change)
    {
        var pipeline = _pipeline!;
        if (change.Model is { } model)
        {
            if (!pipeline.StageModel(model))
            {
                _uplink!.Enqueue(CurrentHeartbeat()); // the refusal goes upstream at once (last model rejection)
                throw new Appliance.Contracts.Inference.InferenceException($"the running pipeline refused {pipeline.LastModelRejection}; {pipeline.ActiveModel} keeps scoring");
            }

            _awaitedModel = model.Id;
            DeviceRuntimeLog.ModelStaged(_logger, bundle.Revision, model.Id, pipeline.ActiveModel);
        }
        else
        {
            _awaitedModel = null;
            DeviceRuntimeLog.RevisionUnchanged(_logger, bundle.Revision);
        }

        pipeline.UseShadows(bundle.Rollouts); // a role or candidate changed: the shadow runs follow, sampling untouched
        _config = bundle.Config;
        ApplyCameras(bundle);
        _bundle = bundle;
        _revision = bundle.Revision;
        _ackedAtApply = _uplink!.Counters.Acknowledged;
        _uplink.Enqueue(CurrentHeartbeat());
    }

    /// <inheritdoc/>
    /// <remarks>The pipeline stops (its open windows closed and enqueued), sensors and alarm outputs are released; the uplink
    /// stays, so that what is journaled is still delivered and heartbeats say <c>no configuration</c>.</remarks>
    public async Task UnapplyAsync(CancellationToken token)
    {
        var old = _pipeline;
        if (old is not null)
        {
            await Task.Run(old.Stop, CancellationToken.None);
        }

        lock (_countersGate)
        {
            _retired += old?.Counters ?? default;
            _pipeline = null;
        }

        old?.Dispose();
        foreach (var s in _sensors)
        {
            s.Source.Dispose();
        }

        _alarms?.Dispose();
        _alarms = null;
        StopCameras();
        _sensors = [];
        _sensorStats = [];
        _config = null;
        _bundle = null;
        _revision = string.Empty;
        _awaitedModel = null;
        _uplink?.Enqueue(CurrentHeartbeat());
    }

    private void OnClockStep(TimeSpan step) => DeviceRuntimeLog.ClockStepped(_logger, step.TotalSeconds, Appliance.Drivers.Sampling.SteadyClock.Shared.Steps);

    private void StartUplink(UplinkOptions options)
    {
        _uplinkOptions = options;
        _uplink = new UplinkClient(options, _outbox, _logging.CreateLogger<UplinkClient>());
        _uplink.CommandReceived += OnCommand;
        _uplink.Start();
    }

    /// <summary>Stops sampling, closes the open windows and waits up to <paramref name="flushTimeout"/> for acknowledgement.</summary>
    /// <returns>True when the outbox is fully acknowledged.</returns>
    public async Task<bool> StopAsync(TimeSpan flushTimeout)
    {
        _pipeline?.Stop();
        return _uplink is null || await _uplink.FlushAsync(flushTimeout);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Appliance.Drivers.Sampling.SteadyClock.Shared.Stepped -= OnClockStep;
        _status.WriteNow();
        _status.Dispose();
        _metrics.Dispose();
        StopCameras();
        _pipeline?.Dispose();
        _alarms?.Dispose();
        _uplink?.Dispose();
        _outbox.Dispose();
        foreach (var s in _sensors)
        {
            s.Source.Dispose();
        }
    }

    /// <summary>
    /// The next instant after <paramref name="now"/> that ends an old window and starts a new one: windows are aligned to
    /// multiples of their length since the Unix epoch (<see cref="TumblingWindow"/>), so the next multiple of the longer
    /// length is a boundary of both when one length divides the other; otherwise the next boundary of the new length
    /// (the old pipeline's last window is then closed short, never dropped or repeated).
    /// </summary>
    internal static DateTimeOffset NextBoundary(DateTimeOffset now, TimeSpan oldLength, TimeSpan newLength)
    {
        var longer = oldLength > newLength ? oldLength : newLength;
        var shorter = oldLength > newLength ? newLength : oldLength;
        var step = longer.Ticks % shorter.Ticks == 0 ? longer.Ticks : newLength.Ticks;
        var t = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var next = ((t / step) + 1) * step;
        if (TimeSpan.FromTicks(next - t) < s_stopMargin * 2)
        {
            next += step;
        }

        return DateTimeOffset.UnixEpoch.AddTicks(next);
    }

    private void OnCommand(Command command)
    {
        if (command.Id == 0)
        {
            // A command without an id expects no answer (a collector of an earlier build): only a pull was ever acted on.
            if (command.Kind == CommandKind.PullConfig)
            {
                PullRequested();
            }

            return;
        }

        // Off the uplink thread: a pull waits for a fetch, a restart for a window boundary. The answer goes through the
        // uplink running when it is done (one rebuilt meanwhile still reaches the collector).
        _ = Task.Run(async () =>
        {
            var result = await _commands.ExecuteAsync(command);
            _uplink?.SendResult(result);
        });
    }
}
