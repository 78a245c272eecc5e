namespace Appliance.Device.Outbox;

/// <summary>Settings of a <see cref="JournalOutbox"/>.</summary>
public sealed record JournalOptions
{
    /// <summary>Folder holding the segments and the checkpoint (normally <c>STATE/outbox</c>); created if missing.</summary>
    public required string Directory { get; init; }

    /// <summary>Most bytes of segments plus checkpoint on disk; at least 4 × <see cref="SegmentBytes"/>. Default 64 MiB.</summary>
    public long BudgetBytes { get; init; } = 64L << 20;

    /// <summary>Bytes the journal leaves free on its file system (merging and dropping as over the budget when less is
    /// free). Default 8 MiB.</summary>
    public long ReserveBytes { get; init; } = 8L << 20;

    /// <summary>Test seam: the free bytes of the journal's file system, instead of asking it (statvfs).</summary>
    internal Func<long>? AvailableBytes { get; init; }

    /// <summary>Least time between two measurements of the free space while short of room. Default 1 s.</summary>
    internal TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Test seam: called with the path before each write to disk; may throw an <see cref="IOException"/> (a full disk).</summary>
    internal Action<string>? BeforeWrite { get; init; }

    /// <summary>A segment is closed and a new one started when the next record would pass this size. Default 1 MiB.</summary>
    public int SegmentBytes { get; init; } = 1 << 20;

    /// <summary>Fsync policy. Default <see cref="JournalFsync.Batch"/>.</summary>
    public JournalFsync Fsync { get; init; } = JournalFsync.Batch;

    /// <summary>Period of the background sync under <see cref="JournalFsync.Interval"/>. Default 50 ms.</summary>
    public TimeSpan FsyncInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Least time between two checkpoint writes caused by acknowledgements (segment deletions always write one).
    /// A crash loses at most this much acknowledgement progress, which only causes resends (the collector deduplicates).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest record accepted, bytes (the wire's frame limit).</summary>
    public int MaxRecordBytes { get; init; } = 256 * 1024;

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names the key and what was expected.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("[outbox] directory: empty (expected the journal folder)", nameof(Directory));
        }

        if (SegmentBytes < 4096)
        {
            throw new ArgumentException($"[outbox] segment_bytes: {SegmentBytes} (expected at least 4096)", nameof(SegmentBytes));
        }

        if (BudgetBytes < 4L * SegmentBytes)
        {
            throw new ArgumentException($"[outbox] budget: {BudgetBytes} (expected at least 4 x segment_bytes = {4L * SegmentBytes})", nameof(BudgetBytes));
        }

        if (ReserveBytes < 0)
        {
            throw new ArgumentException($"[outbox] reserve: {ReserveBytes} (expected 0 or more bytes)", nameof(ReserveBytes));
        }

        if (MaxRecordBytes < 16 || MaxRecordBytes > SegmentBytes - 64)
        {
            throw new ArgumentException($"[outbox] max_record_bytes: {MaxRecordBytes} (expected 16..segment_bytes - 64)", nameof(MaxRecordBytes));
        }

        if (Fsync == JournalFsync.Interval && FsyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"[outbox] fsync_interval: {FsyncInterval} (expected > 0)", nameof(FsyncInterval));
        }

        if (CheckpointInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"[outbox] checkpoint_interval: {CheckpointInterval} (expected >= 0)", nameof(CheckpointInterval));
        }
    }
}
