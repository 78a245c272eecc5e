using Microsoft.Extensions.Logging;

namespace Appliance.Device.Pipeline;

/// <summary>Source-generated log messages of the pipeline (event ids 1000-1099).</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "Sensor {Sensor} alert on {Channel}: score {Score:F2} reached threshold {Threshold} in magnitude")]
    public static partial void AlertRaised(ILogger logger, string sensor, string channel, double score, double threshold);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "ONNX model {Model} scores the windows on execution provider {Provider} (CUDA fallback reason: {Reason})")]
    public static partial void ScorerReady(ILogger logger, string model, string provider, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Sensor {Sensor} source stopped: {Reason}")]
    public static partial void SourceFailed(ILogger logger, string sensor, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "ONNX model {Model} refused, the previous model stays: {Reason}")]
    public static partial void ModelRejected(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "ONNX model {Model}: batch not scored: {Reason}")]
    public static partial void InferenceFailed(ILogger logger, string model, string reason);
}
