using Appliance.Contracts.Inference;
using Appliance.Detection;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips;
using Appliance.Drivers.Sources;

namespace Appliance.Contracts.Config;

/// <summary>
/// One validated, immutable configuration snapshot: what <c>appliance.toml</c> in the configuration repository says.
/// Stages pick a snapshot up at a window boundary; a snapshot is never changed after it is built.
/// </summary>
/// <param name="Device">The <c>[device]</c> table.</param>
/// <param name="Sensors">The <c>[[sensor]]</c> tables, in file order, names unique.</param>
/// <param name="Window">The <c>[window]</c> table.</param>
/// <param name="Detector">The <c>[detector]</c> table.</param>
/// <param name="Inference">The <c>[inference]</c> table.</param>
/// <param name="Uplink">The <c>[uplink]</c> table.</param>
/// <param name="GitOps">The <c>[gitops]</c> table.</param>
/// <param name="Alarms">The <c>[[alarm]]</c> tables (GPIO outputs raised by alerts), in file order, names unique; null or empty for none.</param>
/// <param name="Outbox">The <c>[outbox]</c> table; null for the defaults.</param>
/// <param name="Metrics">The <c>[metrics]</c> table; null when the device serves no metrics (the default).</param>
/// <param name="Multivariate">The <c>[[multivariate]]</c> tables (models over several sensors' windows), in file order; null or empty for none.</param>
/// <param name="Cameras">The <c>[[camera]]</c> tables, in file order, names unique; null or empty for none.</param>
public sealed record ApplianceConfig(
    DeviceSettings Device,
    IReadOnlyList<SensorSettings> Sensors,
    WindowSettings Window,
    DetectorSettings Detector,
    InferenceSettings Inference,
    UplinkSettings Uplink,
    GitOpsSettings GitOps,
    IReadOnlyList<AlarmSettings>? Alarms = null,
    OutboxSettings? Outbox = null,
    MetricsSettings? Metrics = null,
    IReadOnlyList<MultivariateSettings>? Multivariate = null,
    IReadOnlyList<CameraSettings>? Cameras = null);

/// <summary>The <c>[device]</c> table.</summary>
/// <param name="Id">The device id: 1 to 64 characters of letters, digits, '-', '_' and '.'.</param>
/// <param name="Labels">The <c>labels = { site = "...", line = "..." }</c> table: carried in heartbeats, stored by the collector,
/// and what rollups group by and commands select (<c>label:site=X</c>); null when the table is absent.</param>
public sealed record DeviceSettings(string Id, IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>One <c>[[sensor]]</c> table, parsed: the chip is its registered descriptor, the bus a <see cref="BusSpec"/>.</summary>
/// <param name="Name">Unique sensor name.</param>
/// <param name="Chip">The chip (<c>chip = "bme280"</c>, looked up in <see cref="ChipRegistry"/>), or null for <c>chip = "replay"</c>
/// (a recorded CSV on <c>replay:PATH</c>).</param>
/// <param name="Bus">The bus: <c>i2c:N</c>, <c>spi:B.C</c>, <c>gpio:N</c>, <c>emulated:CHIP</c>, or <c>replay:PATH</c>.</param>
/// <param name="Address">The I2C address (BME280: 0x76 or 0x77).</param>
/// <param name="RateHz">The sampling rate in hertz, 0.1 to 10000.</param>
/// <param name="Fault">For emulated chips, an injected fault (<c>fault = "heater:8s+4s"</c>: a +15 °C heater fault starting 8 s after start, for 4 s); null for none.</param>
/// <param name="Line">The GPIO line of a <c>pulse</c> sensor on <c>gpio:N</c> (<c>line = 17</c>); -1 for other sensors.</param>
/// <param name="Channels">The inputs to read (<c>channels = "ain0,ain0-ain1"</c> for an ADS1115, <c>"0,1,7"</c> for an MCP3008); empty for the chip's default.</param>
/// <param name="StuckAfter">That many bit-identical consecutive samples count as a stuck chip (a fault); 0 (the default) turns
/// the check off: a quiet, well-regulated signal (or a static register image) legitimately repeats.</param>
/// <param name="Detector">The sensor's own detector (<c>detector</c>, <c>detector_threshold</c>, <c>detector_cooldown</c>,
/// <c>detector_range</c>); null to use the global <c>[detector]</c> table.</param>
/// <param name="Debounce">A pulse counter's debounce time (<c>debounce = "2ms"</c>): rising edges closer than this to the last counted
/// one are contact bounce, not counted; null (the default) counts every edge.</param>
/// <param name="Spectral">Spectral features per window (<c>spectral = { size = 4096, ... }</c>); null for none.</param>
/// <param name="Quantiles">A mergeable quantile sketch per window and channel (<c>quantiles = 0.01</c>: DDSketch with relative
/// accuracy α = 0.01, 0.0001 to 0.5), sent with each summary so p50/p95/p99 roll up across windows and devices; null for none.</param>
public sealed record SensorSettings(string Name, IChipDescriptor? Chip, BusSpec Bus, int Address, double RateHz, FaultSettings? Fault, int Line = -1, IReadOnlyList<string>? Channels = null, int StuckAfter = 0, SensorDetectorSettings? Detector = null, TimeSpan? Debounce = null, SpectralSettings? Spectral = null, double? Quantiles = null)
{
    /// <summary>The chip's name as configured: the descriptor's name, or <c>replay</c>.</summary>
    public string ChipName => Chip?.Name ?? "replay";

    /// <summary>What the sensor factory needs to open this sensor.</summary>
    /// <returns>The descriptor.</returns>
    /// <exception cref="InvalidOperationException">The sensor is a replay (it has no chip).</exception>
    public SensorDescriptor ToDescriptor() =>
        new(Name, Chip ?? throw new InvalidOperationException($"sensor '{Name}' is a replay, not a chip"), Bus, Address, Line, Channels ?? [], RateHz, Debounce);
}

/// <summary>A fault injected into an emulated chip, relative to the device's start.</summary>
/// <param name="Kind">The fault: <see cref="FaultKind.Heater"/> (a step of an emulated BME280's temperature), or a bus fault of an
/// emulated chip (<see cref="FaultKinds.TryGetBusFault"/>).</param>
/// <param name="Start">When it begins, after start.</param>
/// <param name="Length">How long it lasts.</param>
public sealed record FaultSettings(FaultKind Kind, TimeSpan Start, TimeSpan Length);

/// <summary>The <c>[window]</c> table: tumbling windows by time.</summary>
/// <param name="Length">The window length.</param>
public sealed record WindowSettings(TimeSpan Length);


/// <summary>The <c>[inference]</c> table.</summary>
/// <param name="Enabled">Whether window features are scored by the ONNX model.</param>
/// <param name="Gpu">The execution provider policy, parsed from <c>gpu = "auto" | "off" | "required"</c>.</param>
/// <param name="Model">The model folder under <c>models/</c> of the configuration repository that scores the windows
/// (<c>model = "pump"</c>); null to fit a per-stream standard-score model on the device from its first windows.</param>
public sealed record InferenceSettings(bool Enabled, GpuPolicy Gpu, string? Model = null);

/// <summary>The <c>[uplink]</c> table.</summary>
/// <param name="Endpoint">The collector's ZeroMQ endpoint, <c>tcp://host:port</c>.</param>
/// <param name="CurveServerKey">The collector's CURVE public key (Z85, 40 characters; RFC 32/Z85), pinned; null for plaintext.</param>
/// <param name="CurveSecretKeyFile">A file on the device holding its CURVE secret key (Z85); never in the repository.</param>
/// <param name="AllowPlaintext">Permits plaintext to a non-loopback collector (isolated networks, emulators); loopback is always allowed.</param>
/// <param name="FailoverEndpoints">With <c>endpoints = [...]</c>: the collectors after the first (<see cref="Endpoint"/>), in
/// failover order; null with <c>endpoint</c>.</param>
public sealed record UplinkSettings(string Endpoint, string? CurveServerKey = null, string? CurveSecretKeyFile = null, bool AllowPlaintext = false,
    IReadOnlyList<string>? FailoverEndpoints = null)
{
    /// <summary>True when <paramref name="endpoint"/>'s host is a loopback address (<c>tcp://127.*</c>, <c>tcp://localhost:</c>,
    /// <c>tcp://[::1]:</c>): the only place plaintext goes without <see cref="AllowPlaintext"/>.</summary>
    public static bool IsLoopback(string endpoint) =>
        endpoint.StartsWith("tcp://127.", StringComparison.Ordinal)
        || endpoint.StartsWith("tcp://localhost:", StringComparison.Ordinal)
        || endpoint.StartsWith("tcp://[::1]:", StringComparison.Ordinal);
}

/// <summary>The <c>[gitops]</c> table.</summary>
/// <param name="Branch">The branch the device follows.</param>
/// <param name="Interval">How often the device fetches (1 s to 1 d).</param>
/// <param name="HealthGrace">How long a newly applied revision has to pass the health check (sensors answer, windows are
/// produced, the uplink acknowledges) before the device rolls back; null for the default (three windows, at least 10 s).</param>
public sealed record GitOpsSettings(string Branch, TimeSpan Interval, TimeSpan? HealthGrace = null);
