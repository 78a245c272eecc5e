using System.Diagnostics;

namespace Appliance.Device.Metrics;

/// <summary>
/// A fixed-bucket histogram of durations (ONNX run latency), updated with <see cref="Interlocked"/> from the scoring thread
/// and read by the metrics endpoint; recording allocates nothing. Buckets are upper bounds in seconds, as Prometheus'
/// histogram type has them (<c>le</c>); counts are kept per bucket and made cumulative when written.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds: 100 µs to 2.5 s, in 1-2.5-5 steps (CPU and GPU runs of the device's small models).</summary>
    public static readonly double[] Bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly long[] _counts = new long[Bounds.Length + 1]; // the last one: above every bound (+Inf only)
    private long _sumTicks;

    /// <summary>Records one duration measured with <see cref="Stopwatch.GetTimestamp"/>.</summary>
    /// <param name="elapsedTicks">The duration in <see cref="Stopwatch"/> ticks (<see cref="Stopwatch.Frequency"/> per second).</param>
    public void Record(long elapsedTicks)
    {
        var seconds = (double)elapsedTicks / Stopwatch.Frequency;
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumTicks, elapsedTicks);
    }

    /// <summary>Observations recorded so far.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            for (var i = 0; i < _counts.Length; i++)
            {
                n += Interlocked.Read(ref _counts[i]);
            }

            return n;
        }
    }

    /// <summary>The sum of the recorded durations, in seconds.</summary>
    public double SumSeconds => (double)Interlocked.Read(ref _sumTicks) / Stopwatch.Frequency;

    /// <summary>Copies the per-bucket (not cumulative) counts into <paramref name="counts"/>, one more than <see cref="Bounds"/>.</summary>
    /// <param name="counts">Receives <see cref="Bounds"/>.Length + 1 counts; the last is the observations above every bound.</param>
    public void CopyCounts(Span<long> counts)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref _counts[i]);
        }
    }
}
