using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Wire;
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
/// <para>Durability: <see cref="ReadFrom"/> returns only records at or below <see cref="HighestDurable"/>, so a record
/// is sent only once fsynced, and a sequence the collector may hold is never re-used after a power loss. Under
/// <see cref="JournalFsync.Batch"/> the sender calls <see cref="Sync"/> before reading (group commit).</para>
/// <para>Recovery on open: each segment is scanned; a record whose length, CRC-32C or sequence is wrong is skipped by
/// searching forward for the next intact record (so a corrupt byte costs only its own record), and a torn tail is cut
/// off. Sequence numbers missing between intact records (merged away, or lost to corruption) count as done.</para>
/// <para>Budget: before an append would pass <see cref="JournalOptions.BudgetBytes"/>, the least-merged closed segment
/// whose records were never handed to the sender is rewritten with each pair of consecutive summaries of the same
/// sensor channel merged into one (<see cref="WindowStatistics.Merge"/>: Chan, Golub and LeVeque 1979; Pébay 2008),
/// keeping the first sequence of the pair; the second sequence is counted in <see cref="JournalCounters.Merged"/>.
/// When nothing is left to merge, the oldest closed segment is deleted and its unacknowledged records are counted in
/// <see cref="JournalCounters.Dropped"/>. Hence over the journal's life: written = acknowledged-by-collector + merged +
/// dropped (+ pending). Thread-safe: one lock.</para>
/// </remarks>
public sealed class JournalOutbox : IOutbox, IDisposable
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
    private readonly HashSet<long> _droppedMaybeSent = [];
    private const int DroppedMaybeSentLimit = 1 << 20;
    private long _deletedThrough;
    private long _compactions;
    private long _fsyncs;
    private long _recovered;
    private long _truncatedBytes;
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
        Recover();
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

                return new JournalCounters(_highestWritten, _highestDurable, _acked, BytesOnDisk(), _options.BudgetBytes,
                    _segments.Count, merged, _dropped, _compactions, _fsyncs, _recovered, _truncatedBytes);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The record is empty or larger than <see cref="JournalOptions.MaxRecordBytes"/>.</exception>
    /// <exception cref="OutboxFullException">Neither merging nor dropping could make room (only the open segment is left).</exception>
    public long Append(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty || record.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"outbox record of {record.Length} bytes (expected 1..{_options.MaxRecordBytes})", nameof(record));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int size = JournalSegment.RecordHeaderBytes + record.Length;
            JournalSegment active = _segments[^1];
            bool roll = active.Length + size > _options.SegmentBytes;
            long need = size + (roll ? JournalSegment.HeaderBytes : 0);
            while (BytesOnDisk() + need > _options.BudgetBytes)
            {
                if (!TryMergeOne() && !TryDropOldest())
                {
                    throw new OutboxFullException($"outbox journal {_options.Directory}: {BytesOnDisk()} bytes with budget {_options.BudgetBytes} and nothing left to merge or drop");
                }
            }

            if (roll)
            {
                active = Roll();
            }

            long seq = _highestWritten + 1;
            Span<byte> buffer = _scratch.AsSpan(0, size);
            BinaryPrimitives.WriteInt32LittleEndian(buffer, record.Length);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], seq);
            record.CopyTo(buffer[16..]);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, buffer[8..]));
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
            int si = _segments.Count - 1;
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

                    byte[] payload = new byte[length];
                    RandomAccess.Read(seg.Handle, payload, offset);
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
                WriteCheckpoint();
            }

            return added;
        }
    }

    /// <inheritdoc />
    public bool Acknowledge(long sequence)
    {
        lock (_gate)
        {
            if (_droppedMaybeSent.Remove(sequence))
            {
                _dropped--;
                return false;
            }

            if (_disposed || sequence <= _acked || sequence > _highestWritten || !_done.Add(sequence))
            {
                return false;
            }

            AdvanceAcked();
            DeleteAcknowledgedSegments();
            if (_acked != _checkpointAcked && Environment.TickCount64 - _lastCheckpointTicks >= (long)_options.CheckpointInterval.TotalMilliseconds)
            {
                WriteCheckpoint();
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
            WriteCheckpoint();
            _disposed = true;
            foreach (JournalSegment s in _segments)
            {
                s.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"JournalOutbox({_options.Directory})";

    private static FileStream OpenSegment(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);

    private static byte[] SegmentHeader(long firstSeq, int merged, int level)
    {
        byte[] h = new byte[JournalSegment.HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(h, JournalSegment.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), JournalSegment.Version);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(8), firstSeq);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), merged);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), level);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(28), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, h.AsSpan(0, 28)));
        return h;
    }

    /// <summary>Tries to parse a record at <paramref name="pos"/>; false when its length, CRC or sequence is wrong.</summary>
    private bool TryRecordAt(ReadOnlySpan<byte> file, int pos, long previousSeq, out long seq, out int length)
    {
        seq = 0;
        length = 0;
        if (pos + JournalSegment.RecordHeaderBytes > file.Length)
        {
            return false;
        }

        int n = BinaryPrimitives.ReadInt32LittleEndian(file[pos..]);
        if (n <= 0 || n > _options.MaxRecordBytes || pos + JournalSegment.RecordHeaderBytes + n > file.Length)
        {
            return false;
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(file[(pos + 4)..]);
        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, file.Slice(pos + 8, 8 + n)) != crc)
        {
            return false;
        }

        long s = BinaryPrimitives.ReadInt64LittleEndian(file[(pos + 8)..]);
        if (s <= previousSeq)
        {
            return false;
        }

        seq = s;
        length = n;
        return true;
    }

    private void Recover()
    {
        JournalCheckpoint? cp = JournalCheckpoint.Read(_checkpointPath, out string? cpError);
        if (cpError is not null)
        {
            // Unreadable checkpoint: start from zero acknowledged (everything is resent; the collector deduplicates).
            JournalLog.Corrupt(_logger, _checkpointPath, cpError, 0, new FileInfo(_checkpointPath).Length);
        }

        (long acked, long sentMark, long mergedDeleted, long dropped, long deletedThrough) = cp ?? default;
        _acked = _checkpointAcked = acked;
        _sentMarkPersisted = sentMark;
        _mergedDeleted = mergedDeleted;
        _dropped = dropped;
        _deletedThrough = deletedThrough;
        foreach (string tmp in System.IO.Directory.GetFiles(_options.Directory, "*.tmp"))
        {
            File.Delete(tmp); // a rewrite or checkpoint interrupted before its rename
        }

        var files = new List<(long First, string Path)>();
        foreach (string path in System.IO.Directory.GetFiles(_options.Directory, "seg-*.log"))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out long first) && first > 0)
            {
                files.Add((first, path));
            }
        }

        files.Sort((a, b) => a.First.CompareTo(b.First));
        long expected = acked + 1;
        long previousSeq = 0;
        foreach ((long first, string path) in files)
        {
            if (first <= deletedThrough)
            {
                File.Delete(path); // its deletion was counted in the checkpoint before a crash interrupted it
                continue;
            }

            byte[] file = File.ReadAllBytes(path);
            int merged = 0, level = 0;
            bool headerOk = file.Length >= JournalSegment.HeaderBytes
                && BinaryPrimitives.ReadUInt32LittleEndian(file) == JournalSegment.Magic
                && BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8)) == first
                && Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, file.AsSpan(0, 28)) == BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(28));
            if (headerOk)
            {
                merged = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(16));
                level = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(20));
            }
            else
            {
                JournalLog.Corrupt(_logger, path, "bad segment header (rewritten)", 0, Math.Min(file.Length, JournalSegment.HeaderBytes));
                _truncatedBytes += Math.Min(file.Length, JournalSegment.HeaderBytes);
            }

            var seg = new JournalSegment(path, first, OpenSegment(path, FileMode.Open)) { Merged = merged, Level = level };
            int pos = JournalSegment.HeaderBytes;
            int keepEnd = pos;
            previousSeq = Math.Max(previousSeq, first - 1);
            while (pos < file.Length)
            {
                if (TryRecordAt(file, pos, previousSeq, out long seq, out int length))
                {
                    seg.Records.Add((seq, pos + JournalSegment.RecordHeaderBytes, length));
                    previousSeq = seq;
                    pos += JournalSegment.RecordHeaderBytes + length;
                    keepEnd = pos;
                    continue;
                }

                int next = pos + 1;
                while (next < file.Length && !TryRecordAt(file, next, previousSeq, out _, out _))
                {
                    next++;
                }

                JournalLog.Corrupt(_logger, path, next < file.Length ? "corrupt record" : "torn or corrupt tail", pos, next - pos);
                _truncatedBytes += next - pos;
                pos = next;
            }

            // Rewrite a bad header in place; cut a torn tail so appends continue after the last intact record.
            if (!headerOk)
            {
                RandomAccess.Write(seg.Handle, SegmentHeader(first, 0, 0), 0);
            }

            if (keepEnd < file.Length)
            {
                seg.Stream.SetLength(keepEnd);
            }

            seg.Length = keepEnd;
            _recovered += seg.Records.Count;
            foreach ((long seq, _, _) in seg.Records)
            {
                for (long gap = Math.Max(expected, first); gap < seq; gap++)
                {
                    if (gap > acked)
                    {
                        _done.Add(gap);
                    }
                }

                expected = Math.Max(expected, seq + 1);
            }

            _segments.Add(seg);
        }

        _highestWritten = Math.Max(acked, previousSeq);
        if (_segments.Count > 0)
        {
            _highestWritten = Math.Max(_highestWritten, _segments[^1].FirstSeq - 1);
            for (long gap = Math.Max(expected, acked + 1); gap <= _highestWritten; gap++)
            {
                _done.Add(gap);
            }
        }

        AdvanceAcked();
        if (_segments.Count == 0 || _segments[^1].Level > 0)
        {
            Roll();
        }

        foreach (JournalSegment s in _segments)
        {
            s.Stream.Flush(flushToDisk: true); // what was recovered is durable from here on
        }

        _highestDurable = _highestWritten;
        _mergeFloor = Math.Min(_sentMarkPersisted, _highestWritten); // what an earlier run may have sent
        DeleteAcknowledgedSegments();
        WriteCheckpoint();
        JournalLog.Opened(_logger, _options.Directory, _recovered, _acked, _highestWritten, BytesOnDisk(), _segments.Count);
    }

    private long BytesOnDisk()
    {
        long total = JournalCheckpoint.Bytes;
        foreach (JournalSegment s in _segments)
        {
            total += s.Length;
        }

        return total;
    }

    private JournalSegment Roll()
    {
        if (_segments.Count > 0 && _segments[^1].Dirty)
        {
            SyncLocked();
        }

        long first = _highestWritten + 1;
        string path = Path.Combine(_options.Directory, JournalSegment.FileName(first));
        FileStream stream = OpenSegment(path, FileMode.Create);
        stream.Write(SegmentHeader(first, 0, 0));
        var seg = new JournalSegment(path, first, stream) { Length = JournalSegment.HeaderBytes, Dirty = true };
        _segments.Add(seg);
        return seg;
    }

    private void SyncLocked()
    {
        foreach (JournalSegment s in _segments)
        {
            if (s.Dirty)
            {
                s.Stream.Flush(flushToDisk: true);
                s.Dirty = false;
                _fsyncs++;
            }
        }

        _highestDurable = _highestWritten;
    }

    private void SyncQuietly()
    {
        try
        {
            Sync();
        }
        catch (IOException ex)
        {
            JournalLog.Corrupt(_logger, _options.Directory, "background fsync failed: " + ex.Message, 0, 0);
        }
    }

    private void AdvanceAcked()
    {
        while (_done.Remove(_acked + 1))
        {
            _acked++;
        }
    }

    private void DeleteAcknowledgedSegments()
    {
        while (_segments.Count > 1 && _segments[1].FirstSeq - 1 <= _acked)
        {
            DeleteOldest(dropped: 0);
        }
    }

    /// <summary>Counts the oldest segment's merges (and drops) in the checkpoint, then deletes its file.</summary>
    private void DeleteOldest(long dropped)
    {
        JournalSegment oldest = _segments[0];
        _segments.RemoveAt(0);
        _mergedDeleted += oldest.Merged;
        _dropped += dropped;
        _deletedThrough = oldest.FirstSeq;
        WriteCheckpoint();
        oldest.Dispose();
        File.Delete(oldest.Path);
    }

    private bool TryDropOldest()
    {
        if (_segments.Count < 2)
        {
            return false;
        }

        JournalSegment oldest = _segments[0];
        long dropped = 0;
        foreach ((long seq, _, _) in oldest.Records)
        {
            if (seq > _acked && _done.Add(seq))
            {
                dropped++;
                if (seq <= _mergeFloor && _droppedMaybeSent.Count < DroppedMaybeSentLimit)
                {
                    _droppedMaybeSent.Add(seq);
                }
            }
        }

        // Sequences of the segment that hold no record (merged away earlier) are already in _done.
        for (long s = Math.Max(_acked + 1, oldest.FirstSeq); s < _segments[1].FirstSeq; s++)
        {
            _done.Add(s);
        }

        JournalLog.Dropped(_logger, dropped, Path.GetFileName(oldest.Path));
        DeleteOldest(dropped);
        AdvanceAcked();
        _mergeFloor = Math.Max(_mergeFloor, _acked);
        return true;
    }

    /// <summary>Rewrites the least-merged closed segment holding unsent summaries with consecutive pairs merged.</summary>
    private bool TryMergeOne()
    {
        JournalSegment? target = null;
        for (int i = 0; i < _segments.Count - 1; i++)
        {
            JournalSegment s = _segments[i];
            if (!s.Incompressible && s.Records.Count > 1 && s.Records[^1].Seq > _mergeFloor && (target is null || s.Level < target.Level))
            {
                target = s;
            }
        }

        if (target is null)
        {
            return false;
        }

        var output = new List<(long Seq, byte[] Payload)>(target.Records.Count);
        var pending = new Dictionary<(string, string), int>(); // channel → index in output of its unpaired summary
        string? deviceId = null;
        int absorbed = 0;
        foreach ((long seq, long offset, int length) in target.Records)
        {
            if (_done.Contains(seq) || seq <= _acked)
            {
                continue; // already acknowledged: not worth keeping
            }

            byte[] payload = new byte[length];
            RandomAccess.Read(target.Handle, payload, offset);
            if (seq <= _mergeFloor || !WireCodec.TryDecode(payload, out Envelope env, out _) || env.Body is not Summary s)
            {
                output.Add((seq, payload));
                continue;
            }

            deviceId = env.DeviceId;
            var key = (s.Sensor, s.Channel);
            if (pending.Remove(key, out int index))
            {
                (long firstSeq, byte[] firstPayload) = output[index];
                WireCodec.TryDecode(firstPayload, out Envelope firstEnv, out _);
                var a = (Summary)firstEnv.Body;
                var merged = new Summary
                {
                    Sensor = a.Sensor,
                    Channel = a.Channel,
                    WindowStartNs = a.WindowStartNs,
                    WindowEndNs = s.WindowEndNs,
                    Features = WindowStatistics.Merge(a.Features, s.Features),
                };
                output[index] = (firstSeq, WireCodec.Encode(Envelope.Create(deviceId, firstSeq, merged)));
                _done.Add(seq);
                absorbed++;
            }
            else
            {
                pending[key] = output.Count;
                output.Add((seq, payload));
            }
        }

        if (absorbed == 0)
        {
            target.Incompressible = true;
            return false;
        }

        // Write the new file beside, fsync, rename over the old one: a crash leaves either the old or the new file.
        string tmp = target.Path + ".tmp";
        long length2 = JournalSegment.HeaderBytes;
        var records = new List<(long Seq, long Offset, int Length)>(output.Count);
        using (FileStream f = OpenSegment(tmp, FileMode.Create))
        {
            f.Write(SegmentHeader(target.FirstSeq, target.Merged + absorbed, target.Level + 1));
            foreach ((long seq, byte[] payload) in output)
            {
                Span<byte> buffer = _scratch.AsSpan(0, JournalSegment.RecordHeaderBytes + payload.Length);
                BinaryPrimitives.WriteInt32LittleEndian(buffer, payload.Length);
                BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], seq);
                payload.CopyTo(buffer[16..]);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, buffer[8..]));
                f.Write(buffer);
                records.Add((seq, length2 + JournalSegment.RecordHeaderBytes, payload.Length));
                length2 += buffer.Length;
            }

            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, target.Path, overwrite: true);
        target.Reopen(OpenSegment(target.Path, FileMode.Open));
        target.Records.Clear();
        target.Records.AddRange(records);
        target.Length = length2;
        target.Merged += absorbed;
        target.Level++;
        _compactions++;
        _fsyncs++;
        AdvanceAcked();
        JournalLog.Merged(_logger, absorbed, Path.GetFileName(target.Path), BytesOnDisk());
        return true;
    }

    private void WriteCheckpoint()
    {
        new JournalCheckpoint(_acked, _sentMarkPersisted, _mergedDeleted, _dropped, _deletedThrough).Write(_checkpointPath);
        _checkpointAcked = _acked;
        _lastCheckpointTicks = Environment.TickCount64;
    }
}
