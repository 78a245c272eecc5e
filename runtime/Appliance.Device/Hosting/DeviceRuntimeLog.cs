using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>Log messages of <see cref="DeviceRuntime"/> (event ids 7100-7199, beside the reconciler's 7000-7099).</summary>
internal static partial class DeviceRuntimeLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Config revision {Revision} changes only the model: {Model} loaded and self-tested beside {Active}; it scores from the next batch (pipeline kept)")]
    public static partial void ModelStaged(ILogger logger, string revision, string model, string active);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Config revision {Revision} changes nothing the device runs: pipeline and model kept")]
    public static partial void RevisionUnchanged(ILogger logger, string revision);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Model {Model} scores the windows now (swapped in place)")]
    public static partial void ModelSwappedIn(ILogger logger, string model);

    [LoggerMessage(EventId = 7110, Level = LogLevel.Warning, Message = "Wall clock stepped {Seconds:+0.###;-0.###} s (step {Steps} since start): samples are stamped at the new time and the windows restart there; none is dropped")]
    public static partial void ClockStepped(ILogger logger, double seconds, long steps);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "Command {Id} ({Kind}) from the cloud: succeeded {Succeeded}: {Text}")]
    public static partial void CommandDone(ILogger logger, long id, string kind, bool succeeded, string text);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Warning, Message = "Configuration swap: the new pipeline was ready {Late} ms past the window boundary planned for it ({Planned:O}); the old one runs to the next boundary, {Boundary:O}")]
    public static partial void SwapReplanned(ILogger logger, long late, DateTimeOffset planned, DateTimeOffset boundary);
}
