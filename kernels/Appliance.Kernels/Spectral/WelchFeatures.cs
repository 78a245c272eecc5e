namespace Appliance.Kernels.Spectral;

/// <summary>The spectral features of one window, from its Welch-averaged spectrum (definitions on <see cref="WelchEstimator"/>).</summary>
public readonly record struct WelchFeatures
{
    /// <summary>Frames averaged: ⌊(L − N)/(N/2)⌋ + 1 for L ≥ N samples; 0 when the window held fewer than N (every value then NaN).</summary>
    public int Frames { get; init; }

    /// <summary>Centre frequency k·fs/N in Hz of the bin with the most averaged power, k ≥ 1 (no interpolation).</summary>
    public double DominantHz { get; init; }

    /// <summary>Amplitude of the dominant line, √(2·Σ P_k) over the dominant bin and its two neighbours, in sample units:
    /// A for a sine A·sin(2πft) on a bin centre (≥ 0.99·A anywhere between bins with Hann, ≥ 0.92·A without a window).</summary>
    public double DominantAmplitude { get; init; }

    /// <summary>Spectral centroid μ = Σ f_k·P_k / Σ P_k in Hz.</summary>
    public double CentroidHz { get; init; }

    /// <summary>Spectral kurtosis Σ (f_k − μ)⁴·P_k / (σ⁴·Σ P_k), σ² = Σ (f_k − μ)²·P_k / Σ P_k (dimensionless; Peeters 2004).</summary>
    public double Kurtosis { get; init; }

    /// <summary>RMS of the envelope spectrum around the characteristic frequency and its harmonics, in sample units; NaN
    /// when no envelope or no characteristic frequency is configured.</summary>
    public double EnvelopeAmplitude { get; init; }

    /// <summary>Σ P_k: the mean square of the mean-removed window (Parseval), in squared sample units.</summary>
    public double MeanSquare { get; init; }
}
