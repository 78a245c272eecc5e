namespace Appliance.Kernels.Spectral;

/// <summary>The window function a <see cref="WelchEstimator"/> applies to each frame.</summary>
public enum WindowFunction
{
    /// <summary>The periodic Hann window w[n] = 0.5 − 0.5·cos(2πn/N) (Harris 1978, §4.2).</summary>
    Hann,

    /// <summary>No window (rectangular, w[n] = 1).</summary>
    None,
}

/// <summary>What a <see cref="WelchEstimator"/> computes (the <c>spectral = { ... }</c> table of a sensor).</summary>
public sealed record SpectralOptions
{
    /// <summary>N, samples per FFT frame: a power of two from 8 to 65536 (frames overlap by N/2).</summary>
    public int Size { get; init; } = 4096;

    /// <summary>The window applied to each frame.</summary>
    public WindowFunction Window { get; init; } = WindowFunction.Hann;

    /// <summary>Bands as [low, high) in Hz, 0 ≤ low &lt; high ≤ fs/2; band RMS is reported in this order.</summary>
    public IReadOnlyList<(double Low, double High)> Bands { get; init; } = [];

    /// <summary>True to compute the envelope spectrum (Hilbert transform, |analytic signal|, mean removed, its spectrum).</summary>
    public bool Envelope { get; init; }

    /// <summary>The characteristic frequency in Hz whose envelope-spectrum RMS is reported (e.g. a bearing's BPFO); NaN: none.</summary>
    public double EnvelopeHz { get; init; } = double.NaN;

    /// <summary>Half-width in Hz of the band around each envelope line; NaN: two bins (2·fs/N), the Hann main lobe's half width.</summary>
    public double EnvelopeToleranceHz { get; init; } = double.NaN;

    /// <summary>Harmonics of <see cref="EnvelopeHz"/> summed (1: the fundamental only; h: f, 2f, .., h·f).</summary>
    public int EnvelopeHarmonics { get; init; } = 1;

    /// <summary>Checks the options against the sample rate.</summary>
    /// <param name="sampleRateHz">fs in Hz.</param>
    /// <returns>Null when valid, else one line naming the key (size, window, bands, envelope_hz, ...) and what was expected.</returns>
    public string? Validate(double sampleRateHz)
    {
        double nyquist = sampleRateHz / 2.0;
        if (!(sampleRateHz > 0.0) || !double.IsFinite(sampleRateHz))
        {
            return $"rate: expected a positive sample rate in Hz for spectral features, got {sampleRateHz}";
        }

        if (Size < 8 || Size > 65536 || (Size & (Size - 1)) != 0)
        {
            return $"size: expected a power of two from 8 to 65536, got {Size}";
        }

        double previousHigh = double.NegativeInfinity;
        for (int b = 0; b < Bands.Count; b++)
        {
            (double low, double high) = Bands[b];
            if (!(low >= 0.0) || !(high > low) || !(high <= nyquist))
            {
                return $"bands[{b}]: expected [low, high] with 0 <= low < high <= {nyquist:R} Hz (Nyquist of {sampleRateHz:R} Hz), got [{low:R}, {high:R}]";
            }

            if (low < previousHigh)
            {
                return $"bands[{b}]: expected bands in ascending order without overlap, [{low:R}, {high:R}] starts before the previous band ends at {previousHigh:R} Hz";
            }

            previousHigh = high;
        }

        if (!double.IsNaN(EnvelopeHz) && (!Envelope || !(EnvelopeHz > 0.0) || !(EnvelopeHz < nyquist)))
        {
            return Envelope
                ? $"envelope_hz: expected a frequency above 0 and below {nyquist:R} Hz, got {EnvelopeHz:R}"
                : "envelope_hz: needs envelope = true";
        }

        if (!double.IsNaN(EnvelopeToleranceHz) && !(EnvelopeToleranceHz > 0.0 && EnvelopeToleranceHz < nyquist))
        {
            return $"envelope_tolerance_hz: expected a positive half-width below {nyquist:R} Hz, got {EnvelopeToleranceHz:R}";
        }

        if (EnvelopeHarmonics < 1 || EnvelopeHarmonics > 64)
        {
            return $"envelope_harmonics: expected 1 to 64, got {EnvelopeHarmonics}";
        }

        return null;
    }
}
