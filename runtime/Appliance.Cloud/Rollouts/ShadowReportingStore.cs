using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Rollouts;

/// <summary>
/// The collector's store when the rollout controller runs: stores each batch in the inner store, then hands the shadow
/// reports of the batch's heartbeats (item [10]) to <see cref="RolloutController.Record"/>. A report that cannot be kept is
/// counted (<see cref="Faults"/>) and the batch still counts as stored (the next heartbeat carries the device's totals again).
/// </summary>
/// <param name="inner">The store.</param>
/// <param name="controller">The controller that keeps the reports.</param>
public sealed class ShadowReportingStore(ICollectorStore inner, RolloutController controller) : ForwardingStore(inner)
{
    private long _faults;

    /// <summary>Heartbeats whose shadow reports could not be kept.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <inheritdoc/>
    public override StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
    {
        var result = Inner.Store(batch, malformedDropped, receivedNs);
        foreach (var e in batch)
        {
            if (e.Body is Heartbeat { Shadow.Count: > 0 } h)
            {
                try
                {
                    controller.Record(e.DeviceId, receivedNs, h.Shadow);
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
                {
                    Interlocked.Increment(ref _faults);
                }
            }
        }

        return result;
    }
}
