using Appliance.Kernels.Histograms;
using Appliance.Kernels.Quantiles;
using Appliance.Kernels.Statistics;
using Appliance.Kernels.Windows;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Kernels;

/// <summary>
/// Steady-state per-window cost of the window machinery, sketch and histogram over a 1 M-sample stream fed in ring-sized
/// chunks; [MemoryDiagnoser] must show 0 B allocated (nothing per window).
/// </summary>
[MemoryDiagnoser]
public class WindowingBenchmarks
{
    private struct Last : IWindowSink
    {
        public double Mean;
        public long Windows;

        public void OnWindow(long start, long end, in WindowFeatures features)
        {
            Mean = features.Mean;
            Windows++;
        }
    }

    private readonly float[] _data = new float[1 << 20];
    private readonly HoppingWindow _tumbling = HoppingWindow.Tumbling(1000, WindowBasis.Count);
    private readonly HoppingWindow _hopping = new(1000, 250, WindowBasis.Count);
    private readonly DDSketch _sketch = new(0.01);
    private readonly FixedHistogram _histogram = new(0, 40, 64);

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(2);
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = (float)(20 + rng.NextDouble());
        }
    }

    [Benchmark(Description = "tumbling 1000 by count, chunks of 4096")]
    public double Tumbling() => Feed(_tumbling);

    [Benchmark(Description = "hopping 1000/250 by count (panes), chunks of 4096")]
    public double Hopping() => Feed(_hopping);

    [Benchmark(Description = "DDSketch.Add, 1 M samples")]
    public double Sketch()
    {
        _sketch.Clear();
        _sketch.Add(_data);
        return _sketch.Quantile(0.99);
    }

    [Benchmark(Description = "FixedHistogram.Add, 1 M samples")]
    public long Histogram()
    {
        _histogram.Clear();
        _histogram.Add(_data);
        return _histogram.Overflow;
    }

    private double Feed(HoppingWindow w)
    {
        var sink = default(Last);
        for (int i = 0; i < _data.Length; i += 4096)
        {
            w.Add(_data.AsSpan(i, Math.Min(4096, _data.Length - i)), ref sink);
        }

        w.Flush(ref sink);
        return sink.Mean + sink.Windows;
    }
}
