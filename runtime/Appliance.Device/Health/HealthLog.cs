using Microsoft.Extensions.Logging;

namespace Appliance.Device.Health;

/// <summary>Source-generated log messages of the health writer, the stage supervisor and the watchdogs (event ids 6400-6449).</summary>
internal static partial class HealthLog
{
    [LoggerMessage(EventId = 6400, Level = LogLevel.Warning, Message = "status file {Path} not written")]
    public static partial void StatusWriteFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 6410, Level = LogLevel.Error, Message = "stage {Stage} failed; restart {Restarts} in {DelayMs:F0} ms")]
    public static partial void StageRestarting(ILogger logger, string stage, long restarts, double delayMs, Exception exception);

    [LoggerMessage(EventId = 6411, Level = LogLevel.Critical, Message = "stage {Stage} failed {Failures} times within the supervision window: escalating (the process exits)")]
    public static partial void StageEscalated(ILogger logger, string stage, int failures, Exception exception);

    [LoggerMessage(EventId = 6420, Level = LogLevel.Warning, Message = "watchdog not fed: {Reason}")]
    public static partial void WatchdogWithheld(ILogger logger, string reason);

    [LoggerMessage(EventId = 6421, Level = LogLevel.Information, Message = "watchdog fed again: the pipeline makes progress")]
    public static partial void WatchdogResumed(ILogger logger);

    [LoggerMessage(EventId = 6422, Level = LogLevel.Warning, Message = "watchdog: {What} failed: {Reason}")]
    public static partial void WatchdogFault(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 6423, Level = LogLevel.Information, Message = "watchdog: systemd every {SystemdMs} ms, device {Device} every {DeviceMs} ms")]
    public static partial void WatchdogStarted(ILogger logger, double systemdMs, string device, double deviceMs);
}
