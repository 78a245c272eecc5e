namespace Appliance.Kernels.Tests.Spectral;

public class SpectralTests
{
    [Fact]
    public void Forward_RandomInputEveryPowerOfTwo_MatchesMathNet()
    {
        // Reference: MathNet.Numerics Fourier.Forward with FourierOptions.Matlab (X_k = Σ x_n e^(-2πikn/N), no scaling).
        // Both are O(log N)·2⁻⁵³·‖x‖ accurate (Cooley-Tukey error analysis, Higham 2002 §24.1), so they agree to
        // 64·log2(N)·2⁻⁵³·‖x‖₂·√N per bin with room to spare.
        var rng = new Random(3);
        for (int n = 2; n <= 8192; n *= 2)
        {
            double[] x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            Complex[] reference = x.Select(v => new Complex(v, 0)).ToArray();
            Fourier.Forward(reference, FourierOptions.Matlab);
            var fft = new RealFft(n);
            var got = new Complex[fft.BinCount];
            fft.Forward(x, got);
            double norm = Math.Sqrt(x.Sum(v => v * v));
            double tol = 64 * Math.Log2(n) * 1.1102230246251565e-16 * norm * Math.Sqrt(n);
            for (int k = 0; k <= n / 2; k++)
            {
                Assert.True(Complex.Abs(got[k] - reference[k]) <= tol, $"n={n} k={k}: {got[k]} vs {reference[k]} ± {tol}");
            }
        }
    }

    [Fact]
    public void Constructor_NotPowerOfTwo_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralAnalyzer(1024, 0, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralAnalyzer(1024, 100, [(10, 5)]));
    }

    [Fact]
    public void Analyze_SineOnABin_DominantFrequencyCentroidAndPowerAOverTwo()
    {
        // A sine of amplitude A at f = 64·fs/N (on bin 64): the Hann window spreads it over bins 63..65 only (Harris
        // 1978, §4.2: Hann's DFT is three-term), so the dominant bin is 64, the centroid is exactly f by symmetry, and the
        // normalised bins add up to the mean square A²/2 (Heinzel et al. 2002, §9; Parseval).
        const int n = 1024;
        const double fs = 2000, a = 3;
        double f = 64 * fs / n;
        float[] frame = Enumerable.Range(0, n).Select(i => (float)(7 + (a * Math.Sin(2 * Math.PI * f * i / fs)))).ToArray();
        var analyzer = new SpectralAnalyzer(n, fs, [(100, 130), (130, 200), (0, 1000)]);
        var bands = new double[3];
        SpectralFeatures s = analyzer.Analyze(frame, bands);
        Assert.Equal(f, s.DominantFrequencyHz);
        Assert.Equal(f, s.SpectralCentroidHz, 6);
        Assert.Equal(a * a / 2, s.TotalPower, 4); // float samples: 2⁻²⁴ relative per sample
        Assert.Equal(a * a / 2, bands[0], 4);     // bins 63..65 = 123.0..126.9 Hz all inside [100, 130)
        Assert.True(bands[1] < 1e-9, $"no power in [130, 200): {bands[1]}");
        Assert.Equal(a * a / 2, bands[2], 4);
    }

    [Fact]
    public void Analyze_TwoTones_DominantIsTheStrongerAndCentroidPowerWeighted()
    {
        // Tones on bins 32 and 200 with amplitudes 1 and 2: powers 0.5 and 2 (A²/2), so the centroid is
        // (0.5·f32 + 2·f200) / 2.5 and the dominant frequency f200.
        const int n = 2048;
        const double fs = 8192;
        double f1 = 32 * fs / n, f2 = 200 * fs / n;
        float[] frame = Enumerable.Range(0, n).Select(i => (float)(Math.Cos(2 * Math.PI * f1 * i / fs) + (2 * Math.Sin(2 * Math.PI * f2 * i / fs)))).ToArray();
        var analyzer = new SpectralAnalyzer(n, fs, []);
        SpectralFeatures s = analyzer.Analyze(frame, []);
        Assert.Equal(f2, s.DominantFrequencyHz);
        Assert.Equal(((0.5 * f1) + (2 * f2)) / 2.5, s.SpectralCentroidHz, 3);
        Assert.Equal(2.5, s.TotalPower, 4);
    }
}
