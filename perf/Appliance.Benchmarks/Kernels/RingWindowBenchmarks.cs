using Appliance.Kernels.Windows;
using Appliance.Kernels.Statistics;
using Appliance.Device.Pipeline;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Kernels;

/// <summary>
/// The device pipeline's drain-and-window path, per sample: a 3-channel sensor at 1 kHz (timestamps 1 ms apart) in 1 s
/// tumbling windows, through a <see cref="SampleRing"/> of 4096 samples (4 s, as a live ring is sized), the producer
/// writing <see cref="Batch"/> samples before the consumer drains them (1: the worker keeps up sample by sample; 256: it
/// drains a backlog). Rows:
/// <list type="bullet">
/// <item>"producer only": the producer's <c>TryWrite</c> and a bare <c>Advance</c>, the floor under both paths;</item>
/// <item>"before": the pipeline as it was, <c>TryRead</c> one sample, copy it into per-channel window buffers, run the
/// fused kernel over the buffers when the window closes (<see cref="CopyingWindow"/>, kept in perf/ only as the baseline);</item>
/// <item>"after": <see cref="TumblingWindow.Drain"/>, the fused kernel over the ring's own segments merged into the open
/// window, no copy.</item>
/// </list>
/// Each operation is one sample (<c>OperationsPerInvoke</c>); [MemoryDiagnoser] must show 0 B. The consumer alone, without
/// the producer's cost, is <see cref="RingDrainBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class RingWindowBenchmarks
{
    private const int Channels = 3;
    private const int SamplesPerOp = 1 << 16;
    private const long PeriodNs = 1_000_000;

    private readonly float[] _data = new float[SamplesPerOp * Channels];
    private readonly WindowFeatures[] _closed = new WindowFeatures[Channels];
    private readonly float[] _values = new float[Channels];
    private SampleRing _floorRing = null!;
    private SampleRing _beforeRing = null!;
    private SampleRing _afterRing = null!;
    private CopyingWindow _before = null!;
    private TumblingWindow _after = null!;
    private long _next;

    /// <summary>Samples the producer writes between two drains.</summary>
    [Params(1, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        for (var i = 0; i < SamplesPerOp; i++)
        {
            _data[i * Channels] = (float)(20 + (5 * Math.Sin(i * 0.01)) + rng.NextDouble());
            _data[(i * Channels) + 1] = (float)(rng.NextDouble() - 0.5);
            _data[(i * Channels) + 2] = (float)(1013.25 + rng.NextDouble());
        }

        _floorRing = new SampleRing(4096, Channels);
        _beforeRing = new SampleRing(4096, Channels);
        _afterRing = new SampleRing(4096, Channels);
        _before = new CopyingWindow(Channels, TimeSpan.FromSeconds(1), 2016); // as sized before: 2·rate·L + 16
        _after = new TumblingWindow(_afterRing, TimeSpan.FromSeconds(1));
        _next = 1_700_000_000_000_000_000 / PeriodNs;
    }

    [Benchmark(Description = "producer only (TryWrite + Advance)", OperationsPerInvoke = SamplesPerOp)]
    public long ProducerOnly()
    {
        for (var i = 0; i < SamplesPerOp; i += Batch)
        {
            Write(_floorRing, i);
            _floorRing.Advance(_floorRing.Count);
        }

        return _floorRing.Overruns;
    }

    [Benchmark(Baseline = true, Description = "before: TryRead + copy into window buffers", OperationsPerInvoke = SamplesPerOp)]
    public long CopyIntoWindow()
    {
        long windows = 0;
        for (var i = 0; i < SamplesPerOp; i += Batch)
        {
            Write(_beforeRing, i);
            while (_beforeRing.TryRead(out var ts, _values))
            {
                if (_before.Add(ts, _values, _closed))
                {
                    windows++;
                }
            }
        }

        return windows;
    }

    [Benchmark(Description = "after: TumblingWindow.Drain over ring segments", OperationsPerInvoke = SamplesPerOp)]
    public long DrainInPlace()
    {
        long windows = 0;
        for (var i = 0; i < SamplesPerOp; i += Batch)
        {
            Write(_afterRing, i);
            while (_after.Unread > 0)
            {
                if (_after.Drain(_closed, out _, out _))
                {
                    windows++;
                }
            }
        }

        return windows;
    }

    private void Write(SampleRing ring, int from)
    {
        int end = Math.Min(from + Batch, SamplesPerOp);
        for (var i = from; i < end; i++)
        {
            ring.TryWrite(_next++ * PeriodNs, _data.AsSpan(i * Channels, Channels));
        }
    }
}
