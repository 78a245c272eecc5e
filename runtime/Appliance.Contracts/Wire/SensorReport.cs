namespace Appliance.Contracts.Wire;

/// <summary>One sensor's sampling health inside a <see cref="Heartbeat"/> (from the drivers' SamplingStats snapshot).</summary>
/// <remarks>
/// Layout (MessagePack array, positional; a reader skips items past the seventh):
/// <code>
/// [0] name          str
/// [1] health        str    starting | ok | degraded
/// [2] reason        str    the latest fault's message; "" when none
/// [3] faults        int    failed read attempts since start, retries included
/// [4] rate_hz       float  measured samples per second (0 before two deliveries)
/// [5] jitter_p50_us float  median wake-up lateness, microseconds (0 before the first wake-up)
/// [6] jitter_p99_us float  99th percentile of the same, microseconds
/// </code>
/// Floats go as float32 where float32 holds them within a relative 2^-24 (as window features do).
/// </remarks>
public sealed record SensorReport
{
    /// <summary>Sensor name as configured.</summary>
    public string Name { get; init; } = "";

    /// <summary><c>starting</c>, <c>ok</c> or <c>degraded</c>.</summary>
    public string Health { get; init; } = "";

    /// <summary>The latest fault's message (why it is degraded); empty when none.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Failed read attempts since start, retries included.</summary>
    public long Faults { get; init; }

    /// <summary>Measured sample rate, Hz; 0 before two deliveries.</summary>
    public double RateHz { get; init; }

    /// <summary>Median wake-up lateness of the sampling loop, microseconds.</summary>
    public double JitterP50Us { get; init; }

    /// <summary>99th-percentile wake-up lateness of the sampling loop, microseconds.</summary>
    public double JitterP99Us { get; init; }

    /// <summary>True when <see cref="Health"/> is <c>degraded</c>.</summary>
    public bool IsDegraded => Health == "degraded";
}
