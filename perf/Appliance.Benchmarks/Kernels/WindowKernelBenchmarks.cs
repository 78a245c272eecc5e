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

    /// <summary>Samples per buffer: one window in cache, and one larger than the last-level cache.</summary>
    [Params(4096, 16 * 1024 * 1024)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _data = new float[Length];
        for (var i = 0; i < _data.Length; i++)
        {
            _data[i] = (float)(20 + rng.NextDouble());
        }
    }

    [Benchmark(Baseline = true, Description = "read (TensorPrimitives.Sum)")]
    public float Read() => TensorPrimitives.Sum(_data);

    [Benchmark(Description = "fused WindowStatistics.Compute")]
    public double Fused() => WindowStatistics.Compute(_data).M4;

    [Benchmark(Description = "separate TensorPrimitives calls")]
    public float Separate()
    {
        var sum = TensorPrimitives.Sum(_data);
        var min = TensorPrimitives.Min(_data);
        var max = TensorPrimitives.Max(_data);
        var sq = TensorPrimitives.SumOfSquares(_data);
        var mag = TensorPrimitives.SumOfMagnitudes(_data);
        return sum + min + max + sq + mag;
    }
}
