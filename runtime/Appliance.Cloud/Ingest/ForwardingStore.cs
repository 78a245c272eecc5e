using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Ingest;

/// <summary>A store that wraps another and passes it every call but <see cref="Store"/> (the metrics' measuring wrapper, the
/// <see cref="ThrottledStore"/>); disposing it disposes the inner store.</summary>
/// <param name="inner">The store wrapped.</param>
public abstract class ForwardingStore(ICollectorStore inner) : ICollectorStore
{
    /// <summary>The store wrapped.</summary>
    public ICollectorStore Inner => inner;

    /// <inheritdoc/>
    public abstract StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs);

    /// <inheritdoc/>
    public void RecordIdentities(bool authenticated) => inner.RecordIdentities(authenticated);

    /// <inheritdoc/>
    public CollectorStats GetStats() => inner.GetStats();

    /// <inheritdoc/>
    public IReadOnlyList<StoredSummary> GetSummaries(string? deviceId, long sinceNs, int limit) => inner.GetSummaries(deviceId, sinceNs, limit);

    /// <inheritdoc/>
    public IReadOnlyList<DeviceRecord> GetDevices() => inner.GetDevices();

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the inner store when <paramref name="disposing"/>.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string? ToString() => inner.ToString();
}
