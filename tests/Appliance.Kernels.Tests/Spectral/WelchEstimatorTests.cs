namespace Appliance.Kernels.Tests.Spectral;

/// <summary>
/// <see cref="WelchEstimator"/> against an independent Welch estimate built here on MathNet.Numerics
/// (<c>Fourier.Forward</c>/<c>Fourier.Inverse</c>, <c>FourierOptions.Matlab</c>: the numpy sign and scaling), and against
/// analytic values (Parseval: a sine of amplitude A has RMS A/√2).
/// </summary>
/// <remarks>
/// Tolerance against MathNet: 1e-9 relative (plus 1e-12 absolute) on every feature. Both sides compute in double from
/// the same float32 samples, so they differ only by FFT rounding, O(log N)·2⁻⁵³ relative to the frame's norm
/// (Higham 2002, §24.1), far inside 1e-9; the dominant bin must be the same bin.
/// </remarks>
public class WelchEstimatorTests
{
    private const double Fs = 3200.0;

    public static TheoryData<int, WindowFunction, bool> Cases()
    {
        var data = new TheoryData<int, WindowFunction, bool>();
        foreach (int n in new[] { 256, 1024, 4096 })
        {
            foreach (var w in new[] { WindowFunction.Hann, WindowFunction.None })
            {
                data.Add(n, w, false);
                data.Add(n, w, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Complete_MixedSignal_EqualsMathNetWelchWithin1e9(int n, WindowFunction window, bool envelope)
    {
        float[] x = Mixed(n * 7 / 2, seed: n);
        var options = new SpectralOptions
        {
            Size = n,
            Window = window,
            Bands = [(10, 100), (100, 500), (500, 1600)],
            Envelope = envelope,
            EnvelopeHz = envelope ? 87.3 : double.NaN,
            EnvelopeHarmonics = 2,
        };
        var welch = new WelchEstimator(options, Fs);
        var bands = new double[3];
        // The window arrives in three uneven runs, as from a ring.
        welch.Add(x.AsSpan(0, 100));
        welch.Add(x.AsSpan(100, n + 3));
        welch.Add(x.AsSpan(n + 103));
        WelchFeatures got = welch.Complete(bands);

        var reference = Reference(x, options);
        Assert.Equal(6, got.Frames); // ⌊(3.5N − N)/(N/2)⌋ + 1
        Assert.Equal(reference.DominantHz, got.DominantHz);
        Close(reference.DominantAmplitude, got.DominantAmplitude, "dominant amplitude");
        Close(reference.CentroidHz, got.CentroidHz, "centroid");
        Close(reference.Kurtosis, got.Kurtosis, "kurtosis");
        Close(reference.MeanSquare, got.MeanSquare, "mean square");
        for (int b = 0; b < 3; b++)
        {
            Close(reference.Bands[b], bands[b], $"band {b}");
        }

        if (envelope)
        {
            Close(reference.Envelope, got.EnvelopeAmplitude, "envelope");
        }
        else
        {
            Assert.True(double.IsNaN(got.EnvelopeAmplitude));
        }
    }

    [Theory]
    [InlineData(WindowFunction.Hann)]
    [InlineData(WindowFunction.None)]
    public void Complete_SineOnABin_BandRmsIsAOverSqrt2AndDominantIsA(WindowFunction window)
    {
        // A = 2.5 at bin 40 of N = 1024 (125 Hz at 3200 Hz): Parseval gives band RMS A/√2 for a band holding the line and
        // its Hann leakage (bins 39..41), nothing in a band away from it; the dominant amplitude √(2·ΣP) over bins 39..41 is A.
        const int n = 1024;
        const double a = 2.5;
        double f = 40 * Fs / n;
        float[] x = Enumerable.Range(0, 4 * n).Select(i => (float)(0.3 + (a * Math.Sin(2 * Math.PI * f * i / Fs)))).ToArray();
        var welch = new WelchEstimator(new SpectralOptions { Size = n, Window = window, Bands = [(100, 150), (200, 400)] }, Fs);
        var bands = new double[2];
        WelchFeatures s = welch.Analyze(x, [], bands);
        Assert.Equal(7, s.Frames);
        Assert.Equal(f, s.DominantHz);
        Assert.Equal(a / Math.Sqrt(2), bands[0], 5); // float32 samples: ~1e-7 relative
        Assert.True(bands[1] < 1e-5, $"[200, 400) holds {bands[1]}");
        Assert.Equal(a, s.DominantAmplitude, 5);
        Assert.Equal(f, s.CentroidHz, 3);
    }

    [Fact]
    public void Complete_SineBetweenBins_HannBandRmsWithin1Percent()
    {
        // Off-bin (bin 40.37): Hann leaks past ±1 bin but keeps > 99.9 % of the power within ±4 bins (Harris 1978,
        // fig. 36: first side lobe −31 dB), so a band 100..150 Hz (bins 32..47) holds A/√2 within 1 %.
        const int n = 1024;
        const double a = 1.7;
        double f = 40.37 * Fs / n;
        float[] x = Enumerable.Range(0, 5 * n).Select(i => (float)(a * Math.Cos(2 * Math.PI * f * i / Fs))).ToArray();
        var welch = new WelchEstimator(new SpectralOptions { Size = n, Bands = [(100, 150)] }, Fs);
        var bands = new double[1];
        WelchFeatures s = welch.Analyze(x, [], bands);
        Assert.InRange(bands[0], 0.99 * a / Math.Sqrt(2), 1.01 * a / Math.Sqrt(2));
        Assert.InRange(s.DominantAmplitude, 0.99 * a, 1.0 * a);
    }

    [Fact]
    public void Complete_AmplitudeModulated_EnvelopeLineIsMOverSqrt2AtTheModulationFrequency()
    {
        // x = (1 + m·cos 2πf_m t)·cos 2πf_c t with f_c and f_m on bins: the analytic signal is exact, |x_a| = 1 + m·cos 2πf_m t,
        // and its mean-removed RMS at f_m is m/√2 (Randall and Antoni 2011, "Rolling element bearing diagnostics — A
        // tutorial", MSSP 25, §3.1); nothing at a frequency that is not modulating.
        const int n = 4096;
        const double m = 0.4;
        double fc = 1200 * Fs / n, fm = 112 * Fs / n; // 937.5 Hz carrier, 87.5 Hz modulation
        float[] x = Enumerable.Range(0, 3 * n).Select(i => (float)((1 + (m * Math.Cos(2 * Math.PI * fm * i / Fs))) * Math.Cos(2 * Math.PI * fc * i / Fs))).ToArray();
        var at = new WelchEstimator(new SpectralOptions { Size = n, Envelope = true, EnvelopeHz = 87.3 }, Fs);
        WelchFeatures s = at.Analyze(x, [], []);
        Assert.Equal(m / Math.Sqrt(2), s.EnvelopeAmplitude, 5);
        var envelope = at.EnvelopePower;
        int peak = 1;
        for (int k = 1; k < envelope.Length; k++)
        {
            peak = envelope[k] > envelope[peak] ? k : peak;
        }

        Assert.Equal(112, peak);
        var away = new WelchEstimator(new SpectralOptions { Size = n, Envelope = true, EnvelopeHz = 150 }, Fs);
        Assert.True(away.Analyze(x, [], []).EnvelopeAmplitude < 1e-4);
    }

    [Fact]
    public void Analyze_TwoSegments_EqualsOneSpan()
    {
        float[] x = Mixed(3000, seed: 5);
        var options = new SpectralOptions { Size = 512, Bands = [(0, 1600)], Envelope = true, EnvelopeHz = 50 };
        var one = new WelchEstimator(options, Fs);
        var two = new WelchEstimator(options, Fs);
        double[] b1 = new double[1], b2 = new double[1];
        WelchFeatures a = one.Analyze(x, [], b1);
        WelchFeatures b = two.Analyze(x.AsSpan(0, 1777), x.AsSpan(1777), b2);
        Assert.Equal(a, b);
        Assert.Equal(b1[0], b2[0]);
    }

    [Fact]
    public void Complete_FewerSamplesThanSize_NoFramesAllNaN()
    {
        var welch = new WelchEstimator(new SpectralOptions { Size = 1024, Bands = [(10, 100)] }, Fs);
        var bands = new double[1];
        WelchFeatures s = welch.Analyze(Mixed(1023, 1), [], bands);
        Assert.Equal(0, s.Frames);
        Assert.True(double.IsNaN(s.DominantHz) && double.IsNaN(bands[0]));
    }

    [Fact]
    public void AddAndComplete_SteadyState_AllocateNothing()
    {
        float[] x = Mixed(8192, 2);
        var welch = new WelchEstimator(new SpectralOptions { Size = 1024, Bands = [(10, 100), (100, 500)], Envelope = true, EnvelopeHz = 87.3 }, Fs);
        var bands = new double[2];

        // Past tiered JIT's call counting (30 calls) and on-stack replacement, which run on this thread and allocate
        // (seen in CI: 2432 B with one warm-up call).
        for (int i = 0; i < 100; i++)
        {
            welch.Analyze(x, [], bands);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            welch.Add(x.AsSpan(0, 3000));
            welch.Add(x.AsSpan(3000));
            welch.Complete(bands);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(1000, "size")]
    [InlineData(4, "size")]
    public void Validate_BadSize_NamesTheKey(int size, string key)
    {
        string? error = new SpectralOptions { Size = size }.Validate(Fs);
        Assert.StartsWith(key + ":", error);
    }

    [Fact]
    public void Validate_BandsAndEnvelope_NameTheKey()
    {
        Assert.StartsWith("bands[1]:", new SpectralOptions { Bands = [(10, 100), (100, 1700)] }.Validate(Fs));
        Assert.StartsWith("bands[1]:", new SpectralOptions { Bands = [(100, 200), (10, 50)] }.Validate(Fs));
        Assert.StartsWith("bands[0]:", new SpectralOptions { Bands = [(50, 50)] }.Validate(Fs));
        Assert.StartsWith("envelope_hz:", new SpectralOptions { EnvelopeHz = 80 }.Validate(Fs));
        Assert.StartsWith("envelope_hz:", new SpectralOptions { Envelope = true, EnvelopeHz = 1600 }.Validate(Fs));
        Assert.Null(new SpectralOptions { Bands = [(10, 100), (100, 1600)], Envelope = true, EnvelopeHz = 87.3 }.Validate(Fs));
        Assert.Throws<ArgumentException>(() => new WelchEstimator(new SpectralOptions { Size = 100 }, Fs));
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= (1e-9 * Math.Abs(expected)) + 1e-12, $"{what}: {actual:R} vs MathNet {expected:R}");

    /// <summary>A shaft-like mix: 29.9 Hz and harmonics, a 937 Hz carrier modulated at 87.3 Hz, and seeded noise.</summary>
    private static float[] Mixed(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            double t = i / Fs;
            double shaft = Math.Sin(2 * Math.PI * 29.9 * t) + (0.4 * Math.Sin(2 * Math.PI * 59.8 * t) + 0.2);
            double bearing = 0.5 * (1 + (0.6 * Math.Cos(2 * Math.PI * 87.3 * t))) * Math.Cos(2 * Math.PI * 937 * t);
            x[i] = (float)(1.5 + shaft + bearing + (0.3 * (rng.NextDouble() - 0.5)));
        }

        return x;
    }

    private sealed record Expected(double DominantHz, double DominantAmplitude, double CentroidHz, double Kurtosis, double MeanSquare, double[] Bands, double Envelope);

    /// <summary>Welch 1967 written out on MathNet's FFT: frames of N hopping N/2, mean removed, window, one-sided power
    /// c_k·|X_k|²/(N·Σw²) averaged; envelope by the FFT Hilbert transform (Marple 1999) on MathNet's inverse FFT.</summary>
    private static Expected Reference(float[] x, SpectralOptions o)
    {
        int n = o.Size, bins = (n / 2) + 1;
        double[] w = Enumerable.Range(0, n).Select(i => o.Window == WindowFunction.Hann ? 0.5 - (0.5 * Math.Cos(2 * Math.PI * i / n)) : 1.0).ToArray();
        double s2 = w.Sum(v => v * v);
        double[] p = new double[bins], pe = new double[bins];
        int frames = 0;
        for (int start = 0; start + n <= x.Length; start += n / 2, frames++)
        {
            double[] seg = x.Skip(start).Take(n).Select(v => (double)v).ToArray();
            double mean = seg.Average();
            double[] d = seg.Select(v => v - mean).ToArray();
            Accumulate(d, w, s2, p);
            Complex[] a = d.Select(v => new Complex(v, 0)).ToArray();
            Fourier.Forward(a, FourierOptions.Matlab);
            for (int k = 0; k < n; k++)
            {
                a[k] *= k == 0 || k == n / 2 ? 1.0 : k < n / 2 ? 2.0 : 0.0;
            }

            Fourier.Inverse(a, FourierOptions.Matlab);
            double[] env = a.Select(c => c.Magnitude).ToArray();
            double envMean = env.Average();
            Accumulate(env.Select(v => v - envMean).ToArray(), w, s2, pe);
        }

        p = p.Select(v => v / frames).ToArray();
        pe = pe.Select(v => v / frames).ToArray();
        double df = Fs / n;
        double total = p.Sum();
        double mu = Enumerable.Range(0, bins).Sum(k => k * df * p[k]) / total;
        double m2 = Enumerable.Range(0, bins).Sum(k => Math.Pow((k * df) - mu, 2) * p[k]) / total;
        double m4 = Enumerable.Range(0, bins).Sum(k => Math.Pow((k * df) - mu, 4) * p[k]) / total;
        int dom = Enumerable.Range(1, bins - 1).MaxBy(k => p[k]);
        double[] bands = o.Bands.Select(b => Math.Sqrt(Enumerable.Range(0, bins).Where(k => k * df >= b.Low && k * df < b.High).Sum(k => p[k]))).ToArray();
        double tol = 2 * df, envelope = 0;
        for (int h = 1; h <= o.EnvelopeHarmonics; h++)
        {
            envelope += Enumerable.Range(0, bins).Where(k => Math.Abs((k * df) - (h * o.EnvelopeHz)) <= tol).Sum(k => pe[k]);
        }

        return new Expected(dom * df, Math.Sqrt(2 * (p[dom - 1] + p[dom] + p[dom + 1])), mu, m4 / (m2 * m2), total, bands, Math.Sqrt(envelope));
    }

    private static void Accumulate(double[] d, double[] w, double s2, double[] sums)
    {
        int n = d.Length;
        Complex[] spectrum = d.Select((v, i) => new Complex(v * w[i], 0)).ToArray();
        Fourier.Forward(spectrum, FourierOptions.Matlab);
        for (int k = 0; k <= n / 2; k++)
        {
            sums[k] += (k == 0 || k == n / 2 ? 1.0 : 2.0) * Math.Pow(spectrum[k].Magnitude, 2) / (n * s2);
        }
    }
}
