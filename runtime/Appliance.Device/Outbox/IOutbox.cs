namespace Appliance.Device.Outbox;

/// <summary>
/// The sequential store between the pipeline and the uplink: append returns a sequence, the uplink reads
/// from a sequence, and acknowledgements advance a high-water mark below which records may be discarded
/// (the shape of edgeHub's <c>ISequentialStore</c>). Implementations are thread-safe.
/// </summary>
/// <remarks>
/// Sequences are 1-based and increase by one per append. Acknowledgements may arrive out of order;
/// <see cref="HighestAcknowledged"/> is the highest sequence s such that every sequence 1..s is
/// acknowledged. A disk journal (issue 6) implements the same interface.
/// Incarnation: an outbox has a random id (<see cref="Incarnation"/>, 1 to 2^63-1) made when it is created and made anew
/// whenever it loses records it may already have sent (a journal's recovery cutting a torn tail or skipping corrupt
/// records, a wiped state directory, a memory outbox's restart). Records carry the incarnation current when they were
/// appended (the writer encodes it into the envelope), sequences continue across incarnations within one outbox, and
/// a message is identified by (device, incarnation, sequence), so a sequence handed out again after a loss is never
/// taken for one the collector already holds. An acknowledgement names its incarnation and applies only to a record of
/// that incarnation.
/// </remarks>
public interface IOutbox
{
    /// <summary>Highest sequence appended so far; 0 when empty.</summary>
    long HighestWritten { get; }

    /// <summary>High-water mark: every sequence up to and including it is acknowledged; 0 when none.</summary>
    long HighestAcknowledged { get; }

    /// <summary>The incarnation of records appended now (1 to 2^63-1); the writer encodes it into each envelope.</summary>
    long Incarnation { get; }

    /// <summary>Appends one record (an encoded frame) and returns its sequence.</summary>
    /// <param name="record">The record bytes; copied.</param>
    /// <returns>The new record's sequence, <see cref="HighestWritten"/> + 1.</returns>
    /// <exception cref="OutboxFullException">The outbox stayed full for the implementation's append timeout.</exception>
    long Append(ReadOnlySpan<byte> record);

    /// <summary>
    /// Adds to <paramref name="into"/> up to <paramref name="max"/> records not yet acknowledged, with
    /// sequence ≥ <paramref name="sequence"/>, in ascending order. Does not clear <paramref name="into"/>.
    /// </summary>
    /// <param name="sequence">First sequence wanted.</param>
    /// <param name="max">Most records to add.</param>
    /// <param name="into">Receives (sequence, record) pairs; the record arrays are shared, do not modify them.</param>
    /// <returns>Number of records added.</returns>
    int ReadFrom(long sequence, int max, List<(long Seq, byte[] Record)> into);

    /// <summary>Marks one sequence of one incarnation as stored by the collector.</summary>
    /// <param name="incarnation">The acknowledgement's incarnation (0 for records written without one).</param>
    /// <param name="sequence">The sequence acknowledged.</param>
    /// <returns>True when this newly acknowledged a written, unacknowledged record of that incarnation; false for a repeat,
    /// a sequence never written, or a record of another incarnation (all harmless: acknowledgements are idempotent, and one
    /// for another incarnation acknowledges a message this outbox no longer holds or never held).</returns>
    bool Acknowledge(long incarnation, long sequence);

    /// <summary>Highest sequence on stable storage; <see cref="ReadFrom"/> never returns a record above it, so nothing
    /// is sent that a crash could un-write. Equal to <see cref="HighestWritten"/> for stores with no durability step.</summary>
    long HighestDurable => HighestWritten;

    /// <summary>Makes every appended record durable (group commit); a no-op for stores with no durability step.</summary>
    void Sync()
    {
    }
}
