namespace Appliance.Contracts.Wire;

/// <summary>Periodic liveness and state report from a device (<see cref="MessageType.Heartbeat"/>).</summary>
/// <remarks>
/// Body layout (MessagePack array, positional; a reader skips items past the ninth):
/// <code>
/// [0] uptime_ms          int   milliseconds since the runtime started
/// [1] execution_provider str   ONNX Runtime execution provider in use (e.g. CUDAExecutionProvider)
/// [2] config_revision    str   Git revision of the applied configuration
/// [3] counters           map   { int counter id (HeartbeatCounter) : int value }, written in ascending key order
/// -- schema 2 adds (a schema 1 heartbeat has only [0..3]; the fields below then read as empty):
/// [4] config_state       str   applied | rejected | rolled_back | pending ("" when the device has no reconciler)
/// [5] config_error       str   the last configuration error (file:line: key: why); "" when none
/// [6] model_id           str   the active model's id; "" when none is exposed
/// [7] model_rejection    str   why the last model offered was rejected; "" when none
/// [8] sensors            array of SensorReport arrays (name, health, reason, faults, rate, jitter p50/p99)
/// [9] labels             map   { str key : str value } from [device] labels, keys in ordinal order; written when the
///                              device has a labels table, absent otherwise (a reader from before it skips it as a trailing
///                              item, so it needs no new schema version); nil when the device has none but [10] follows
/// [10] shadow            array of ShadowReport arrays, one per rollout whose candidate the device runs in shadow; written
///                              only when there is one (a reader from before it skips it as a trailing item)
/// </code>
/// </remarks>
public sealed class Heartbeat
{
    /// <summary>Milliseconds since the runtime started.</summary>
    public long UptimeMs { get; init; }

    /// <summary>ONNX Runtime execution provider in use (e.g. <c>CPUExecutionProvider</c>).</summary>
    public string ExecutionProvider { get; init; } = "";

    /// <summary>Git revision of the configuration the device is running.</summary>
    public string ConfigRevision { get; init; } = "";

    /// <summary>
    /// Counters by small integer id (the id registry belongs to the health supervisor); values are
    /// monotonic totals since start. Encoded in ascending key order so the bytes are deterministic.
    /// </summary>
    public IReadOnlyDictionary<int, long> Counters { get; init; } = new Dictionary<int, long>();

    /// <summary>State of the configuration revision: <c>applied</c>, <c>rejected</c>, <c>rolled_back</c> or <c>pending</c>; empty when unknown.</summary>
    public string ConfigState { get; init; } = "";

    /// <summary>The last configuration error (file:line, key, what was expected); empty when none.</summary>
    public string ConfigError { get; init; } = "";

    /// <summary>Id of the active model; empty when the device exposes none.</summary>
    public string ModelId { get; init; } = "";

    /// <summary>Why the last model offered to the device was rejected; empty when none was.</summary>
    public string ModelRejection { get; init; } = "";

    /// <summary>Per-sensor sampling health (degraded ones carry their reason and fault count).</summary>
    public IReadOnlyList<SensorReport> Sensors { get; init; } = [];

    /// <summary>The device's labels (<c>[device] labels</c>); null when the heartbeat carries none (no labels table, or a
    /// device from before labels), which leaves the collector's stored labels as they are.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>The candidates the device runs in shadow (rollout waves), at most <see cref="ShadowReport.MaxPerHeartbeat"/>; empty when none.</summary>
    public IReadOnlyList<ShadowReport> Shadow { get; init; } = [];
}
