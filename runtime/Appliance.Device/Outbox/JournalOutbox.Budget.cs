using Appliance.Kernels.Statistics;
using Appliance.Contracts.Wire;

namespace Appliance.Device.Outbox;

/// <summary>Keeping the journal within its budget and free space: merging, compacting, dropping and deleting segments.</summary>
public sealed partial class JournalOutbox
{
    /// <summary>Merges, then drops the oldest, until <paramref name="need"/> more bytes fit within the budget in effect.</summary>
    /// <returns>False when nothing is left to merge or drop.</returns>
    private bool MakeRoom(long need)
    {
        if (BytesOnDisk() + need > Limit)
        {
            RefreshDiskLimit(force: false);
        }

        while (BytesOnDisk() + need > Limit)
        {
            if (!TryMergeOne() && !TryDropOldest())
            {
                return false;
            }
        }

        return true;
    }

    private void AdvanceAcked()
    {
        while (_done.Remove(_acked + 1))
        {
            _acked++;
        }

        PruneEpochs();
    }

    private void DeleteAcknowledgedSegments()
    {
        while (_segments.Count > 1 && _segments[1].FirstSeq - 1 <= _acked)
        {
            DeleteOldest(dropped: 0);
        }
    }

    /// <summary>Counts the oldest segment's merges (and drops) in the checkpoint, then deletes its file. On a full disk the
    /// file is deleted even when the checkpoint could not be written (it stays pending): deleting is what makes room.</summary>
    private void DeleteOldest(long dropped)
    {
        JournalSegment oldest = _segments[0];
        _segments.RemoveAt(0);
        _mergedDeleted += oldest.Merged;
        _dropped += dropped;
        _deletedThrough = oldest.FirstSeq;
        TryWriteCheckpoint();
        oldest.Dispose();
        if (_reader == oldest)
        {
            _reader = null;
        }

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
                    _droppedMaybeSent.Add((IncarnationOf(seq), seq));
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

    /// <summary>
    /// Rewrites the least-merged closed segment holding unsent summaries with consecutive pairs merged. The absorbed
    /// sequences are marked done only once the new file is in place; on a full disk nothing changes (the rewrite needs
    /// room) and it returns false.
    /// </summary>
    private bool TryMergeOne()
    {
        int ti = -1;
        for (int i = 0; i < _segments.Count - 1; i++)
        {
            JournalSegment s = _segments[i];
            if (!s.Incompressible && s.Records.Count > 1 && s.Records[^1].Seq > _mergeFloor && (ti < 0 || s.Level < _segments[ti].Level))
            {
                ti = i;
            }
        }

        if (ti < 0)
        {
            return false;
        }

        JournalSegment target = _segments[ti];
        var output = new List<(long Seq, byte[] Payload)>(target.Records.Count);
        var absorbedSeqs = new List<long>();
        var pending = new Dictionary<(string, string, long), int>(); // channel and incarnation → index in output of its unpaired summary
        foreach ((long seq, long offset, int length) in target.Records)
        {
            if (_done.Contains(seq) || seq <= _acked)
            {
                continue; // already acknowledged: not worth keeping
            }

            byte[] payload = ReadPayload(target, seq, offset, length);
            if (seq <= _mergeFloor || !WireCodec.TryDecode(payload, out Envelope env, out _) || env.Body is not Summary s)
            {
                output.Add((seq, payload));
                continue;
            }

            var key = (s.Sensor, s.Channel, env.Incarnation); // a merged record keeps one incarnation
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
                output[index] = (firstSeq, WireCodec.Encode(Envelope.Create(env.DeviceId, firstSeq, merged, firstEnv.Incarnation)));
                absorbedSeqs.Add(seq);
            }
            else
            {
                pending[key] = output.Count;
                output.Add((seq, payload));
            }
        }

        if (absorbedSeqs.Count == 0)
        {
            target.Incompressible = true;
            return false;
        }

        int level = target.Level + 1;
        int mergedTotal = target.Merged + absorbedSeqs.Count;
        if (!TryRewrite(target, output, mergedTotal, level))
        {
            return false;
        }

        foreach (long seq in absorbedSeqs)
        {
            _done.Add(seq);
        }

        _compactions++;
        AdvanceAcked();
        JournalLog.Merged(_logger, absorbedSeqs.Count, Path.GetFileName(target.Path), BytesOnDisk());
        return true;
    }

    /// <summary>
    /// Compaction: rewrites the two adjacent closed segments (neither the newest) whose live records fit together in one
    /// segment, smallest pair first, as one file, and deletes the second. The result is not merged
    /// again, so a long outage still ends in dropping the oldest rather than ever coarser summaries. Called when a segment is started while there are
    /// more than 2 × budget / segment size + 2 segments: n closed segments within the budget B always hold an adjacent pair
    /// of at most 2B / (n − 1) bytes, so the count stays near that bound however small merging makes them.
    /// </summary>
    /// <returns>False when no pair fits or the disk is full.</returns>
    private bool TryCoalesce()
    {
        int best = -1;
        long bestBytes = long.MaxValue;
        for (int i = 0; i + 2 < _segments.Count; i++)
        {
            long bytes = _segments[i].Length + _segments[i + 1].Length - JournalSegment.HeaderBytes;
            if (bytes <= _options.SegmentBytes && bytes < bestBytes)
            {
                (best, bestBytes) = (i, bytes);
            }
        }

        if (best < 0)
        {
            return false;
        }

        JournalSegment first = _segments[best], second = _segments[best + 1];
        var output = new List<(long Seq, byte[] Payload)>(first.Records.Count + second.Records.Count);
        foreach (JournalSegment seg in (ReadOnlySpan<JournalSegment>)[first, second])
        {
            foreach ((long seq, long offset, int length) in seg.Records)
            {
                if (!_done.Contains(seq) && seq > _acked)
                {
                    byte[] payload = ReadPayload(seg, seq, offset, length);
                    output.Add((seq, payload));
                }
            }
        }

        if (!TryRewrite(first, output, first.Merged + second.Merged, Math.Max(first.Level, second.Level)))
        {
            return false;
        }

        first.Incompressible = true; // not merged again: without it merging never ends and one summary swallows the outage
        _segments.RemoveAt(best + 1);
        second.Dispose();
        if (_reader == second)
        {
            _reader = null;
        }

        File.Delete(second.Path); // a crash before this leaves it overlapping the rewritten file: recovery deletes it
        _compactions++;
        return true;
    }

    /// <summary>Replaces <paramref name="target"/>'s file and index with <paramref name="output"/>; false (nothing changed)
    /// on a full disk.</summary>
    private bool TryRewrite(JournalSegment target, List<(long Seq, byte[] Payload)> output, int merged, int level)
    {
        List<(long Seq, long Offset, int Length)> records;
        long length;
        try
        {
            (records, length) = Rewrite(target, output, merged, level);
        }
        catch (IOException e) when (JournalFormat.IsNoSpace(e))
        {
            OnNoSpace(e);
            return false;
        }

        target.CloseFile(); // its descriptor still points at the replaced file
        if (_reader == target)
        {
            _reader = null;
        }

        target.Records.Clear();
        target.Records.AddRange(records);
        target.Length = length;
        target.Merged = merged;
        target.Level = level;
        _fsyncs++;
        return true;
    }

    /// <summary>Writes <paramref name="output"/> as the new file of <paramref name="target"/> beside it, fsyncs it and
    /// renames it over the old one: a crash leaves either the old or the new file.</summary>
    /// <exception cref="IOException">The disk is full or failed; the temporary file is removed and nothing changed.</exception>
    private (List<(long Seq, long Offset, int Length)> Records, long Length) Rewrite(JournalSegment target, List<(long Seq, byte[] Payload)> output, int merged, int level)
    {
        string tmp = target.Path + ".tmp";
        long length = JournalSegment.HeaderBytes;
        var records = new List<(long Seq, long Offset, int Length)>(output.Count);
        try
        {
            _options.BeforeWrite?.Invoke(tmp);
            using (FileStream f = JournalFormat.OpenSegment(tmp, FileMode.Create))
            {
                f.Write(JournalFormat.SegmentHeader(target.FirstSeq, merged, level));
                foreach ((long seq, byte[] payload) in output)
                {
                    Span<byte> buffer = _scratch.AsSpan(0, JournalSegment.RecordHeaderBytes + payload.Length);
                    JournalFormat.EncodeRecord(seq, payload, buffer);
                    f.Write(buffer);
                    records.Add((seq, length + JournalSegment.RecordHeaderBytes, payload.Length));
                    length += buffer.Length;
                }

                f.Flush(flushToDisk: true);
            }

            File.Move(tmp, target.Path, overwrite: true);
        }
        catch (IOException)
        {
            File.Delete(tmp);
            throw;
        }

        return (records, length);
    }
}
