using System.Diagnostics;
using Appliance.Kernels.Quantiles;

namespace Appliance.Device.Uplink;

/// <summary>
/// Acknowledgement latencies of simulated devices (<see cref="SimulatedDevice"/>): from just before a summary is enqueued
/// (journal append and fsync included) to the moment the uplink thread sees the outbox's acknowledged mark pass it. Kept in one
/// DDSketch of relative accuracy 1 % (Masson, Rim and Lee 2019: every quantile within 1 % of the true sample quantile), under a
/// lock, so any number of device threads may record; adding allocates nothing once the sketch's bins cover the range.
/// </summary>
public sealed class AckLatency
{
    private readonly object _gate = new();
    private readonly DDSketch _ms = new(0.01);

    /// <summary>Latencies recorded.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _ms.Count;
            }
        }
    }

    /// <summary>Records one latency.</summary>
    /// <param name="elapsedTicks">The latency in <see cref="Stopwatch"/> ticks.</param>
    public void Record(long elapsedTicks)
    {
        double ms = elapsedTicks * 1000.0 / Stopwatch.Frequency;
        lock (_gate)
        {
            _ms.Add(ms);
        }
    }

    /// <summary>The q-quantile of the recorded latencies, ms (within 1 % relative); NaN when none were recorded.</summary>
    /// <param name="q">The quantile, 0 to 1.</param>
    /// <returns>Milliseconds.</returns>
    public double QuantileMs(double q)
    {
        lock (_gate)
        {
            return _ms.Count == 0 ? double.NaN : _ms.Quantile(q);
        }
    }

    /// <summary>
    /// The sketch's state for a merge in another process (<c>appliance bench fleet --device-processes</c>): the key of the first
    /// positive bin, the counts of consecutive keys from it (<see cref="DDSketch.Bins"/>) and the zero count. Latencies are never
    /// negative, so there are no negative bins. Allocates the array.
    /// </summary>
    /// <param name="offset">The key of the first count.</param>
    /// <param name="zeros">Latencies counted as zero.</param>
    /// <returns>The counts.</returns>
    public long[] Bins(out int offset, out long zeros)
    {
        lock (_gate)
        {
            zeros = _ms.ZeroCount;
            return _ms.Bins(false, out offset);
        }
    }

    /// <summary>Adds a state given by <see cref="Bins"/> (of another <see cref="AckLatency"/>, same α): a DDSketch merge (§2.3),
    /// so quantiles afterwards are those of all the latencies of both, within 1 %.</summary>
    /// <param name="offset">The key of the first count.</param>
    /// <param name="counts">Counts of consecutive keys.</param>
    /// <param name="zeros">Latencies counted as zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public void Merge(int offset, ReadOnlySpan<long> counts, long zeros)
    {
        lock (_gate)
        {
            for (int i = 0; i < counts.Length; i++)
            {
                _ms.AddBin(false, offset + i, counts[i]);
            }

            _ms.AddZeros(zeros);
        }
    }
}
