using System.Numerics;

namespace Appliance.Kernels.Spectral;

/// <summary>
/// Welch-averaged spectral features of one channel's window (Welch 1967, "The use of fast Fourier transform for the
/// estimation of power spectra", IEEE Trans. Audio Electroacoust. 15(2)): the window's samples are cut into frames of N
/// samples overlapping by N/2 (frame j starts at sample j·N/2; a tail shorter than a frame is not used), each frame has
/// its mean removed (NaN samples take that mean), is windowed (<see cref="WindowFunction"/>) and transformed
/// (<see cref="RealFft"/>), and the one-sided powers of the frames are averaged.
/// </summary>
/// <remarks>
/// <para>Power per bin, one-sided, normalised so that the bins add up to the mean square (Heinzel, Rüdiger and Schilling
/// 2002, "Spectrum and spectral density estimation by the DFT", §9, eq. 23-24; the power normalisation of the Hann window,
/// Harris 1978, Proc. IEEE 66(1), §4.2): P_k = c_k·|X_k|² / (N·S₂), S₂ = Σ w[n]², c_k = 1 at DC and Nyquist, else 2.
/// The PSD is P_k / Δf with Δf = fs/N; its integral over a band is Σ P_k, so band RMS = √(Σ P_k) over the bins with
/// low ≤ k·Δf &lt; high: a sine of amplitude A inside a band gives A/√2 (Parseval), white noise of variance σ² over
/// [0, fs/2] gives σ.</para>
/// <para>Dominant line, centroid and spectral kurtosis: see <see cref="WelchFeatures"/>; kurtosis is the fourth standardised
/// moment of the averaged power spectrum taken as a distribution over frequency (Peeters 2004, "A large set of audio
/// features for sound description", IRCAM, §6.1, with power weights).</para>
/// <para>Envelope (when enabled): per frame, the analytic signal x_a = x + i·H{x} of the mean-removed frame by the FFT
/// Hilbert transform (Marple 1999, "Computing the discrete-time analytic signal via FFT", IEEE Trans. SP 47(9): X_k
/// doubled for 0 &lt; k &lt; N/2, kept at DC and N/2, zeroed above, inverse FFT; scipy.signal.hilbert), its magnitude
/// |x_a| (the envelope), the envelope's mean removed, windowed and transformed like a frame, its powers averaged.
/// The envelope amplitude is √(Σ P_env,k) over the bins within ±tolerance of h·f_c for h = 1..harmonics: for
/// x = (1 + m·cos 2πf_m t)·cos 2πf_c t it is m/√2 at f_m.</para>
/// <para>Streaming: <see cref="Add"/> takes the window's samples in any number of runs (for example the two segments of a
/// ring); a frame is copied once into a preallocated N-sample buffer. Every buffer is allocated at construction;
/// <see cref="Add"/> and <see cref="Complete"/> allocate nothing. Not thread-safe.</para>
/// </remarks>
public sealed class WelchEstimator
{
    private readonly RealFft _fft;
    private readonly ComplexFft? _hilbert;
    private readonly (double Low, double High)[] _bands;
    private readonly double[] _window;
    private readonly float[] _raw;
    private readonly double[] _frame;
    private readonly Complex[] _spectrum;
    private readonly Complex[]? _analytic;
    private readonly double[] _sums;
    private readonly double[]? _envelopeSums;
    private readonly double[] _power;
    private readonly double[]? _envelopePower;
    private readonly double _powerScale;
    private readonly double _envelopeHz;
    private readonly double _toleranceHz;
    private readonly int _harmonics;
    private int _filled;
    private int _frames;

    /// <summary>Creates an estimator; all buffers are allocated here.</summary>
    /// <param name="options">What to compute (checked with <see cref="SpectralOptions.Validate"/>).</param>
    /// <param name="sampleRateHz">fs in Hz.</param>
    /// <exception cref="ArgumentException">The options are not valid for this rate (the message is Validate's line).</exception>
    public WelchEstimator(SpectralOptions options, double sampleRateHz)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate(sampleRateHz) is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        int n = options.Size;
        SampleRateHz = sampleRateHz;
        _fft = new RealFft(n);
        _bands = [.. options.Bands];
        _window = new double[n];
        _powerScale = 1.0 / (n * SpectrumMath.FillWindow(_window, options.Window));
        _raw = new float[n];
        _frame = new double[n];
        _spectrum = new Complex[_fft.BinCount];
        _sums = new double[_fft.BinCount];
        _power = new double[_fft.BinCount];
        _envelopeHz = options.EnvelopeHz;
        _toleranceHz = double.IsNaN(options.EnvelopeToleranceHz) ? 2.0 * sampleRateHz / n : options.EnvelopeToleranceHz;
        _harmonics = options.EnvelopeHarmonics;
        if (options.Envelope)
        {
            _hilbert = new ComplexFft(n);
            _analytic = new Complex[n];
            _envelopeSums = new double[_fft.BinCount];
            _envelopePower = new double[_fft.BinCount];
        }
    }

    /// <summary>N, samples per frame.</summary>
    public int Size => _fft.Length;

    /// <summary>fs in Hz.</summary>
    public double SampleRateHz { get; }

    /// <summary>Number of configured bands (the length <see cref="Complete"/> needs for its band RMS).</summary>
    public int BandCount => _bands.Length;

    /// <summary>Bin spacing Δf = fs/N in Hz.</summary>
    public double BinWidthHz => SampleRateHz / Size;

    /// <summary>Frames taken into the open window so far.</summary>
    public int Frames => _frames;

    /// <summary>The averaged one-sided power per bin (0..N/2) of the last completed window; PSD = Power / <see cref="BinWidthHz"/>.</summary>
    public ReadOnlySpan<double> Power => _power;

    /// <summary>The averaged one-sided power of the envelope of the last completed window; empty without envelope.</summary>
    public ReadOnlySpan<double> EnvelopePower => _envelopePower;

    /// <summary>Takes the next run of the open window's samples (oldest first), transforming each frame as it fills.</summary>
    /// <param name="samples">Samples in sample units; NaN is a gap (takes its frame's mean).</param>
    public void Add(ReadOnlySpan<float> samples)
    {
        int n = _raw.Length;
        while (!samples.IsEmpty)
        {
            int take = Math.Min(n - _filled, samples.Length);
            samples[..take].CopyTo(_raw.AsSpan(_filled));
            _filled += take;
            samples = samples[take..];
            if (_filled == n)
            {
                Transform();
                _raw.AsSpan(n / 2).CopyTo(_raw);
                _filled = n / 2;
            }
        }
    }

    /// <summary>Closes the open window: averages its frames, computes the features and starts an empty window.</summary>
    /// <param name="bandRms">Receives one RMS per configured band, in sample units (NaN when no frame); at least <see cref="BandCount"/> long.</param>
    /// <returns>The window's features (all NaN and <see cref="WelchFeatures.Frames"/> = 0 when it held fewer than N samples).</returns>
    /// <exception cref="ArgumentException">bandRms is too short.</exception>
    public WelchFeatures Complete(Span<double> bandRms)
    {
        if (bandRms.Length < _bands.Length)
        {
            throw new ArgumentException($"bandRms has {bandRms.Length} slots for {_bands.Length} bands", nameof(bandRms));
        }

        int frames = _frames;
        _filled = 0;
        _frames = 0;
        if (frames == 0)
        {
            bandRms[.._bands.Length].Fill(double.NaN);
            return new WelchFeatures { DominantHz = double.NaN, DominantAmplitude = double.NaN, CentroidHz = double.NaN, Kurtosis = double.NaN, EnvelopeAmplitude = double.NaN, MeanSquare = double.NaN };
        }

        Average(_sums, _power, frames);
        int last = _power.Length - 1;
        double binHz = BinWidthHz;
        for (int b = 0; b < _bands.Length; b++)
        {
            (int from, int to) = SpectrumMath.BandBins(_bands[b].Low, _bands[b].High, binHz, last);
            bandRms[b] = Math.Sqrt(SpectrumMath.Sum(_power, from, to));
        }

        double total = 0.0, weighted = 0.0, best = -1.0;
        int bestBin = 1;
        for (int k = 0; k <= last; k++)
        {
            total += _power[k];
            weighted += k * binHz * _power[k];
            if (k >= 1 && _power[k] > best)
            {
                best = _power[k];
                bestBin = k;
            }
        }

        double centroid = total > 0.0 ? weighted / total : double.NaN;
        double m2 = 0.0, m4 = 0.0;
        for (int k = 0; k <= last; k++)
        {
            double d = (k * binHz) - centroid;
            m2 += d * d * _power[k];
            m4 += d * d * d * d * _power[k];
        }

        m2 /= total;
        m4 /= total;
        double envelope = double.NaN;
        if (_envelopeSums is not null && _envelopePower is not null)
        {
            Average(_envelopeSums, _envelopePower, frames);
            if (!double.IsNaN(_envelopeHz))
            {
                envelope = EnvelopeLine(last, binHz);
            }
        }

        return new WelchFeatures
        {
            Frames = frames,
            DominantHz = bestBin * binHz,
            DominantAmplitude = Math.Sqrt(2.0 * SpectrumMath.Sum(_power, bestBin - 1, Math.Min(bestBin + 1, last))),
            CentroidHz = centroid,
            Kurtosis = m2 > 0.0 ? m4 / (m2 * m2) : double.NaN,
            EnvelopeAmplitude = envelope,
            MeanSquare = total,
        };
    }

    /// <summary>Convenience for a window held in one or two spans (a ring's segments): a fresh window over first then second, completed.</summary>
    /// <param name="first">The older samples.</param>
    /// <param name="second">The newer samples (may be empty).</param>
    /// <param name="bandRms">As for <see cref="Complete"/>.</param>
    /// <returns>As for <see cref="Complete"/>.</returns>
    public WelchFeatures Analyze(ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<double> bandRms)
    {
        Reset();
        Add(first);
        Add(second);
        return Complete(bandRms);
    }

    /// <summary>Discards the open window's samples and frames.</summary>
    public void Reset()
    {
        _filled = 0;
        _frames = 0;
    }

    private void Transform()
    {
        if (_frames == 0)
        {
            Array.Clear(_sums);
            if (_envelopeSums is not null)
            {
                Array.Clear(_envelopeSums);
            }
        }

        _frames++;
        SpectrumMath.Detrend(_raw, _window, _frame);
        _fft.Forward(_frame, _spectrum);
        SpectrumMath.AccumulatePower(_spectrum, _powerScale, _sums);
        if (_hilbert is not null && _analytic is not null && _envelopeSums is not null)
        {
            // The analytic signal of the mean-removed, unwindowed frame (Marple 1999), then its magnitude.
            int n = _raw.Length;
            double mean = SpectrumMath.Detrend(_raw, _window, _frame);
            for (int i = 0; i < n; i++)
            {
                double x = float.IsNaN(_raw[i]) ? mean : _raw[i];
                _analytic[i] = new Complex(x - mean, 0.0);
            }

            _hilbert.Forward(_analytic);
            for (int k = 1; k < n / 2; k++)
            {
                _analytic[k] *= 2.0;
            }

            _analytic.AsSpan((n / 2) + 1).Clear();
            _hilbert.Inverse(_analytic);
            double envelopeMean = 0.0;
            for (int i = 0; i < n; i++)
            {
                envelopeMean += _analytic[i].Magnitude;
            }

            envelopeMean /= n;
            for (int i = 0; i < n; i++)
            {
                _frame[i] = (_analytic[i].Magnitude - envelopeMean) * _window[i];
            }

            _fft.Forward(_frame, _spectrum);
            SpectrumMath.AccumulatePower(_spectrum, _powerScale, _envelopeSums);
        }
    }

    private double EnvelopeLine(int last, double binHz)
    {
        double e = 0.0;
        for (int h = 1; h <= _harmonics; h++)
        {
            double f = h * _envelopeHz;
            int from = Math.Max(0, (int)Math.Ceiling((f - _toleranceHz) / binHz));
            int to = Math.Min(last, (int)Math.Floor((f + _toleranceHz) / binHz));
            e += SpectrumMath.Sum(_envelopePower, from, to);
        }

        return Math.Sqrt(e);
    }

    private static void Average(double[] sums, double[] power, int frames)
    {
        for (int k = 0; k < sums.Length; k++)
        {
            power[k] = sums[k] / frames;
        }

        Array.Clear(sums);
    }
}
