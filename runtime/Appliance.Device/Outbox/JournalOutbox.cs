using Appliance.Kernels.Statistics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Device.Outbox;

/// <summary>
/// The device's disk outbox: an append-only, segmented journal of wire envelopes with a CRC-32C per record, an fsync
/// policy, torn-tail recovery, a checkpoint of the acknowledged high-water mark, deletion of acknowledged segments and
/// a disk budget kept by merging older summaries into coarser ones, and only then by dropping the oldest records.
/// </summary>
/// <remarks>
/// <para>Files in <see cref="JournalOptions.Directory"/>: segments <c>seg-{first_seq:D20}.log</c> (layout in
/// <see cref="JournalSegment"/>) and <c>checkpoint</c> (layout in <see cref="JournalCheckpoint"/>).</para>
/// <para>Incarnation (<see cref="IOutbox.Incarnation"/>): made at random when the journal is created, kept in the checkpoint,
/// and made anew on open unless the journal provably continues: a new one whenever recovery cut a torn tail, skipped a
/// corrupt record or header, found a gap, found no readable checkpoint beside segments, or found the newest record's
/// incarnation differing from the checkpoint's; a journal written before incarnations (version-1 checkpoint, records
/// without one, read as incarnation 0) gets one on its first open. Sequences continue across incarnations (the next
/// sequence after the last intact record), each record keeps the incarnation it was written with (in its envelope, read
/// back on recovery with <see cref="Appliance.Contracts.Wire.WireCodec.TryReadIncarnation"/>), and an acknowledgement counts only for a record of its
/// incarnation.</para>
/// <para>Durability: <see cref="ReadFrom"/> returns only records at or below <see cref="HighestDurable"/>, so a record
/// is sent only once fsynced, and a sequence the collector may hold is never re-used after a power loss. Under
/// <see cref="JournalFsync.Batch"/> the sender calls <see cref="Sync"/> before reading (group commit).</para>
/// <para>Recovery on open: each segment is scanned; a record whose length, CRC-32C or sequence is wrong is skipped by
/// searching forward for the next intact record (so a corrupt byte costs only its own record), and a torn tail is cut
/// off. Every sequence above the acknowledged mark that no intact record holds (merged away, or lost to corruption or a
/// torn segment), including those between one segment's last record and the next one's first, counts as done: a gap is
/// skipped, never a stall. Those not accounted for as merged are counted in <see cref="JournalCounters.Gaps"/>.</para>
/// <para>Budget: before an append would pass <see cref="JournalOptions.BudgetBytes"/>, the least-merged closed segment
/// whose records were never handed to the sender is rewritten with each pair of consecutive summaries of the same
/// sensor channel merged into one (<see cref="WindowStatistics.Merge"/>: Chan, Golub and LeVeque 1979; Pébay 2008),
/// keeping the first sequence of the pair; the second sequence is counted in <see cref="JournalCounters.Merged"/>.
/// When nothing is left to merge, the oldest closed segment is deleted and its unacknowledged records are counted in
/// <see cref="JournalCounters.Dropped"/>. Hence over the journal's life: written = acknowledged-by-collector + merged +
/// dropped (+ pending). Thread-safe: one lock.</para>
/// <para>Free space: the journal also keeps <see cref="JournalOptions.ReserveBytes"/> free on its file system, by the same
/// policy (the budget in effect is the smaller of the configured one and the journal's bytes plus the free bytes less the
/// reserve, measured at most once a second, and only when short of room). A full disk (ENOSPC) on an append, a merge, a new segment or
/// the checkpoint is counted in <see cref="JournalCounters.NoSpace"/> and answered by merging and dropping; a record
/// that still finds no room is itself dropped (counted), so sampling goes on, and appends resume when space returns.
/// The journal opens on a full disk (its checkpoint is written once there is room).</para>
/// <para>Descriptors: only the newest segment and the one closed segment last read keep a file open. Segments: merging
/// shrinks them, so starting a segment while there are more than 2 × budget / <see cref="JournalOptions.SegmentBytes"/>
/// + 2 compacts the smallest adjacent closed pair into one; the count stays bounded through a long outage.</para>
/// </remarks>
public sealed partial class JournalOutbox : IOutbox, IDisposable
{
    // The sent mark is persisted ahead of what was read for sending, so a restarted journal never merges a record an earlier
    // run may have sent. Each step costs a checkpoint write (fsync + rename) on the send path; 8192 keeps that to one per
    // 8192 records sent (1024 cost journaled throughput a fifth in `bench uplink`), at the price of a more conservative
    // merge floor after a restart.
    private const long SentMarkStep = 8192;
    private readonly object _gate = new();
    private readonly object _syncGate = new();
    private readonly List<(JournalSegment Segment, SafeFileHandle Handle, long Length)> _syncing = [];
    private readonly JournalOptions _options;
    private readonly ILogger _logger;
    private readonly string _checkpointPath;
    private readonly List<JournalSegment> _segments = [];
    private readonly HashSet<long> _done = []; // sequences above the high-water mark already acknowledged, merged or dropped
    private readonly byte[] _scratch;
    private readonly Timer? _fsyncTimer;
    private long _highestWritten;
    private long _highestDurable;
    private long _acked;
    private long _checkpointAcked;
    private long _lastCheckpointTicks;
    private long _highestRead;
    private long _sentMarkPersisted;
    private long _mergeFloor; // records at or below it may be at the collector: never merged
    private long _mergedDeleted;
    private long _dropped;

    // Dropped records that may already have been handed to the socket (at or below the merge floor when dropped): if one
    // is acknowledged after all, it was delivered, and it is taken back out of the dropped count, so that
    // produced = stored + merged + dropped holds exactly. Bounded; not persisted (a restart forgets it).
    private readonly HashSet<(long Incarnation, long Seq)> _droppedMaybeSent = [];
    private const int DroppedMaybeSentLimit = 1 << 20;
    private long _deletedThrough;
    private long _compactions;
    private long _fsyncs;
    private long _recovered;
    private long _truncatedBytes;
    private long _gaps;
    private long _noSpace;
    private long _budgetBytes;
    private long _reserveBytes;
    private long _diskLimit = long.MaxValue; // journal bytes + free bytes - reserve, as last measured
    private long _lastDiskCheckTicks = long.MinValue;
    private bool _checkpointPending;
    private JournalSegment? _reader; // the closed segment whose file is open for reading
    private long _incarnation;
    private readonly List<(long FirstSeq, long Incarnation)> _epochs = []; // ascending; records from FirstSeq on have Incarnation
    private readonly DriveInfo _drive;
    private bool _disposed;

    /// <summary>Opens (creating or recovering) the journal in <see cref="JournalOptions.Directory"/>.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="logger">Logger, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> fails <see cref="JournalOptions.Validate"/>.</exception>
    /// <exception cref="IOException">The folder or a segment cannot be read or written.</exception>
    public JournalOutbox(JournalOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _scratch = new byte[options.MaxRecordBytes + JournalSegment.RecordHeaderBytes];
        System.IO.Directory.CreateDirectory(options.Directory);
        _checkpointPath = Path.Combine(options.Directory, JournalCheckpoint.FileName);
        _budgetBytes = options.BudgetBytes;
        _reserveBytes = options.ReserveBytes;
        _drive = new DriveInfo(Path.GetFullPath(options.Directory));
        Recover();
        RefreshDiskLimit(force: true);
        if (options.Fsync == JournalFsync.Interval)
        {
            _fsyncTimer = new Timer(_ => SyncQuietly(), null, options.FsyncInterval, options.FsyncInterval);
        }
    }

    /// <inheritdoc />
    public long HighestWritten
    {
        get
        {
            lock (_gate)
            {
                return _highestWritten;
            }
        }
    }

    /// <inheritdoc />
    public long HighestAcknowledged
    {
        get
        {
            lock (_gate)
            {
                return _acked;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Chosen when the journal is opened and fixed from then on (no lock needed).</remarks>
    public long Incarnation => _incarnation;

    /// <inheritdoc />
    public long HighestDurable
    {
        get
        {
            lock (_gate)
            {
                return _highestDurable;
            }
        }
    }

    /// <summary>A snapshot of the state and counters.</summary>
    public JournalCounters Counters
    {
        get
        {
            lock (_gate)
            {
                long merged = _mergedDeleted;
                foreach (JournalSegment s in _segments)
                {
                    merged += s.Merged;
                }

                return new JournalCounters(_highestWritten, _highestDurable, _acked, BytesOnDisk(), _budgetBytes,
                    _segments.Count, merged, _dropped, _compactions, _fsyncs, _recovered, _truncatedBytes, _gaps, _noSpace, _incarnation);
            }
        }
    }

    /// <summary>The disk budget and free-space reserve in effect (<c>[outbox] budget</c> and <c>reserve</c>), changed
    /// while running; a smaller budget is reached by merging and dropping at the next append.</summary>
    /// <param name="budgetBytes">Most bytes of segments plus checkpoint; at least 4 × <see cref="JournalOptions.SegmentBytes"/>.</param>
    /// <param name="reserveBytes">Bytes the journal leaves free on its file system; 0 or more.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names the key.</exception>
    public void SetLimits(long budgetBytes, long reserveBytes)
    {
        (_options with { BudgetBytes = budgetBytes, ReserveBytes = reserveBytes }).Validate();
        lock (_gate)
        {
            _budgetBytes = budgetBytes;
            _reserveBytes = reserveBytes;
            RefreshDiskLimit(force: true);
        }
    }

    /// <inheritdoc />
    /// <remarks>Never fails for want of room: over the budget or short of space it merges, then drops the oldest records
    /// (counted); when even that leaves no room (a full disk with only the newest segment left), this record is dropped,
    /// counted in <see cref="JournalCounters.Dropped"/>, and its sequence is still returned and never sent.</remarks>
    /// <exception cref="ArgumentException">The record is empty or larger than <see cref="JournalOptions.MaxRecordBytes"/>.</exception>
    /// <exception cref="IOException">The disk failed other than by being full.</exception>
    public long Append(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty || record.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"outbox record of {record.Length} bytes (expected 1..{_options.MaxRecordBytes})", nameof(record));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_checkpointPending)
            {
                TryWriteCheckpoint();
            }

            int size = JournalSegment.RecordHeaderBytes + record.Length;
            long seq = _highestWritten + 1;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                bool roll = _segments.Count == 0 || _segments[^1].Closed || _segments[^1].Length + size > _options.SegmentBytes;
                if (!MakeRoom(size + (roll ? JournalSegment.HeaderBytes : 0)))
                {
                    break;
                }

                try
                {
                    JournalSegment active = roll ? Roll() : _segments[^1];
                    Span<byte> buffer = _scratch.AsSpan(0, size);
                    JournalFormat.EncodeRecord(seq, record, buffer);
                    _options.BeforeWrite?.Invoke(active.Path);
                    RandomAccess.Write(active.Handle, buffer, active.Length);
                    active.Records.Add((seq, active.Length + JournalSegment.RecordHeaderBytes, record.Length));
                    active.Length += size;
                    active.Dirty = true;
                    _highestWritten = seq;
                    if (_options.Fsync == JournalFsync.EveryRecord)
                    {
                        SyncLocked();
                    }

                    return seq;
                }
                catch (IOException e) when (JournalFormat.IsNoSpace(e))
                {
                    OnNoSpace(e);
                    CutPartialWrite();
                }
            }

            // No room even after merging and dropping: this record is dropped, counted, and sampling goes on.
            _highestWritten = seq;
            _dropped++;
            _done.Add(seq);
            AdvanceAcked();
            JournalLog.Dropped(_logger, 1, "(new record: no room)");
            return seq;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Group commit without stalling producers: the dirty segments and the highest written sequence are taken under the
    /// journal lock, the fsyncs (<see cref="RandomAccess.FlushToDisk"/>) run outside it, so appends and acknowledgements go
    /// on while the disk flushes; <see cref="HighestDurable"/> then rises to the sequence taken, never past it. A segment
    /// stays dirty until its flush has returned (and only if nothing was appended to it meanwhile), so a concurrent
    /// lock-held sync never skips it; a failed fsync leaves <see cref="HighestDurable"/> where it was. One round at a time.
    /// </remarks>
    public void Sync()
    {
        lock (_syncGate)
        {
            long target;
            _syncing.Clear();
            lock (_gate)
            {
                if (_disposed || _highestWritten <= _highestDurable)
                {
                    return;
                }

                target = _highestWritten;
                foreach (JournalSegment s in _segments)
                {
                    if (s.Dirty)
                    {
                        bool added = false;
                        s.Handle.DangerousAddRef(ref added); // the segment may be deleted or closed while we flush
                        _syncing.Add((s, s.Handle, s.Length));
                    }
                }
            }

            int flushed = 0;
            try
            {
                foreach ((JournalSegment _, SafeFileHandle handle, long _) in _syncing)
                {
                    RandomAccess.FlushToDisk(handle);
                    flushed++;
                }
            }
            finally
            {
                foreach ((JournalSegment _, SafeFileHandle handle, long _) in _syncing)
                {
                    handle.DangerousRelease();
                }

                lock (_gate)
                {
                    _fsyncs += flushed;
                }
            }

            lock (_gate)
            {
                foreach ((JournalSegment seg, SafeFileHandle _, long length) in _syncing)
                {
                    if (seg.Length == length)
                    {
                        seg.Dirty = false;
                    }
                }

                _highestDurable = Math.Max(_highestDurable, target);
            }
        }
    }

    /// <inheritdoc />
    public int ReadFrom(long sequence, int max, List<(long Seq, byte[] Record)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long from = Math.Max(sequence, _acked + 1);
            int added = 0;
            int si = Math.Max(0, _segments.Count - 1);
            while (si > 0 && _segments[si].FirstSeq > from)
            {
                si--;
            }

            for (; si < _segments.Count && added < max; si++)
            {
                JournalSegment seg = _segments[si];
                for (int ri = seg.FindFirstAtOrAfter(from); ri < seg.Records.Count && added < max; ri++)
                {
                    (long seq, long offset, int length) = seg.Records[ri];
                    if (seq > _highestDurable)
                    {
                        goto done;
                    }

                    if (_done.Contains(seq))
                    {
                        continue;
                    }

                    byte[] payload = ReadPayload(seg, seq, offset, length);
                    into.Add((seq, payload));
                    added++;
                    _highestRead = Math.Max(_highestRead, seq);
                }
            }

        done:
            _mergeFloor = Math.Max(_mergeFloor, _highestRead);
            if (_highestRead > _sentMarkPersisted)
            {
                _sentMarkPersisted = _highestRead + SentMarkStep;
                TryWriteCheckpoint();
            }

            return added;
        }
    }

    /// <summary>Marks one sequence of the current <see cref="Incarnation"/> as stored by the collector (tests, benchmarks).</summary>
    /// <param name="sequence">The sequence acknowledged.</param>
    /// <returns>As <see cref="Acknowledge(long, long)"/>.</returns>
    public bool Acknowledge(long sequence) => Acknowledge(Incarnation, sequence);

    /// <inheritdoc />
    public bool Acknowledge(long incarnation, long sequence)
    {
        lock (_gate)
        {
            if (_droppedMaybeSent.Remove((incarnation, sequence)))
            {
                _dropped--;
                return false;
            }

            if (_disposed || sequence <= _acked || sequence > _highestWritten || IncarnationOf(sequence) != incarnation || !_done.Add(sequence))
            {
                return false;
            }

            AdvanceAcked();
            DeleteAcknowledgedSegments();
            if ((_checkpointPending || _acked != _checkpointAcked) && Environment.TickCount64 - _lastCheckpointTicks >= (long)_options.CheckpointInterval.TotalMilliseconds)
            {
                TryWriteCheckpoint();
            }

            return true;
        }
    }

    /// <summary>Syncs, writes the checkpoint and closes the files.</summary>
    public void Dispose()
    {
        _fsyncTimer?.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            SyncLocked();
            TryWriteCheckpoint();
            _disposed = true;
            foreach (JournalSegment s in _segments)
            {
                s.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"JournalOutbox({_options.Directory})";

    private long BytesOnDisk()
    {
        long total = JournalCheckpoint.Bytes;
        foreach (JournalSegment s in _segments)
        {
            total += s.Length;
        }

        return total;
    }
}
