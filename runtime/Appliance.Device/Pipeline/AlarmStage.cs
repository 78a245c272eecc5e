using Appliance.Contracts.Wire;
using Appliance.Detection;
using Appliance.Device.Uplink;
using Appliance.Drivers.Chips.Gpio;
using Appliance.Kernels.Statistics;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>
/// Alarms: a detector that fired becomes an <see cref="Alert"/> on the uplink, raises the sensor's local alarm outputs
/// (<c>[[alarm]]</c>, through the <see cref="AlarmPanel"/>) as the window that fired closes, and is logged and counted.
/// </summary>
internal sealed class AlarmStage
{
    private readonly AlarmPanel? _panel;
    private readonly PipelineTally _tally;
    private readonly ILogger _logger;

    /// <summary>Where summaries or alerts are enqueued (replaced before start when a revision changes the uplink).</summary>
    public UplinkClient Uplink { get; set; }

    public AlarmStage(UplinkClient uplink, AlarmPanel? panel, PipelineTally tally, ILogger logger)
    {
        Uplink = uplink;
        _panel = panel;
        _tally = tally;
        _logger = logger;
    }

    /// <summary>Raises the alert of one channel window.</summary>
    /// <param name="sensor">The sensor.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="timeNs">The window's end, Unix ns (the alert's time).</param>
    /// <param name="detection">The detector's outcome (fired).</param>
    /// <param name="detector">The detector's wire name.</param>
    /// <param name="features">The window's features.</param>
    public void Raise(string sensor, string channel, long timeNs, WindowVerdict detection, string detector, in WindowFeatures features)
    {
        Uplink.Enqueue(new Alert
        {
            Sensor = sensor,
            Channel = channel,
            TimeNs = timeNs,
            Score = detection.Score,
            Threshold = detection.Threshold,
            Severity = detection.Critical ? AlertSeverity.Critical : AlertSeverity.Warning,
            Detector = detector,
            Features = features,
        });
        Interlocked.Increment(ref _tally.Alerts);
        _panel?.OnAlert(sensor);
        PipelineLog.AlertRaised(_logger, sensor, channel, detection.Score, detection.Threshold);
    }
}
