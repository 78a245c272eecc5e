using System.Device.I2c;
using System.Globalization;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Emulation;
using Appliance.Drivers.Sources;
using Appliance.Contracts.Config;
using Appliance.Device.Health;
using Appliance.Device.Outbox;
using Appliance.Device.Pipeline;
using Appliance.Device.Uplink;
using Microsoft.Extensions.Logging;

namespace Appliance;

/// <summary>
/// The device, composed by hand from one configuration snapshot: sensors (drivers) → pipeline (windows, kernels,
/// detectors, ONNX) → uplink (outbox, DEALER socket). Used by <c>appliance run</c> and <c>appliance demo</c>.
/// </summary>
internal sealed class DeviceHost : IDisposable
{
    private readonly List<SensorBinding> _sensors = [];
    private readonly List<Appliance.Drivers.Sampling.SamplingStats> _stats = [];
    private readonly ILogger _logger;
    private readonly DateTime _started = DateTime.UtcNow;

    public DeviceHost(ApplianceConfig config, string configRevision, PipelineOptions options, ILoggerFactory logging, string? replayPath = null, string? stateDirectory = null)
    {
        Config = config;
        _logger = logging.CreateLogger("device");
        foreach (var s in config.Sensors)
        {
            _sensors.Add(CreateSensor(s, replayPath, _stats, _logger));
        }

        // The disk journal under STATE/outbox when the device has a state directory (run, demo); memory otherwise.
        Outbox = stateDirectory is null
            ? new MemoryOutbox(1 << 16, TimeSpan.FromSeconds(5))
            : new JournalOutbox(new JournalOptions { Directory = Path.Combine(stateDirectory, "outbox") }, logging.CreateLogger<JournalOutbox>());
        Uplink = new UplinkClient(
            UplinkOptionsFor(config, () => Device.Health.DeviceHeartbeat.Create(
                (long)(DateTime.UtcNow - _started).TotalMilliseconds,
                Pipeline?.ExecutionProvider ?? "",
                configRevision,
                null,
                Outbox as JournalOutbox,
                Uplink,
                Pipeline?.Counters,
                _stats,
                Pipeline?.ActiveModel ?? "",
                Pipeline?.LastModelRejection ?? "")),
            Outbox,
            logging.CreateLogger<UplinkClient>());
        // Alarm outputs ([[alarm]]): raised by the pipeline as an alerting window closes, cleared by the panel's timer after hold.
        Alarms = AlarmSettings.OpenPanel(config.Alarms, new SensorFactory(emulated: new EmulatedBuses()), logging.CreateLogger("alarm"));
        Pipeline = new DevicePipeline(config, _sensors, Uplink, options, _logger, Alarms);
        if (stateDirectory is not null)
        {
            Status = new StatusFile(stateDirectory, TimeSpan.FromSeconds(1), _logger);
            Status.Add(new UplinkStatusSection((JournalOutbox)Outbox, Uplink));
            Status.Add(new AlarmStatusSection(() => Alarms));
        }
        ConfigRevision = configRevision;
    }

    public ApplianceConfig Config { get; }

    /// <summary>Per bus sensor: configured and measured rate, jitter p50/p99, faults, health (for <c>appliance status</c>).</summary>
    public IReadOnlyList<Appliance.Drivers.Sampling.SamplingStats> SensorStats => _stats;

    public string ConfigRevision { get; }

    public IOutbox Outbox { get; }

    /// <summary>The status file writer (STATE/status.json), when the device has a state directory; other sections may be added.</summary>
    public StatusFile? Status { get; }

    public UplinkClient Uplink { get; }

    public DevicePipeline Pipeline { get; }

    /// <summary>The alarm outputs of <c>[[alarm]]</c> (empty when none is configured).</summary>
    public Appliance.Drivers.Chips.Gpio.AlarmPanel Alarms { get; }

    public void Start()
    {
        Uplink.Start();
        Alarms.Start(AlarmTick);
        Pipeline.Start();
        Status?.Start();
    }

    /// <summary>Stops sampling, summarises what was sampled, then waits up to <paramref name="flushTimeout"/> for every summary to be acknowledged.</summary>
    /// <returns>True when the outbox is fully acknowledged.</returns>
    public async Task<bool> StopAsync(TimeSpan flushTimeout)
    {
        Pipeline.Stop();
        return await Uplink.FlushAsync(flushTimeout);
    }

    public void Dispose()
    {
        Pipeline.Dispose();
        Uplink.Dispose();
        Status?.Dispose();
        Alarms.Dispose();
        (Outbox as IDisposable)?.Dispose();
        foreach (var s in _sensors)
        {
            s.Source.Dispose();
        }
    }

    /// <summary>
    /// The uplink settings of <paramref name="config"/>: endpoint, device id, heartbeats every 10 s, and CURVE keys when
    /// configured (the secret key is read from the device's own file, named by <c>[uplink] curve_secret_key_file</c>).
    /// </summary>
    /// <exception cref="ConfigException">The secret key file cannot be read or does not hold a 40-character Z85 key.</exception>
    internal static UplinkOptions UplinkOptionsFor(ApplianceConfig config, Func<Contracts.Wire.Heartbeat> heartbeat)
    {
        string? secret = null;
        if (config.Uplink.CurveSecretKeyFile is { } file)
        {
            try
            {
                secret = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException(ConfigRepositoryFile, 0, $"[uplink] curve_secret_key_file: '{file}' cannot be read: {e.Message}");
            }

            if (secret.Length != 40)
            {
                throw new ConfigException(ConfigRepositoryFile, 0, $"[uplink] curve_secret_key_file: '{file}' does not hold a CURVE secret key (expected 40 Z85 characters)");
            }
        }

        return new UplinkOptions
        {
            Endpoint = config.Uplink.Endpoint,
            DeviceId = config.Device.Id,
            HeartbeatInterval = TimeSpan.FromSeconds(10),
            HeartbeatSource = heartbeat,
            CurveServerPublicKey = config.Uplink.CurveServerKey,
            CurveSecretKey = secret,
            AllowPlaintext = config.Uplink.AllowPlaintext,
        };
    }

    internal static SensorBinding CreateSensor(SensorSettings s, string? replayPath, List<Appliance.Drivers.Sampling.SamplingStats> stats, ILogger logger)
    {
        if (s.Chip is null || replayPath is not null)
        {
            var path = replayPath ?? s.Bus.Target;
            return new SensorBinding(new CsvReplaySource(s.Name, path), s.RateHz, IsReplay: true);
        }

        // Bus sensors (real or emulated) through the drivers' factory, each under the sampling policy (retries with bounded
        // backoff, degraded marking, recovery) whose statistics SensorStats exposes.
        var emulated = new EmulatedBuses();
        var factory = new SensorFactory(emulated: emulated);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (s.Fault is { Kind: FaultKind.Heater } heater)
        {
            // The loader allows a heater fault on an emulated BME280 only: its physical model is heated.
            var model = new Bme280PhysicalModel();
            model.InjectFault(Bme280Fault.HeaterStep, now + (heater.Start.Ticks * 100), now + ((heater.Start + heater.Length).Ticks * 100));
            emulated.UseSignal(s.Name, model);
        }
        else if (s.Fault is { } fault && fault.Kind.TryGetBusFault(out var kind))
        {
            emulated.ScheduleFault(s.Name, kind.Value, fault.Start, fault.Length);
        }

        IBusSensor sensor;
        try
        {
            sensor = factory.Create(s.ToDescriptor());
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(ConfigRepositoryFile, 0, e.Message);
        }

        // Not opened here: the sampling loop opens it as it starts, one period before the first read (chip id check; a pulse
        // counter's first gate), and a read opens it again after a failed open; a chip that is missing, wrong or failing is counted,
        // logged, marked degraded and probed by the supervisor, so one bad sensor never stops the device or the other sensors.
        var policy = new Appliance.Drivers.Sampling.RetryPolicy(StuckAfter: s.StuckAfter);
        var supervised = new Appliance.Drivers.Sampling.SensorSupervisor(sensor, s.RateHz, policy, logger: logger);
        stats.Add(supervised.Stats);
        return new SensorBinding(supervised, s.RateHz, IsReplay: false);
    }

    /// <summary>How often alarm holds are checked (a hold ends within this of its time) and failed alarm writes retried.</summary>
    internal static readonly TimeSpan AlarmTick = TimeSpan.FromMilliseconds(50);

    private const string ConfigRepositoryFile = "appliance.toml";
}
