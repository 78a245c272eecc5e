using Appliance.Contracts.Wire;
using Appliance.Kernels.Quantiles;
using Appliance.Kernels.Windows;

namespace Appliance.Device.Pipeline;

/// <summary>
/// A sensor's per-window quantile sketches (<c>quantiles = α</c>): the window's samples of each channel go into a
/// <see cref="DDSketch"/> as the window folds them (adding allocates nothing); a window that closes with samples leaves its
/// sketch's state (<see cref="QuantileSketch"/>, one small array per sign) for the summary, and the sketch is cleared.
/// </summary>
internal sealed class QuantileTap : IWindowTap
{
    private readonly DDSketch[] _sketches;
    private readonly QuantileSketch?[] _closed;
    private readonly QuantileSketch?[] _pending;

    public QuantileTap(double alpha, int channels)
    {
        _sketches = new DDSketch[channels];
        for (int c = 0; c < channels; c++)
        {
            _sketches[c] = new DDSketch(alpha);
        }

        _closed = new QuantileSketch?[channels];
        _pending = new QuantileSketch?[channels];
    }

    /// <inheritdoc/>
    public void Take(int channel, ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        var sketch = _sketches[channel];
        sketch.Add(first);
        sketch.Add(second);
    }

    /// <inheritdoc/>
    public void Close(bool emitted)
    {
        for (int c = 0; c < _sketches.Length; c++)
        {
            _closed[c] = emitted && _sketches[c].Count > 0 ? QuantileSketch.From(_sketches[c]) : null;
            _sketches[c].Clear();
        }
    }

    /// <summary>The closed window becomes the pending one (with <see cref="SensorStream.PendingFeatures"/>).</summary>
    public void Promote() => _closed.AsSpan().CopyTo(_pending);

    /// <summary>The pending window's sketch of channel <paramref name="channel"/>, or null (no finite samples).</summary>
    public QuantileSketch? Pending(int channel) => _pending[channel];
}

/// <summary>Two taps on one window (spectral features and quantile sketches), called in order.</summary>
internal sealed class WindowTapPair(IWindowTap first, IWindowTap second) : IWindowTap
{
    /// <inheritdoc/>
    public void Take(int channel, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        first.Take(channel, a, b);
        second.Take(channel, a, b);
    }

    /// <inheritdoc/>
    public void Close(bool emitted)
    {
        first.Close(emitted);
        second.Close(emitted);
    }
}
