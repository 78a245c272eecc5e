using Appliance.Contracts.Config;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Spectral;
using Appliance.Kernels.Windows;

namespace Appliance.Device.Pipeline;

/// <summary>
/// A sensor's spectral features per window: one <see cref="WelchEstimator"/> per analysed channel takes each run of
/// samples its <see cref="TumblingWindow"/> folds (where the ring holds them, one or two segments; each frame is copied
/// once into the estimator's preallocated frame buffer), and at the close the window's features are kept beside its
/// time-domain features until the window is emitted. Worker thread only; allocates nothing after construction.
/// </summary>
internal sealed class SpectralTap : IWindowTap
{
    private readonly WelchEstimator?[] _estimators;
    private readonly double[] _scratch;
    private readonly SpectralSummary?[] _closed;
    private readonly float[][] _closedBands;
    private readonly SpectralSummary?[] _pending;
    private readonly float[][] _pendingBands;

    /// <summary>Creates the estimators for the channels <paramref name="settings"/> covers.</summary>
    /// <param name="settings">The sensor's <c>spectral</c> table.</param>
    /// <param name="channels">The sensor's channel names, in sample order.</param>
    /// <param name="rateHz">The sensor's configured rate, Hz (the frequency axis assumes it).</param>
    /// <exception cref="ArgumentException">A channel listed in the settings is not one of the sensor's.</exception>
    public SpectralTap(SpectralSettings settings, IReadOnlyList<string> channels, double rateHz)
    {
        foreach (var listed in settings.Channels ?? [])
        {
            if (!channels.Contains(listed, StringComparer.Ordinal))
            {
                throw new ArgumentException($"spectral.channels: '{listed}' is not a channel of this sensor (it has: {string.Join(", ", channels)})", nameof(settings));
            }
        }

        int bands = settings.Options.Bands.Count;
        _estimators = new WelchEstimator?[channels.Count];
        _closed = new SpectralSummary?[channels.Count];
        _pending = new SpectralSummary?[channels.Count];
        _closedBands = new float[channels.Count][];
        _pendingBands = new float[channels.Count][];
        _scratch = new double[bands];
        for (int c = 0; c < channels.Count; c++)
        {
            _estimators[c] = settings.Covers(channels[c]) ? new WelchEstimator(settings.Options, rateHz) : null;
            _closedBands[c] = new float[bands];
            _pendingBands[c] = new float[bands];
        }
    }

    /// <summary>Windows closed with fewer samples than one frame (no spectral features sent for them), all channels.</summary>
    public long ShortWindows { get; private set; }

    /// <inheritdoc/>
    public void Take(int channel, ReadOnlySpan<float> first, ReadOnlySpan<float> second)
    {
        var estimator = _estimators[channel];
        estimator?.Add(first);
        estimator?.Add(second);
    }

    /// <inheritdoc/>
    public void Close(bool emitted)
    {
        for (int c = 0; c < _estimators.Length; c++)
        {
            var estimator = _estimators[c];
            _closed[c] = null;
            if (estimator is null)
            {
                continue;
            }

            if (!emitted)
            {
                estimator.Reset();
                continue;
            }

            WelchFeatures f = estimator.Complete(_scratch);
            if (f.Frames == 0)
            {
                ShortWindows++;
                continue;
            }

            var bands = _closedBands[c];
            for (int b = 0; b < bands.Length; b++)
            {
                bands[b] = (float)_scratch[b];
            }

            _closed[c] = new SpectralSummary
            {
                DominantHz = (float)f.DominantHz,
                DominantAmplitude = (float)f.DominantAmplitude,
                CentroidHz = (float)f.CentroidHz,
                Kurtosis = (float)f.Kurtosis,
                EnvelopeAmplitude = (float)f.EnvelopeAmplitude,
                BandRms = bands,
            };
        }
    }

    /// <summary>The closed window becomes the pending one (with <see cref="SensorStream.PendingFeatures"/>).</summary>
    public void Promote()
    {
        for (int c = 0; c < _closed.Length; c++)
        {
            if (_closed[c] is { } closed)
            {
                _closedBands[c].CopyTo(_pendingBands[c], 0);
                _pending[c] = closed with { BandRms = _pendingBands[c] };
            }
            else
            {
                _pending[c] = null;
            }
        }
    }

    /// <summary>The pending window's spectral features of channel <paramref name="channel"/>, or null (not analysed, or
    /// shorter than a frame). Its band RMS buffer is reused for the channel's next window.</summary>
    public SpectralSummary? Pending(int channel) => _pending[channel];
}
