using Appliance.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Appliance.Cloud.Ingest;

/// <summary>Source-generated log messages of the collector (event ids 6200-6299).</summary>
internal static partial class CollectorLog
{
    [LoggerMessage(EventId = 6200, Level = LogLevel.Information, Message = "collector listening on {Endpoint} (port {Port})")]
    public static partial void Listening(ILogger logger, string endpoint, int port);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "collector dropped a malformed message of {Length} bytes: {Reason} ({Suppressed} more dropped since the previous warning, at most one warning per 10 s; totals in cloud stats)")]
    public static partial void Malformed(ILogger logger, int length, string reason, long suppressed);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "collector store failed on a batch of {Count}; not acknowledged, devices will resend")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "collector could not route a message to device {DeviceId}: {Reason} ({Suppressed} more since the previous warning)")]
    public static partial void Undeliverable(ILogger logger, string deviceId, string reason, long suppressed);

    [LoggerMessage(EventId = 6204, Level = LogLevel.Error, Message = "collector quarantined {MessageType} {Sequence} from '{DeviceId}': the store refused it while its neighbours committed; not stored, acknowledged (it would be refused again on every resend)")]
    public static partial void Quarantined(ILogger logger, Exception exception, string deviceId, long sequence, Appliance.Contracts.Wire.MessageType messageType);

    [LoggerMessage(EventId = 6205, Level = LogLevel.Error, Message = "collector fault while handling input; counted, the collector goes on")]
    public static partial void Fault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6210, Level = LogLevel.Warning, Message = "collector refused a frame of {Length} bytes from '{DeviceId}': connection not authenticated by an allow-listed CURVE key for that device ({Suppressed} more refused since the previous warning)")]
    public static partial void Refused(ILogger logger, string deviceId, int length, long suppressed);

    [LoggerMessage(EventId = 6211, Level = LogLevel.Warning, Message = "collector cut off device '{DeviceId}': its key was revoked from the device registry; its frames are refused from now on")]
    public static partial void Revoked(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 6212, Level = LogLevel.Information, Message = "collector allow-list: {Keys} keys ({Added} added, {Removed} removed since the previous read of the device registry)")]
    public static partial void RegistryChanged(ILogger logger, int keys, int added, int removed);

    [LoggerMessage(EventId = 6213, Level = LogLevel.Error, Message = "collector could not read or write its control tables (device registry, commands); retried ({Suppressed} more since the previous error)")]
    public static partial void ControlFailed(ILogger logger, Exception exception, long suppressed);

    [LoggerMessage(EventId = 6214, Level = LogLevel.Information, Message = "collector sent command {Id} ({Verb}) to '{DeviceId}', attempt {Attempt}")]
    public static partial void CommandSent(ILogger logger, long id, string verb, string deviceId, long attempt);

    [LoggerMessage(EventId = 6215, Level = LogLevel.Information, Message = "command {Id} from '{DeviceId}': {State} {Result}")]
    public static partial void CommandCompleted(ILogger logger, long id, string deviceId, string state, string result);
}
