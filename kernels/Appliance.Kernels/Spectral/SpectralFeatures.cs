namespace Appliance.Kernels.Spectral;

/// <summary>Spectral features of one frame (see <see cref="SpectralAnalyzer"/> for the definitions and units).</summary>
public readonly record struct SpectralFeatures
{
    /// <summary>Frequency in Hz of the bin with the most power, DC excluded (k = 1..N/2); 0 for a frame with no power.</summary>
    public double DominantFrequencyHz { get; init; }

    /// <summary>Power of the dominant bin, in squared sample units (mean-square, like the band powers).</summary>
    public double DominantPower { get; init; }

    /// <summary>Power-weighted mean frequency Σ f_k·P_k / Σ P_k in Hz; NaN for a frame with no power.</summary>
    public double SpectralCentroidHz { get; init; }

    /// <summary>Total power Σ P_k over all bins: the frame's mean square after mean removal (Parseval), in squared sample units.</summary>
    public double TotalPower { get; init; }
}
