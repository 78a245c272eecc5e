namespace Appliance.Contracts.Wire;

/// <summary>
/// The spectral features of one window of one channel as sent in a <see cref="Summary"/> (item [5], schema 3), as float32:
/// the Welch-averaged spectrum's dominant line, centroid, spectral kurtosis, envelope line and band RMS (definitions and
/// units on <see cref="Kernels.Spectral.WelchEstimator"/>; frequencies in Hz, amplitudes in the channel's unit).
/// </summary>
/// <remarks>
/// Body: MessagePack array <c>[dominant_hz, dominant_amplitude, centroid_hz, kurtosis, envelope_amplitude, [band_rms...]]</c>,
/// all float32 (NaN where not computed: no envelope line configured). float32 keeps 24 bits: 0.0003 Hz at 5 kHz,
/// 6·10⁻⁸ relative on amplitudes, far below the estimator's own variance.
/// </remarks>
public readonly record struct SpectralSummary
{
    /// <summary>Frequency of the dominant bin, Hz.</summary>
    public float DominantHz { get; init; }

    /// <summary>Amplitude of the dominant line (√(2·ΣP) over its bin and the two beside it), channel units.</summary>
    public float DominantAmplitude { get; init; }

    /// <summary>Power-weighted mean frequency, Hz.</summary>
    public float CentroidHz { get; init; }

    /// <summary>Fourth standardised moment of the power spectrum over frequency (dimensionless).</summary>
    public float Kurtosis { get; init; }

    /// <summary>Envelope-spectrum RMS at the configured characteristic frequency (and harmonics), channel units; NaN when none is configured.</summary>
    public float EnvelopeAmplitude { get; init; }

    /// <summary>RMS per configured band, in the configured order, channel units. The device reuses this buffer for the
    /// channel's next window: a summary is encoded when it is enqueued.</summary>
    public ReadOnlyMemory<float> BandRms { get; init; }
}
