using Microsoft.Extensions.Logging;

namespace Appliance.Device.Outbox;

/// <summary>Source-generated log messages of the outbox journal (event ids 6300-6349).</summary>
internal static partial class JournalLog
{
    [LoggerMessage(EventId = 6300, Level = LogLevel.Information, Message = "outbox journal {Directory}: {Records} records recovered, sequences {Acked}..{Written} (acknowledged..written), {Bytes} bytes in {Segments} segments")]
    public static partial void Opened(ILogger logger, string directory, long records, long acked, long written, long bytes, int segments);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Warning, Message = "outbox journal {Path}: {Reason} at offset {Offset}; {Bytes} bytes skipped")]
    public static partial void Corrupt(ILogger logger, string path, string reason, long offset, long bytes);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Warning, Message = "outbox journal over budget: merged {Absorbed} summaries in segment {Segment} ({Bytes} bytes now)")]
    public static partial void Merged(ILogger logger, long absorbed, string segment, long bytes);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Error, Message = "outbox journal over budget: dropped {Records} unacknowledged records of segment {Segment}")]
    public static partial void Dropped(ILogger logger, long records, string segment);

    [LoggerMessage(EventId = 6304, Level = LogLevel.Warning, Message = "outbox journal {Directory}: {Gaps} sequences lost to corruption or a torn segment were skipped on recovery")]
    public static partial void Gaps(ILogger logger, string directory, long gaps);

    [LoggerMessage(EventId = 6305, Level = LogLevel.Error, Message = "outbox journal {Directory}: file system full ({Reason}); merging and dropping to make room")]
    public static partial void NoSpace(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 6306, Level = LogLevel.Information, Message = "outbox journal {Directory}: incarnation {Incarnation} from sequence {FirstSequence} ({Reason})")]
    public static partial void NewIncarnation(ILogger logger, string directory, long incarnation, long firstSequence, string reason);
}
