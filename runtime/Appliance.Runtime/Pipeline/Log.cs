using Microsoft.Extensions.Logging;

namespace Appliance.Runtime.Pipeline;

/// <summary>Source-generated log messages of the pipeline (event ids 1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "Sensor {Sensor} alert on {Channel}: score {Score:F2} over threshold {Threshold}")]
    public static partial void AlertRaised(ILogger logger, string sensor, string channel, double score, double threshold);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "ONNX scorer for {Sensor} ready on execution provider {Provider} (CUDA fallback reason: {Reason})")]
    public static partial void ScorerReady(ILogger logger, string sensor, string provider, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Sensor {Sensor} source stopped: {Reason}")]
    public static partial void SourceFailed(ILogger logger, string sensor, string reason);
}
