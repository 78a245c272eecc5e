using Appliance.Contracts.Wire;

namespace Appliance.Device.Outbox;

/// <summary>The journal's incarnations (see the remarks on <see cref="JournalOutbox"/>): which incarnation each record
/// has, and whether an opened journal continues the incarnation of its checkpoint or needs a new one.</summary>
public sealed partial class JournalOutbox
{
    private readonly List<Action> _repairs = []; // recovery's cuts and header rewrites, applied once the incarnation is durable

    /// <summary>The incarnation of the record at <paramref name="seq"/>; -1 (matches no acknowledgement) below every epoch.</summary>
    private long IncarnationOf(long seq)
    {
        for (int i = _epochs.Count - 1; i >= 0; i--)
        {
            if (_epochs[i].FirstSeq <= seq)
            {
                return _epochs[i].Incarnation;
            }
        }

        return -1;
    }

    /// <summary>Recovery: notes the incarnation of an intact record (records arrive in ascending sequence).</summary>
    private void NoteRecordIncarnation(long seq, ReadOnlyMemory<byte> payload)
    {
        long incarnation = WireCodec.TryReadIncarnation(payload, out long read) ? read : 0;
        if (_epochs.Count == 0 || _epochs[^1].Incarnation != incarnation)
        {
            _epochs.Add((seq, incarnation));
        }
    }

    /// <summary>Forgets epochs whose records are all acknowledged (the epoch after them starts at or below the mark + 1).</summary>
    private void PruneEpochs()
    {
        int n = 0;
        while (n + 1 < _epochs.Count && _epochs[n + 1].FirstSeq <= _acked + 1)
        {
            n++;
        }

        _epochs.RemoveRange(0, n);
    }

    /// <summary>
    /// After recovery: keeps the checkpoint's incarnation only when the journal provably continues it, else makes a new
    /// one for the records appended from here on; returns why a new one was made (null when kept).
    /// </summary>
    /// <param name="checkpointIncarnation">The checkpoint's incarnation; 0 for a version-1 checkpoint; null when there was no readable one.</param>
    /// <param name="segments">True when segment files were found.</param>
    private string? ChooseIncarnation(long? checkpointIncarnation, bool segments)
    {
        string? reason =
            _truncatedBytes > 0 || _gaps > 0 ? "recovery discarded torn or corrupt records that may have been sent"
            : checkpointIncarnation is null ? (segments ? "no readable checkpoint" : "new journal")
            : checkpointIncarnation == 0 ? "journal written before incarnations"
            : _epochs.Count > 0 && _epochs[^1].Incarnation != checkpointIncarnation ? "newest record's incarnation differs from the checkpoint's"
            : null;
        _incarnation = reason is null ? checkpointIncarnation!.Value : OutboxIncarnation.New();
        if (_epochs.Count == 0 || _epochs[^1].Incarnation != _incarnation)
        {
            _epochs.Add((_highestWritten + 1, _incarnation));
        }

        return reason;
    }

    /// <summary>
    /// Recovery: makes the new incarnation durable (checkpoint) before the torn tails are cut and bad headers rewritten. When
    /// the checkpoint cannot be written (a full disk) they are left as they are: appends overwrite the torn bytes from the
    /// last intact record on (after retrying the checkpoint), and anything left is found again at the next open, which then
    /// makes another new incarnation.
    /// </summary>
    private void ApplyRepairs()
    {
        if (_repairs.Count > 0 && TryWriteCheckpoint())
        {
            foreach (Action repair in _repairs)
            {
                repair();
            }
        }

        _repairs.Clear();
    }
}
