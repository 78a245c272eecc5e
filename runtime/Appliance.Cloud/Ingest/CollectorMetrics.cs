using System.Diagnostics;
using System.Diagnostics.Metrics;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// The collector's instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>), exported by the HTTP surface's
/// <c>/metrics</c> in the Prometheus text format. Names follow the Prometheus naming conventions (base units, <c>_total</c>
/// added to counters by the exporter): <c>appliance_collector_summaries_stored_total</c> (summaries newly stored; a rate of it
/// is summaries stored per second), <c>appliance_collector_messages_stored_total</c>, <c>appliance_collector_duplicates_total</c>,
/// <c>appliance_collector_malformed_total</c>, <c>appliance_collector_store_faults_total</c>,
/// <c>appliance_collector_store_commit_seconds</c> (histogram of one batch's store transaction, commit included) and
/// <c>appliance_collector_connected_devices</c> (device routes the ROUTER holds now). No label carries a device id.
/// </summary>
public sealed class CollectorMetrics : IDisposable
{
    /// <summary>The meter's name, for an exporter's <c>AddMeter</c>.</summary>
    public const string MeterName = "Appliance.Collector";

    // Commit latency buckets, seconds: an fsync on SSD is ~0.1-2 ms, on a loaded disk 10-100 ms.
    private static readonly double[] CommitBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _summaries;
    private readonly Counter<long> _stored;
    private readonly Histogram<double> _commit;
    private Func<CollectorCounters>? _counters;

    /// <summary>Creates the instruments; the counters read from the collector once <see cref="Observe"/> names it.</summary>
    public CollectorMetrics()
    {
        _summaries = _meter.CreateCounter<long>("appliance_collector_summaries_stored", null, "Summaries newly stored (not duplicates)");
        _stored = _meter.CreateCounter<long>("appliance_collector_messages_stored", null, "Device messages newly stored: summaries, alerts, heartbeats");
        _commit = _meter.CreateHistogram("appliance_collector_store_commit", "s", "Time of one batch's store transaction, commit included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        _meter.CreateObservableCounter("appliance_collector_duplicates", () => Read().Duplicates, null, "Messages received again after being stored (acknowledged, not stored twice)");
        _meter.CreateObservableCounter("appliance_collector_malformed", () => Read().Malformed, null, "Frames dropped: undecodable, oversized, out of bounds or not device data");
        _meter.CreateObservableCounter("appliance_collector_store_faults", () => Read().StoreFaults, null, "Batches the store failed to commit (not acknowledged)");
        _meter.CreateObservableGauge("appliance_collector_connected_devices", () => Read().Routes, null, "Device routes the collector's ROUTER holds now");
    }

    /// <summary>Names the collector whose counters the observable instruments read.</summary>
    /// <param name="counters">A snapshot of the collector's counters (<see cref="Collector.Counters"/>).</param>
    public void Observe(Func<CollectorCounters> counters) => _counters = counters;

    /// <summary>Wraps <paramref name="store"/> so that each batch it stores is timed and counted here.</summary>
    /// <param name="store">The collector's store.</param>
    /// <returns>A store that forwards every call to <paramref name="store"/>.</returns>
    public ICollectorStore Measure(ICollectorStore store) => new MeasuredStore(store, this);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private CollectorCounters Read() => _counters?.Invoke() ?? default;

    /// <summary>A store that times and counts each batch for <see cref="CollectorMetrics"/>.</summary>
    internal sealed class MeasuredStore(ICollectorStore inner, CollectorMetrics metrics) : ForwardingStore(inner)
    {
        public override StoreBatchResult Store(IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs)
        {
            long start = Stopwatch.GetTimestamp();
            StoreBatchResult result = Inner.Store(batch, malformedDropped, receivedNs);
            metrics._commit.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
            metrics._stored.Add(result.Stored);
            if (result.Stored > 0)
            {
                // The store reports totals, not kinds: a batch with no duplicates stored all its summaries; one with
                // duplicates (retransmissions, rare) is counted as at most what it stored.
                int summaries = 0;
                foreach (Envelope e in batch)
                {
                    summaries += e.Body is Summary ? 1 : 0;
                }

                metrics._summaries.Add(result.Duplicates == 0 ? summaries : Math.Min(summaries, result.Stored));
            }

            return result;
        }
    }
}
