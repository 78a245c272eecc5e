using Appliance.Kernels.Windows;
using Appliance.Kernels.Statistics;
using Appliance.Device.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Kernels;

/// <summary>
/// The consumer side of <see cref="RingWindowBenchmarks"/> alone: before each iteration the producer writes a backlog of
/// <see cref="Backlog"/> samples (3 channels, 1 ms apart) into a ring of 65,536; the measured operation drains it into
/// 1 s tumbling windows. "before": <c>TryRead</c> + copy into window buffers + kernel at close (<see cref="CopyingWindow"/>);
/// "after": <see cref="TumblingWindow.Drain"/>, the kernel over the ring's segments, merged. Per sample
/// (<c>OperationsPerInvoke</c>); [MemoryDiagnoser] must show 0 B.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class RingDrainBenchmarks
{
    /// <summary>Samples written before each drain: under the ring's 65,536 with room for the open window it holds.</summary>
    public const int Backlog = 60_000;

    private const int Channels = 3;
    private const long PeriodNs = 1_000_000;

    private readonly float[] _data = new float[Backlog * Channels];
    private readonly WindowFeatures[] _closed = new WindowFeatures[Channels];
    private readonly float[] _values = new float[Channels];
    private SampleRing _beforeRing = null!;
    private SampleRing _afterRing = null!;
    private CopyingWindow _before = null!;
    private TumblingWindow _after = null!;
    private long _nextBefore;
    private long _nextAfter;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        for (var i = 0; i < Backlog; i++)
        {
            _data[i * Channels] = (float)(20 + (5 * Math.Sin(i * 0.01)) + rng.NextDouble());
            _data[(i * Channels) + 1] = (float)(rng.NextDouble() - 0.5);
            _data[(i * Channels) + 2] = (float)(1013.25 + rng.NextDouble());
        }

        _beforeRing = new SampleRing(1 << 16, Channels);
        _afterRing = new SampleRing(1 << 16, Channels);
        _before = new CopyingWindow(Channels, TimeSpan.FromSeconds(1), 2016); // as sized before: 2·rate·L + 16
        _after = new TumblingWindow(_afterRing, TimeSpan.FromSeconds(1));
        _nextBefore = _nextAfter = 1_700_000_000_000_000_000 / PeriodNs;

        // One invocation per iteration (the backlog must be written before each) is too few calls for tiered compilation
        // to promote the drain paths and the kernel before the short job ends: run both paths here until they are
        // promoted (calls counted, then the background tier-1 compile; .NET tiered compilation waits 100 ms of quiet).
        for (var round = 0; round < 3; round++)
        {
            for (var k = 0; k < 40; k++)
            {
                FillBefore();
                CopyIntoWindow();
                FillAfter();
                DrainInPlace();
            }

            Thread.Sleep(300);
        }
    }

    [IterationSetup(Target = nameof(CopyIntoWindow))]
    public void FillBefore() => Fill(_beforeRing, ref _nextBefore);

    [IterationSetup(Target = nameof(DrainInPlace))]
    public void FillAfter() => Fill(_afterRing, ref _nextAfter);

    [Benchmark(Baseline = true, Description = "before: TryRead + copy into window buffers (backlog)", OperationsPerInvoke = Backlog)]
    public long CopyIntoWindow()
    {
        long windows = 0;
        while (_beforeRing.TryRead(out var ts, _values))
        {
            if (_before.Add(ts, _values, _closed))
            {
                windows++;
            }
        }

        return windows;
    }

    [Benchmark(Description = "after: TumblingWindow.Drain over ring segments (backlog)", OperationsPerInvoke = Backlog)]
    public long DrainInPlace()
    {
        long windows = 0;
        while (_after.Unread > 0)
        {
            if (_after.Drain(_closed, out _, out _))
            {
                windows++;
            }
        }

        return windows;
    }

    private void Fill(SampleRing ring, ref long next)
    {
        for (var i = 0; i < Backlog; i++)
        {
            ring.TryWrite(next++ * PeriodNs, _data.AsSpan(i * Channels, Channels));
        }
    }
}
