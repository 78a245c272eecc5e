using System.Globalization;

namespace Appliance.Device.Outbox;

/// <summary>Opening the journal: recovery of the checkpoint and the segments (see the remarks on <see cref="JournalOutbox"/>).</summary>
public sealed partial class JournalOutbox
{
    private void Recover()
    {
        JournalCheckpoint? cp = JournalCheckpoint.Read(_checkpointPath, out string? cpError);
        if (cpError is not null)
        {
            // Unreadable checkpoint: start from zero acknowledged (everything is resent; the collector deduplicates).
            JournalLog.Corrupt(_logger, _checkpointPath, cpError, 0, new FileInfo(_checkpointPath).Length);
        }

        (long acked, long sentMark, long mergedDeleted, long dropped, long deletedThrough, _) = cp ?? default;
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

        // Every sequence above the acknowledged mark that no intact record holds is marked done (skipped), wherever it
        // lies: inside a segment, between a segment's last intact record and the next segment's first (a merge absorbed
        // the tail, or a torn non-final segment), or after the last one. Those a segment's header does not account for
        // as merged are counted in _gaps. Before this, only gaps after each segment's first sequence were filled, and the
        // acknowledged mark stopped for good at the first sequence missing at the end of a segment.
        long expected = acked + 1;
        long previousSeq = 0;
        long missing = 0; // sequences of the previous segment's range above the acknowledged mark without a record
        JournalSegment? previous = null;
        foreach ((long first, string path) in files)
        {
            if (first <= deletedThrough || first <= previousSeq)
            {
                // Its deletion was counted in the checkpoint before a crash interrupted it, or it was copied into the
                // segment before it by a compaction interrupted before deleting it.
                File.Delete(path);
                continue;
            }

            JournalSegment seg = RecoverSegment(first, path, ref previousSeq);
            missing += FillGaps(ref expected, first - 1);
            CountGaps(previous, missing);
            missing = 0;
            foreach ((long seq, _, _) in seg.Records)
            {
                missing += FillGaps(ref expected, seq - 1);
                expected = Math.Max(expected, seq + 1);
            }

            _recovered += seg.Records.Count;
            _segments.Add(seg);
            previous = seg;
        }

        _highestWritten = Math.Max(acked, previousSeq);
        if (_segments.Count > 0)
        {
            _highestWritten = Math.Max(_highestWritten, _segments[^1].FirstSeq - 1);
            missing += FillGaps(ref expected, _highestWritten);
            CountGaps(previous, missing);
        }

        string? newIncarnation = ChooseIncarnation(cp?.Incarnation, files.Count > 0);
        ApplyRepairs();
        AdvanceAcked();
        for (int i = 0; i < _segments.Count; i++)
        {
            JournalSegment s = _segments[i];
            s.EnsureOpen();
            s.Stream!.Flush(flushToDisk: true); // what was recovered is durable from here on
            s.Closed = i < _segments.Count - 1 || s.Level > 0;
            if (s.Closed)
            {
                s.CloseFile(); // closed segments hold no descriptor; they are reopened to be read
            }
        }

        _highestDurable = _highestWritten;
        _mergeFloor = Math.Min(_sentMarkPersisted, _highestWritten); // what an earlier run may have sent
        DeleteAcknowledgedSegments();
        TryWriteCheckpoint();
        JournalLog.Opened(_logger, _options.Directory, _recovered, _acked, _highestWritten, BytesOnDisk(), _segments.Count);
        if (newIncarnation is not null)
        {
            JournalLog.NewIncarnation(_logger, _options.Directory, _incarnation, _highestWritten + 1, newIncarnation);
        }
        if (_gaps > 0)
        {
            JournalLog.Gaps(_logger, _options.Directory, _gaps);
        }
    }

    /// <summary>Marks <paramref name="expected"/>..<paramref name="through"/> done; returns how many it marked.</summary>
    private long FillGaps(ref long expected, long through)
    {
        long n = 0;
        for (; expected <= through; expected++)
        {
            if (expected > _acked && _done.Add(expected))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Counts the sequences of <paramref name="segment"/>'s range missing beyond those its header says were merged away.</summary>
    private void CountGaps(JournalSegment? segment, long missing)
    {
        if (segment is not null)
        {
            _gaps += Math.Max(0, missing - segment.Merged);
        }
    }

    /// <summary>Scans one segment file: indexes its intact records, skips corrupt ones, cuts a torn tail, rewrites a bad header.</summary>
    private JournalSegment RecoverSegment(long first, string path, ref long previousSeq)
    {
        byte[] file = File.ReadAllBytes(path);
        bool headerOk = JournalFormat.TryReadHeader(file, first, out int merged, out int level);
        if (!headerOk)
        {
            JournalLog.Corrupt(_logger, path, "bad segment header (rewritten)", 0, Math.Min(file.Length, JournalSegment.HeaderBytes));
            _truncatedBytes += Math.Min(file.Length, JournalSegment.HeaderBytes);
        }

        var seg = new JournalSegment(path, first, JournalFormat.OpenSegment(path, FileMode.Open)) { Merged = merged, Level = level };
        int pos = JournalSegment.HeaderBytes;
        int keepEnd = pos;
        previousSeq = Math.Max(previousSeq, first - 1);
        while (pos < file.Length)
        {
            if (JournalFormat.TryRecordAt(file, pos, previousSeq, _options.MaxRecordBytes, out long seq, out int length))
            {
                seg.Records.Add((seq, pos + JournalSegment.RecordHeaderBytes, length));
                NoteRecordIncarnation(seq, file.AsMemory(pos + JournalSegment.RecordHeaderBytes, length));
                previousSeq = seq;
                pos += JournalSegment.RecordHeaderBytes + length;
                keepEnd = pos;
                continue;
            }

            int next = pos + 1;
            while (next < file.Length && !JournalFormat.TryRecordAt(file, next, previousSeq, _options.MaxRecordBytes, out _, out _))
            {
                next++;
            }

            JournalLog.Corrupt(_logger, path, next < file.Length ? "corrupt record" : "torn or corrupt tail", pos, next - pos);
            _truncatedBytes += next - pos;
            pos = next;
        }

        // Rewrite a bad header in place; cut a torn tail so appends continue after the last intact record. Both wait until
        // the checkpoint holds the new incarnation this discard calls for (ApplyRepairs): a cut made durable first would, after
        // a crash, leave a journal that looks intact and would hand out the cut sequences again under the old incarnation.
        if (!headerOk)
        {
            _repairs.Add(() => RandomAccess.Write(seg.Handle, JournalFormat.SegmentHeader(first, 0, 0), 0));
        }

        if (keepEnd < file.Length)
        {
            _repairs.Add(() => seg.Stream!.SetLength(keepEnd));
        }

        seg.Length = keepEnd;
        return seg;
    }
}
