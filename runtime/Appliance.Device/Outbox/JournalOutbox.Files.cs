using Microsoft.Win32.SafeHandles;

namespace Appliance.Device.Outbox;

/// <summary>The journal's files: starting segments, descriptors for reading, fsync, the checkpoint and the free space.</summary>
public sealed partial class JournalOutbox
{
    /// <summary>Starts a new segment after the newest; the one before is synced and gives back its descriptor.</summary>
    /// <exception cref="IOException">The file cannot be created or its header written (nothing is left behind).</exception>
    private JournalSegment Roll()
    {
        if (_segments.Count > 0 && _segments[^1].Dirty)
        {
            SyncLocked();
        }

        long first = _highestWritten + 1;
        string path = Path.Combine(_options.Directory, JournalSegment.FileName(first));
        FileStream stream = JournalFormat.OpenSegment(path, FileMode.Create);
        try
        {
            _options.BeforeWrite?.Invoke(path);
            stream.Write(JournalFormat.SegmentHeader(first, 0, 0));
        }
        catch (IOException)
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }

        if (_segments.Count > 0)
        {
            _segments[^1].Closed = true;
            _segments[^1].CloseFile();
        }

        var seg = new JournalSegment(path, first, stream) { Length = JournalSegment.HeaderBytes, Dirty = true };
        _segments.Add(seg);
        if (_segments.Count > (2 * Math.Max(0, Limit) / _options.SegmentBytes) + 2)
        {
            TryCoalesce();
        }

        return seg;
    }

    /// <summary>Cuts the newest segment back to its last whole record after a failed write (shrinking needs no space).</summary>
    private void CutPartialWrite()
    {
        if (_segments.Count > 0 && _segments[^1] is { Closed: false, Stream: { } stream } active)
        {
            try
            {
                stream.SetLength(active.Length);
            }
            catch (IOException e)
            {
                JournalLog.Corrupt(_logger, active.Path, "cutting a failed write: " + e.Message, active.Length, 0);
            }
        }
    }

    /// <summary>The open handle of a segment for reading; a closed segment's file is opened, and the one opened before closed.</summary>
    private SafeFileHandle ReadHandle(JournalSegment seg)
    {
        if (seg.Stream is null)
        {
            if (_reader is not null && _reader != seg && _reader.Closed)
            {
                _reader.CloseFile();
            }

            seg.EnsureOpen();
            _reader = seg;
        }

        return seg.Handle;
    }

    private void SyncLocked()
    {
        foreach (JournalSegment s in _segments)
        {
            if (s.Dirty)
            {
                s.Stream!.Flush(flushToDisk: true);
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

    /// <summary>Writes the checkpoint; on a full disk, counts it and leaves it pending (retried on the next append or
    /// acknowledgement), so a full disk never stops the journal: a crash meanwhile only costs resends.</summary>
    /// <returns>True when written.</returns>
    private bool TryWriteCheckpoint()
    {
        try
        {
            _options.BeforeWrite?.Invoke(_checkpointPath);
            new JournalCheckpoint(_acked, _sentMarkPersisted, _mergedDeleted, _dropped, _deletedThrough, _incarnation).Write(_checkpointPath);
        }
        catch (IOException e) when (JournalFormat.IsNoSpace(e))
        {
            OnNoSpace(e);
            File.Delete(_checkpointPath + ".tmp");
            _checkpointPending = true;
            _lastCheckpointTicks = Environment.TickCount64;
            return false;
        }

        _checkpointPending = false;
        _checkpointAcked = _acked;
        _lastCheckpointTicks = Environment.TickCount64;
        return true;
    }

    /// <summary>Counts a full disk and lowers the budget in effect to what the journal holds now, so room is made first.</summary>
    private void OnNoSpace(IOException e)
    {
        _noSpace++;
        JournalLog.NoSpace(_logger, _options.Directory, e.Message);
        RefreshDiskLimit(force: true);
        _diskLimit = Math.Min(_diskLimit, BytesOnDisk());
    }

    /// <summary>Re-measures the free space (at most once per <see cref="JournalOptions.DiskCheckInterval"/> unless forced): the budget in effect is the smaller of the
    /// configured budget and the journal's bytes plus the free bytes less the reserve.</summary>
    private void RefreshDiskLimit(bool force)
    {
        long now = Environment.TickCount64;
        if (!force && now - _lastDiskCheckTicks < (long)_options.DiskCheckInterval.TotalMilliseconds)
        {
            return;
        }

        _lastDiskCheckTicks = now;
        long available;
        try
        {
            available = _options.AvailableBytes?.Invoke() ?? _drive.AvailableFreeSpace;
        }
        catch (IOException)
        {
            return; // the file system does not say: the configured budget alone applies
        }

        _diskLimit = BytesOnDisk() + available - _reserveBytes;
    }

    private long Limit => Math.Min(_budgetBytes, _diskLimit);
}
