using System.Data.Common;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// Stores a batch so that one bad row never fails its neighbours: when the whole batch fails, it is split in halves and
/// each half stored on its own, down to single messages. A message that fails alone while others of its batch committed is
/// quarantined: counted, logged and not stored; the collector acknowledges it (<see cref="Result.QuarantinedAt"/>), since
/// a message the store refuses on its own would be refused again on every resend and stall its device for good. When
/// nothing of the batch commits, the store itself is failing: that is one store fault, nothing is quarantined. A failure
/// of the database rather than of the rows (<see cref="IsTransient"/>: connection lost, server restarting, disk full) is
/// not bisected at all: nothing of that part commits or is quarantined, so nothing is acknowledged that was not committed
/// (a message quarantined while the database restarted would be acknowledged and never stored).
/// </summary>
internal static class BisectingWriter
{
    /// <summary>What one <see cref="Write"/> committed.</summary>
    /// <param name="Stored">Messages newly stored.</param>
    /// <param name="Duplicates">Messages already stored.</param>
    /// <param name="Committed">Per message of the batch: true when its sub-batch committed (it may be acknowledged).</param>
    /// <param name="Quarantined">Messages that failed alone while others committed.</param>
    /// <param name="QuarantinedAt">Per message of the batch: true when it was quarantined (counted; it may be acknowledged).</param>
    /// <param name="Fault">The first store exception (the whole batch failed at least once), or null when it committed at once.</param>
    /// <param name="MalformedCommitted">True when the pending malformed count was committed with some sub-batch.</param>
    public sealed record Result(int Stored, int Duplicates, bool[] Committed, int Quarantined, bool[] QuarantinedAt, Exception? Fault, bool MalformedCommitted);

    /// <summary>True for the exceptions a store throws for a failed statement or connection.</summary>
    public static bool IsStoreFault(Exception ex) =>
        ex is DbException or IOException or InvalidOperationException or ObjectDisposedException or ArgumentException or InvalidCastException or OverflowException;

    /// <summary>True for a failure of the database itself, not of a row: <see cref="DbException.IsTransient"/> (Npgsql: broken
    /// connection, admin/crash shutdown, cannot connect now, disk full, out of memory, too many connections, serialization and
    /// deadlock; SQLite: busy, locked) and SQLite's full disk (SQLITE_FULL, 13) and I/O error (SQLITE_IOERR, 10).</summary>
    public static bool IsTransient(Exception ex) =>
        ex is DbException { IsTransient: true } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 13 or 10 };

    /// <summary>Stores <paramref name="batch"/>, bisecting on failure (at most 2n - 1 store calls for n messages).</summary>
    /// <param name="store">The store.</param>
    /// <param name="batch">The messages.</param>
    /// <param name="malformedDropped">Malformed frames to add to the persisted counter with the first sub-batch that commits.</param>
    /// <param name="receivedNs">Receive time, UTC Unix ns.</param>
    /// <param name="onQuarantine">Called for each quarantined message with its store exception.</param>
    /// <returns>What committed.</returns>
    public static Result Write(ICollectorStore store, List<Envelope> batch, long malformedDropped, long receivedNs, Action<Envelope, Exception> onQuarantine)
    {
        var committed = new bool[batch.Count];
        int stored = 0, duplicates = 0;
        long pendingMalformed = malformedDropped;
        Exception? fault = null;
        var failedAlone = new List<(int Index, Exception Error)>();

        void Range(int start, int count)
        {
            try
            {
                List<Envelope> part = start == 0 && count == batch.Count ? batch : batch.GetRange(start, count);
                StoreBatchResult r = store.Store(part, pendingMalformed, receivedNs);
                pendingMalformed = 0;
                stored += r.Stored;
                duplicates += r.Duplicates;
                Array.Fill(committed, true, start, count);
            }
            catch (Exception ex) when (IsStoreFault(ex))
            {
                fault ??= ex;
                if (IsTransient(ex))
                {
                    return; // the database failed, not these rows: not committed, not quarantined, resent by the devices
                }

                if (count == 1)
                {
                    failedAlone.Add((start, ex));
                    return;
                }

                int half = count / 2;
                Range(start, half);
                Range(start + half, count - half);
            }
        }

        if (batch.Count == 0)
        {
            try
            {
                store.Store(batch, pendingMalformed, receivedNs);
                return new Result(0, 0, committed, 0, committed, null, true);
            }
            catch (Exception ex) when (IsStoreFault(ex))
            {
                return new Result(0, 0, committed, 0, committed, ex, false);
            }
        }

        Range(0, batch.Count);
        bool anyCommitted = Array.IndexOf(committed, true) >= 0;
        int quarantined = 0;
        var quarantinedAt = new bool[batch.Count];
        if (anyCommitted)
        {
            foreach ((int index, Exception error) in failedAlone)
            {
                quarantined++;
                quarantinedAt[index] = true;
                onQuarantine(batch[index], error);
            }
        }

        return new Result(stored, duplicates, committed, quarantined, quarantinedAt, fault, pendingMalformed == 0);
    }
}
