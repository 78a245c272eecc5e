using Appliance.Detection;
using Appliance.Evaluation;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Detection;

/// <summary>
/// Cost per sample of each streaming detector on one core: <c>Update</c> over 10,000 samples of a noisy daily pattern
/// (OperationsPerInvoke = 10,000, so the reported time is per sample). Allocation must be zero.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private const int N = 10_000;
    private readonly double[] _values = new double[N];
    private WindowedGaussianDetector _gaussian = null!;
    private RelativeEntropyDetector _entropy = null!;
    private EwmaTailDetector _ewma = null!;
    private CusumDetector _cusum = null!;
    private ContextNoveltyDetector _level = null!;
    private ContextNoveltyDetector _contexts = null!;
    private SpatialRangeDetector _spatial = null!;
    private ISampleDetector _default = null!;
    private ISampleDetector _previous = null!;
    private ISampleDetector _contextEnsemble = null!;
    private ArtimeDetector _artime = null!;
    private const int Probes = 64;
    private readonly double[] _probes = new double[Probes * 2 * ArtimeDetector.FeatureCount];
    private FuzzyArtCategories _fullArt = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        for (var i = 0; i < N; i++)
        {
            _values[i] = 20 + (5 * Math.Sin(2 * Math.PI * i / 288)) + rng.NextDouble();
        }

        _gaussian = new WindowedGaussianDetector();
        _entropy = new RelativeEntropyDetector(10, 30);
        _ewma = new EwmaTailDetector();
        _cusum = new CusumDetector();
        _level = new ContextNoveltyDetector(10, 30, lowBits: 5, highBits: 5, order: 0, smooth: 2);
        _contexts = new ContextNoveltyDetector(10, 30);
        _spatial = new SpatialRangeDetector();
        _default = DetectorSpec.Create(DetectorSpec.Default, double.NaN, double.NaN);
        _previous = DetectorSpec.Create(DetectorSpec.ContextEntropyGaussian, 10, 30, probationary: 750);
        _contextEnsemble = DetectorSpec.Create(DetectorSpec.ContextNoveltyEnsemble, 10, 30, probationary: 750);
        _artime = new ArtimeDetector(10, 30, probationary: 750);
        foreach (var v in _values)
        {
            _level.Update(v);
            _contexts.Update(v);
            _default.Update(v);
            _previous.Update(v);
            _contextEnsemble.Update(v);
            _artime.Update(v);
            // Warm the state so that the measured loop is the steady state (windows full, hypotheses present).
            _gaussian.Update(v);
            _entropy.Update(v);
        }

        // ARTime's worst case: a full category set (1024 random boxes), one presentation per 7 samples at P = 750.
        _fullArt = new FuzzyArtCategories(ArtimeDetector.FeatureCount, 1024) { LowerVigilance = 1.0, UpperVigilance = 1.0 };
        var features = new double[ArtimeDetector.FeatureCount];
        for (var c = 0; c < _fullArt.Capacity; c++)
        {
            for (var f = 0; f < features.Length; f++)
            {
                features[f] = rng.NextDouble();
            }

            FuzzyArtCategories.ComplementCode(features, _probes.AsSpan((c % Probes) * 2 * features.Length, 2 * features.Length));
            _fullArt.Present(_probes.AsSpan((c % Probes) * 2 * features.Length, 2 * features.Length), learn: true, out _, out _);
        }

        // ARTime's cost grows with its categories (one presentation costs Count × 32 minimums): say how many it holds.
        Console.WriteLine($"// artime: {_artime.Categories.Count} of {_artime.Categories.Capacity} categories after {N} samples, stride {_artime.Stride}");
    }

    [GlobalCleanup]
    public void Cleanup() => Console.WriteLine($"// artime: {_artime.Categories.Count} categories at the end; full set {_fullArt.Count} of {_fullArt.Capacity}");

    [Benchmark(Baseline = true, OperationsPerInvoke = N, Description = "ewma-tail")]
    public double Ewma() => Loop(_ewma);

    [Benchmark(OperationsPerInvoke = N, Description = "cusum")]
    public double Cusum() => Loop(_cusum);

    [Benchmark(OperationsPerInvoke = N, Description = "windowed-gaussian (6400/100)")]
    public double Gaussian() => Loop(_gaussian);

    [Benchmark(OperationsPerInvoke = N, Description = "relative-entropy (W 52, 5 bins)")]
    public double Entropy() => Loop(_entropy);

    [Benchmark(OperationsPerInvoke = N, Description = "context-novelty (order 0, 5 bits, smooth 2)")]
    public double Level() => Loop(_level);

    [Benchmark(OperationsPerInvoke = N, Description = "context-novelty (order 2, 2..5 bits)")]
    public double Contexts() => Loop(_contexts);

    [Benchmark(OperationsPerInvoke = N, Description = "spatial-range (5%)")]
    public double Spatial() => Loop(_spatial);

    [Benchmark(OperationsPerInvoke = N, Description = "eval nab default ensemble")]
    public double Default() => Loop(_default);

    [Benchmark(OperationsPerInvoke = N, Description = "artime (P 750: stride 7, at most 1024 categories)")]
    public double Artime() => Loop(_artime);

    [Benchmark(OperationsPerInvoke = Probes, Description = "fuzzy ART presentation, 1024 categories (per presentation)")]
    public double FullPresentation()
    {
        var acc = 0.0;
        for (var p = 0; p < Probes; p++)
        {
            _fullArt.Present(_probes.AsSpan(p * 2 * ArtimeDetector.FeatureCount, 2 * ArtimeDetector.FeatureCount), learn: false, out var r, out _);
            acc += r;
        }

        return acc;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "eval nab previous default (context-novelty ensemble)")]
    public double ContextEnsemble() => Loop(_contextEnsemble);

    [Benchmark(OperationsPerInvoke = N, Description = "eval nab older default (no quiet periods, no confirmation)")]
    public double Previous() => Loop(_previous);

    private double Loop(ISampleDetector d)
    {
        var acc = 0.0;
        foreach (var v in _values)
        {
            acc += d.Update(v);
        }

        return acc;
    }
}
