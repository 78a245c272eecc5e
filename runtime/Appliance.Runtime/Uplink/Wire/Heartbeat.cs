namespace Appliance.Runtime.Uplink.Wire;

/// <summary>Periodic liveness and state report from a device (<see cref="MessageType.Heartbeat"/>).</summary>
/// <remarks>
/// Body layout (MessagePack array, positional; a reader skips items past the fourth):
/// <code>
/// [0] uptime_ms          int  milliseconds since the runtime started
/// [1] execution_provider str  ONNX Runtime execution provider in use (e.g. CUDAExecutionProvider)
/// [2] config_revision    str  Git revision of the applied configuration
/// [3] counters           map  { int counter id : int value }, written in ascending key order
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
}
