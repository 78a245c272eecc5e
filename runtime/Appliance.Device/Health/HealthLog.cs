using Microsoft.Extensions.Logging;

namespace Appliance.Device.Health;

/// <summary>Source-generated log messages of the health writer (event ids 6400-6449).</summary>
internal static partial class HealthLog
{
    [LoggerMessage(EventId = 6400, Level = LogLevel.Warning, Message = "status file {Path} not written")]
    public static partial void StatusWriteFailed(ILogger logger, Exception exception, string path);
}
