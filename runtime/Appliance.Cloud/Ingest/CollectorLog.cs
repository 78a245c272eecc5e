using Appliance.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Appliance.Cloud.Ingest;

/// <summary>Source-generated log messages of the collector (event ids 6200-6299).</summary>
internal static partial class CollectorLog
{
    [LoggerMessage(EventId = 6200, Level = LogLevel.Information, Message = "collector listening on {Endpoint} (port {Port})")]
    public static partial void Listening(ILogger logger, string endpoint, int port);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "collector dropped a malformed message of {Length} bytes: {Reason}")]
    public static partial void Malformed(ILogger logger, int length, string reason);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "collector store failed on a batch of {Count}; not acknowledged, devices will resend")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "collector could not route a message to device {DeviceId}: {Reason}")]
    public static partial void Undeliverable(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 6210, Level = LogLevel.Warning, Message = "collector refused a frame of {Length} bytes from '{DeviceId}': connection not authenticated by an allow-listed CURVE key for that device")]
    public static partial void Refused(ILogger logger, string deviceId, int length);
}
