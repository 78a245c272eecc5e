using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Where the <see cref="Collector"/> keeps what devices send. Idempotent by (device id, incarnation, sequence): storing
/// a message twice stores it once and reports a duplicate. Called from the collector's one thread; the
/// query methods may be called from any thread. Disposing closes the store's connection.
/// </summary>
public interface ICollectorStore : IDisposable
{
    /// <summary>
    /// Stores a batch in one transaction; when it returns, the batch is durable and may be acknowledged.
    /// </summary>
    /// <param name="batch">Device messages (summary, alert, heartbeat envelopes).</param>
    /// <param name="malformedDropped">Frames dropped since the last call, added to the persisted counter in the same transaction.</param>
    /// <param name="receivedNs">Receive time, UTC Unix ns, recorded as the devices' last-seen time.</param>
    /// <returns>How many were stored and how many were duplicates.</returns>
    /// <exception cref="ArgumentException">An envelope carries an acknowledgement or command (not device data).</exception>
    StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs);

    /// <summary>Records whether the collector writing to the store authenticates device identities (a CURVE allow-list)
    /// or not; <see cref="GetStats"/> reports it. The default does nothing (stores for tests).</summary>
    /// <param name="authenticated">True under a CURVE allow-list.</param>
    void RecordIdentities(bool authenticated)
    {
    }

    /// <summary>Reads the totals.</summary>
    /// <returns>The totals.</returns>
    CollectorStats GetStats();

    /// <summary>Reads stored summaries ordered by window start, then device and sequence.</summary>
    /// <param name="deviceId">Only this device; null for all.</param>
    /// <param name="sinceNs">Only windows starting at or after this UTC Unix ns.</param>
    /// <param name="limit">Most rows returned; at least 1.</param>
    /// <returns>The summaries.</returns>
    IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit);

    /// <summary>Reads every device the store has seen, ordered by id.</summary>
    /// <returns>The devices.</returns>
    IReadOnlyList<DeviceRecord> GetDevices();

}
