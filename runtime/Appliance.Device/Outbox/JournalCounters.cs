namespace Appliance.Device.Outbox;

/// <summary>A snapshot of a <see cref="JournalOutbox"/>'s state and counters. Merged and dropped are totals over the
/// journal's whole life (persisted across restarts), the rest since this process opened it.</summary>
/// <param name="HighestWritten">Highest sequence appended (= records produced over the journal's life).</param>
/// <param name="HighestDurable">Highest sequence known to be on stable storage.</param>
/// <param name="HighestAcknowledged">High-water mark of acknowledged (or merged away, or dropped) sequences.</param>
/// <param name="JournalBytes">Bytes on disk: segments plus checkpoint.</param>
/// <param name="BudgetBytes">The configured disk budget.</param>
/// <param name="Segments">Segment files on disk.</param>
/// <param name="Merged">Records absorbed into a coarser summary to stay within the budget (each merge of two adjacent windows absorbs one).</param>
/// <param name="Dropped">Unacknowledged records deleted because merging could not free enough room.</param>
/// <param name="Compactions">Segments rewritten by merging.</param>
/// <param name="Fsyncs">Fsync calls on segments.</param>
/// <param name="RecoveredRecords">Intact records found when the journal was opened.</param>
/// <param name="TruncatedBytes">Bytes of torn or corrupt data skipped or cut off when the journal was opened.</param>
/// <param name="Gaps">Sequences above the acknowledged mark that held no intact record when the journal was opened and
/// that their segment's header does not count as merged away: lost to corruption or a torn segment, skipped (never sent,
/// never waited for).</param>
/// <param name="NoSpace">Times the file system was full (ENOSPC) on an append, merge, new segment or checkpoint.</param>
/// <param name="Incarnation">The journal's incarnation now (<see cref="IOutbox.Incarnation"/>).</param>
public readonly record struct JournalCounters(
    long HighestWritten,
    long HighestDurable,
    long HighestAcknowledged,
    long JournalBytes,
    long BudgetBytes,
    int Segments,
    long Merged,
    long Dropped,
    long Compactions,
    long Fsyncs,
    long RecoveredRecords,
    long TruncatedBytes,
    long Gaps = 0,
    long NoSpace = 0,
    long Incarnation = 0);
