using System.Numerics;
using Appliance.Kernels.Spectral;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.IntegralTransforms;

namespace Appliance.Benchmarks.Kernels;

/// <summary>Our real FFT plan against MathNet.Numerics' managed FFT on the same frame (complex input, as MathNet takes it).</summary>
[MemoryDiagnoser]
public class SpectralBenchmarks
{
    private double[] _x = [];
    private Complex[] _out = [];
    private Complex[] _mathNet = [];
    private RealFft _fft = null!;
    private SpectralAnalyzer _analyzer = null!;
    private float[] _frame = [];
    private readonly double[] _bands = new double[3];

    /// <summary>Frame length N.</summary>
    [Params(1024, 16384)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _x = Enumerable.Range(0, N).Select(_ => rng.NextDouble()).ToArray();
        _frame = _x.Select(v => (float)v).ToArray();
        _fft = new RealFft(N);
        _out = new Complex[_fft.BinCount];
        _mathNet = new Complex[N];
        _analyzer = new SpectralAnalyzer(N, 10_000, [(0, 100), (100, 1000), (1000, 5000)]);
    }

    [Benchmark(Baseline = true, Description = "MathNet Fourier.Forward (complex, N)")]
    public Complex MathNet()
    {
        for (int i = 0; i < _x.Length; i++)
        {
            _mathNet[i] = new Complex(_x[i], 0);
        }

        Fourier.Forward(_mathNet, FourierOptions.Matlab);
        return _mathNet[1];
    }

    [Benchmark(Description = "RealFft.Forward")]
    public Complex Ours()
    {
        _fft.Forward(_x, _out);
        return _out[1];
    }

    [Benchmark(Description = "SpectralAnalyzer.Analyze (Hann, power, 3 bands)")]
    public double Analyze() => _analyzer.Analyze(_frame, _bands).SpectralCentroidHz;
}
