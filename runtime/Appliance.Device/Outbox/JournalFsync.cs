namespace Appliance.Device.Outbox;

/// <summary>When the <see cref="JournalOutbox"/> forces appended records to stable storage (fsync).</summary>
public enum JournalFsync
{
    /// <summary>Every <see cref="JournalOutbox.Append"/> returns only after its record is on disk (slowest, loses nothing).</summary>
    EveryRecord = 0,

    /// <summary>A background timer syncs every <see cref="JournalOptions.FsyncInterval"/> when records were appended
    /// (a power loss loses at most that interval; a process crash loses nothing already written).</summary>
    Interval = 1,

    /// <summary>The producer calls <see cref="JournalOutbox.Sync"/> after each batch (e.g. after every closed window).</summary>
    Batch = 2,
}
