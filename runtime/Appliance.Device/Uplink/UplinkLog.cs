using Microsoft.Extensions.Logging;

namespace Appliance.Device.Uplink;

/// <summary>Source-generated log messages of the uplink (event ids 6100-6199).</summary>
internal static partial class UplinkLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "uplink {DeviceId} connecting to {Endpoint}")]
    public static partial void Connecting(ILogger logger, string deviceId, string endpoint);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "uplink dropped a malformed frame of {Length} bytes: {Reason}")]
    public static partial void Malformed(ILogger logger, int length, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "uplink resending from sequence {From}: no acknowledgement for {Ms} ms (resends are summarised every minute until acknowledgements resume)")]
    public static partial void Resending(ILogger logger, long from, long ms);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Error, Message = "uplink command handler failed on {Kind}")]
    public static partial void CommandHandlerFailed(ILogger logger, Exception exception, string kind);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "uplink automatic heartbeat not enqueued")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "uplink collector {Endpoint} silent for {Ms} ms: reconnecting (backoff {BackoffMs} ms)")]
    public static partial void DeadPeer(ILogger logger, string endpoint, long ms, long backoffMs);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning, Message = "uplink still resending from sequence {From}: {Resends} resends in {Seconds} s without an acknowledgement")]
    public static partial void StillResending(ILogger logger, long from, long resends, long seconds);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Information, Message = "uplink acknowledgements resumed after {Resends} resends over {Seconds} s")]
    public static partial void ResendingEnded(ILogger logger, long resends, long seconds);

    [LoggerMessage(EventId = 6108, Level = LogLevel.Warning, Message = "uplink failing over from {From} to {To} in {WaitMs} ms")]
    public static partial void FailingOver(ILogger logger, string from, string to, long waitMs);
}
