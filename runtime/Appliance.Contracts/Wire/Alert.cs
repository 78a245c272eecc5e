using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Wire;

/// <summary>A detector's alert on one sensor channel (<see cref="MessageType.Alert"/>).</summary>
/// <remarks>
/// Body layout (MessagePack array, positional; a reader skips items past the eighth):
/// <code>
/// [0] sensor     str
/// [1] channel    str
/// [2] time_ns    int     UTC Unix nanoseconds of the window end that raised it
/// [3] score      float64 detector score (detector-specific units)
/// [4] threshold  float64 the threshold the score crossed (same units)
/// [5] severity   uint    AlertSeverity: 0 info, 1 warning, 2 critical
/// [6] detector   str     detector name as configured
/// [7] features   array   the window's features (12 items)
/// </code>
/// </remarks>
public sealed class Alert
{
    /// <summary>Sensor name as configured.</summary>
    public string Sensor { get; init; } = "";

    /// <summary>Channel of the sensor.</summary>
    public string Channel { get; init; } = "";

    /// <summary>Time of the alert (end of the window that raised it), UTC Unix nanoseconds.</summary>
    public long TimeNs { get; init; }

    /// <summary>Detector score, in the detector's own units.</summary>
    public double Score { get; init; }

    /// <summary>Threshold that <see cref="Score"/> crossed, same units.</summary>
    public double Threshold { get; init; }

    /// <summary>Severity.</summary>
    public AlertSeverity Severity { get; init; }

    /// <summary>Name of the detector that raised the alert.</summary>
    public string Detector { get; init; } = "";

    /// <summary>Features of the window that raised the alert.</summary>
    public WindowFeatures Features { get; init; }
}
