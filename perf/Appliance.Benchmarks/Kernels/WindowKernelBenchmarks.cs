using System.Numerics.Tensors;
using Appliance.Kernels.Statistics;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Kernels;

/// <summary>
/// The fused window kernel against (a) a plain vectorised read of the same buffer (the bandwidth ceiling) and (b) the same
/// statistics from separate TensorPrimitives calls. Ratios are read within one run; allocation must be zero.
/// </summary>
[MemoryDiagnoser]
public class WindowKernelBenchmarks
{
    private float[] _data = [];
    private float[] _d = [];
    private float[] _d2 = [];

    /// <summary>Samples per buffer: one window in cache, and one larger than the last-level cache.</summary>
    [Params(4096, 16 * 1024 * 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _data = new float[Length];
        _d = new float[Length];
        _d2 = new float[Length];
        for (var i = 0; i < _data.Length; i++)
        {
            _data[i] = (float)(20 + rng.NextDouble());
        }
    }

    [Benchmark(Baseline = true, Description = "read (TensorPrimitives.Sum)")]
    public float Read() => TensorPrimitives.Sum(_data);

    [Benchmark(Description = "fused WindowStatistics.Compute")]
    public double Fused() => WindowStatistics.Compute(_data).M4;

    /// <summary>The same moments from nine TensorPrimitives calls, as `appliance bench kernels` computes them (two passes, scratch buffers).</summary>
    [Benchmark(Description = "separate TensorPrimitives calls")]
    public float Separate()
    {
        var sum = TensorPrimitives.Sum(_data);
        var min = TensorPrimitives.Min(_data);
        var max = TensorPrimitives.Max(_data);
        var sq = TensorPrimitives.SumOfSquares(_data);
        TensorPrimitives.Subtract(_data, sum / _data.Length, _d);
        TensorPrimitives.Multiply(_d, _d, _d2);
        var m2 = TensorPrimitives.Sum(_d2);
        var m3 = TensorPrimitives.Dot(_d2, _d);
        var m4 = TensorPrimitives.SumOfSquares(_d2);
        return min + max + sq + m2 + m3 + m4;
    }
}
