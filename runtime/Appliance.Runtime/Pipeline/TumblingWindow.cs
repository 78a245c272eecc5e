using Appliance.Kernels.Statistics;

namespace Appliance.Runtime.Pipeline;

/// <summary>
/// Tumbling windows by time over one sensor's C channels: windows are aligned to multiples of the length since the
/// Unix epoch (<c>[k·L, (k+1)·L)</c>), so that windows of different devices and sensors line up and merge. A sample whose
/// timestamp reaches the current window's end closes it; empty windows in a gap are not emitted.
/// </summary>
/// <remarks>
/// Samples are copied once, from the ring into one preallocated buffer per channel, and the fused kernel runs over
/// that span when the window closes: no allocation per sample or per window in steady state.
/// </remarks>
public sealed class TumblingWindow
{
    private readonly float[][] _buffers;
    private readonly long _lengthNs;
    private int _count;
    private long _startNs = long.MinValue;
    private long _lateSamples;
    private long _overflowSamples;

    /// <summary>Creates the window state.</summary>
    /// <param name="channels">C: values per sample.</param>
    /// <param name="length">The window length (at least 1 ms).</param>
    /// <param name="capacity">Most samples one window holds; more are counted in <see cref="OverflowSamples"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public TumblingWindow(int channels, TimeSpan length, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, TimeSpan.FromMilliseconds(1));
        _lengthNs = length.Ticks * 100;
        _buffers = new float[channels][];
        for (var c = 0; c < channels; c++)
        {
            _buffers[c] = new float[capacity];
        }
    }

    /// <summary>Samples older than the current window (out of order), dropped and counted.</summary>
    public long LateSamples => _lateSamples;

    /// <summary>Samples beyond the window's capacity, dropped and counted.</summary>
    public long OverflowSamples => _overflowSamples;

    /// <summary>Start of the open window (Unix ns), or <see cref="long.MinValue"/> before the first sample.</summary>
    public long StartNs => _startNs;

    /// <summary>Samples in the open window.</summary>
    public int Count => _count;

    /// <summary>
    /// Adds one sample. When <paramref name="timestampNs"/> lies at or past the open window's end, the open window is
    /// closed first and its features written to <paramref name="closed"/> (one per channel).
    /// </summary>
    /// <returns>True when a window was closed.</returns>
    public bool Add(long timestampNs, ReadOnlySpan<float> values, Span<WindowFeatures> closed, out long closedStartNs, out long closedEndNs)
    {
        var closedOne = false;
        closedStartNs = closedEndNs = 0;
        if (_startNs == long.MinValue)
        {
            _startNs = AlignDown(timestampNs);
        }
        else if (timestampNs >= _startNs + _lengthNs)
        {
            closedOne = Close(closed, out closedStartNs, out closedEndNs);
            _startNs = AlignDown(timestampNs);
        }
        else if (timestampNs < _startNs)
        {
            _lateSamples++;
            return false;
        }

        if (_count == _buffers[0].Length)
        {
            _overflowSamples++;
            return closedOne;
        }

        for (var c = 0; c < _buffers.Length; c++)
        {
            _buffers[c][_count] = values[c];
        }

        _count++;
        return closedOne;
    }

    /// <summary>Closes the open window (for example at the end of a replay) if it holds samples.</summary>
    /// <returns>True when a window was closed.</returns>
    public bool Flush(Span<WindowFeatures> closed, out long startNs, out long endNs) => Close(closed, out startNs, out endNs);

    private bool Close(Span<WindowFeatures> closed, out long startNs, out long endNs)
    {
        startNs = _startNs;
        endNs = _startNs + _lengthNs;
        if (_count == 0)
        {
            return false;
        }

        for (var c = 0; c < _buffers.Length; c++)
        {
            closed[c] = WindowStatistics.Compute(_buffers[c].AsSpan(0, _count));
        }

        _count = 0;
        return true;
    }

    private long AlignDown(long t)
    {
        var r = t % _lengthNs;
        return r >= 0 ? t - r : t - r - _lengthNs;
    }
}
