using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>
/// Spectral features of frames of N samples (N a power of two) of a vibration or audio-rate channel: mean removal, Hann
/// window, real FFT (<see cref="RealFft"/>), then the one-sided power per bin, band powers over configured bands, the
/// dominant frequency and the spectral centroid.
/// </summary>
/// <remarks>
/// <para>Window: the periodic ("DFT-even") Hann window w[n] = 0.5 - 0.5·cos(2πn/N) (Harris 1978, "On the use of windows
/// for harmonic analysis with the discrete Fourier transform", Proc. IEEE 66(1), §4.2).</para>
/// <para>Power per bin, one-sided and normalised so that the bins add up to the signal's mean square:
/// P_k = c_k·|X_k|² / (N·S₂) with S₂ = Σ w[n]² and c_k = 1 for k = 0 and k = N/2, else 2 (Heinzel, Rüdiger and
/// Schilling 2002, "Spectrum and spectral density estimation by the DFT", §9, eq. 23-24 with the ENBW). A sine of
/// amplitude A thus has total power A²/2 and white noise of variance σ² has total power σ². Bin k is at f_k = k·fs/N.</para>
/// <para>Band power: Σ P_k over the bins with low ≤ f_k &lt; high. Dominant frequency: f_k of the largest P_k for k ≥ 1.
/// Spectral centroid: Σ f_k·P_k / Σ P_k (power-weighted; Peeters 2004, "A large set of audio features", §6.1 uses the
/// same form with amplitudes).</para>
/// <para>The analyzer owns its FFT plan, window and scratch (allocated once); <see cref="Analyze"/> allocates nothing.
/// Not thread-safe.</para>
/// </remarks>
public sealed class SpectralAnalyzer
{
    private readonly RealFft _fft;
    private readonly double[] _window;
    private readonly double[] _frame;
    private readonly Complex[] _spectrum;
    private readonly double[] _power;
    private readonly (double Low, double High)[] _bands;
    private readonly double _powerScale;

    /// <summary>Creates an analyzer.</summary>
    /// <param name="frameLength">N, samples per frame: a power of two from 2 to 2²⁴.</param>
    /// <param name="sampleRateHz">Sample rate fs in Hz, positive and finite.</param>
    /// <param name="bands">Bands as (low, high) in Hz, 0 ≤ low &lt; high; may be empty.</param>
    /// <exception cref="ArgumentOutOfRangeException">A length, rate or band is out of range (the message names it).</exception>
    public SpectralAnalyzer(int frameLength, double sampleRateHz, ReadOnlySpan<(double Low, double High)> bands)
    {
        if (!(sampleRateHz > 0.0) || !double.IsFinite(sampleRateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRateHz), sampleRateHz, "sample rate must be a positive number of Hz");
        }

        for (int b = 0; b < bands.Length; b++)
        {
            if (!(bands[b].Low >= 0.0) || !(bands[b].High > bands[b].Low) || !double.IsFinite(bands[b].High))
            {
                throw new ArgumentOutOfRangeException(nameof(bands), $"band {b} = [{bands[b].Low}, {bands[b].High}) Hz: expected 0 <= low < high, finite");
            }
        }

        _fft = new RealFft(frameLength);
        SampleRateHz = sampleRateHz;
        _bands = bands.ToArray();
        _window = new double[frameLength];
        double s2 = SpectrumMath.FillWindow(_window, WindowFunction.Hann);
        _powerScale = 1.0 / (frameLength * s2);
        _frame = new double[frameLength];
        _spectrum = new Complex[_fft.BinCount];
        _power = new double[_fft.BinCount];
    }

    /// <summary>N, samples per frame.</summary>
    public int FrameLength => _fft.Length;

    /// <summary>fs in Hz.</summary>
    public double SampleRateHz { get; }

    /// <summary>Number of configured bands.</summary>
    public int BandCount => _bands.Length;

    /// <summary>Bin spacing fs / N in Hz.</summary>
    public double BinWidthHz => SampleRateHz / FrameLength;

    /// <summary>The one-sided power per bin of the last analysed frame, bins 0..N/2 (see the class remarks).</summary>
    public ReadOnlySpan<double> Power => _power;

    /// <summary>Analyses one frame.</summary>
    /// <param name="frame">N samples, oldest first; NaN samples are replaced by the frame mean (a gap, not a spike).</param>
    /// <param name="bandPowers">Receives one power per configured band, in squared sample units; at least <see cref="BandCount"/> long.</param>
    /// <returns>The frame's dominant frequency, centroid and total power.</returns>
    /// <exception cref="ArgumentException">The frame is not N long or bandPowers is too short.</exception>
    public SpectralFeatures Analyze(ReadOnlySpan<float> frame, Span<double> bandPowers)
    {
        if (frame.Length != FrameLength)
        {
            throw new ArgumentException($"frame has {frame.Length} samples, the analyzer is for {FrameLength}", nameof(frame));
        }

        if (bandPowers.Length < _bands.Length)
        {
            throw new ArgumentException($"bandPowers has {bandPowers.Length} slots for {_bands.Length} bands", nameof(bandPowers));
        }

        SpectrumMath.Detrend(frame, _window, _frame);
        _fft.Forward(_frame, _spectrum);
        int last = _spectrum.Length - 1;
        double total = 0.0, weighted = 0.0, best = -1.0;
        int bestBin = 0;
        double binHz = BinWidthHz;
        for (int k = 0; k <= last; k++)
        {
            double c = k == 0 || k == last ? 1.0 : 2.0;
            double p = c * _powerScale * ((_spectrum[k].Real * _spectrum[k].Real) + (_spectrum[k].Imaginary * _spectrum[k].Imaginary));
            _power[k] = p;
            total += p;
            weighted += k * binHz * p;
            if (k >= 1 && p > best)
            {
                best = p;
                bestBin = k;
            }
        }

        for (int b = 0; b < _bands.Length; b++)
        {
            (int from, int to) = SpectrumMath.BandBins(_bands[b].Low, _bands[b].High, binHz, last);
            double e = SpectrumMath.Sum(_power, from, to);
            bandPowers[b] = e;
        }

        return new SpectralFeatures
        {
            DominantFrequencyHz = best > 0.0 ? bestBin * binHz : 0.0,
            DominantPower = Math.Max(best, 0.0),
            SpectralCentroidHz = total > 0.0 ? weighted / total : double.NaN,
            TotalPower = total,
        };
    }
}
