using Appliance.Kernels.Windows;
using Appliance.Kernels.Statistics;

namespace Appliance.Benchmarks.Kernels;

/// <summary>
/// The window path the device pipeline had before it read the ring in place (runtime TumblingWindow until then), kept
/// here only as the benchmarks' baseline: every sample copied into one preallocated buffer per channel, the fused kernel
/// over the buffers when a sample at or past the window's end arrives.
/// </summary>
internal sealed class CopyingWindow(int channels, TimeSpan length, int capacity)
{
    private readonly float[][] _buffers = [.. Enumerable.Range(0, channels).Select(_ => new float[capacity])];
    private readonly long _lengthNs = length.Ticks * 100;
    private int _count;
    private long _startNs = long.MinValue;

    public bool Add(long timestampNs, ReadOnlySpan<float> values, Span<WindowFeatures> closed)
    {
        var closedOne = false;
        if (_startNs == long.MinValue)
        {
            _startNs = timestampNs - (timestampNs % _lengthNs);
        }
        else if (timestampNs >= _startNs + _lengthNs)
        {
            if (_count > 0)
            {
                for (var c = 0; c < _buffers.Length; c++)
                {
                    closed[c] = WindowStatistics.Compute(_buffers[c].AsSpan(0, _count));
                }

                _count = 0;
                closedOne = true;
            }

            _startNs = timestampNs - (timestampNs % _lengthNs);
        }
        else if (timestampNs < _startNs)
        {
            return false;
        }

        if (_count == _buffers[0].Length)
        {
            return closedOne;
        }

        for (var c = 0; c < _buffers.Length; c++)
        {
            _buffers[c][_count] = values[c];
        }

        _count++;
        return closedOne;
    }
}
