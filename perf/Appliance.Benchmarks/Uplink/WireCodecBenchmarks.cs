using System.Buffers;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Wire;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Uplink;

/// <summary>
/// The wire contract's cost per message: encoding one Summary envelope (schema 2) into a reused buffer writer, and decoding
/// the frame back. Encoding into a pooled writer must allocate 0 B (the uplink client encodes every body through that path);
/// decoding allocates the Summary and its two strings by nature (the collector keeps them).
/// </summary>
[MemoryDiagnoser]
public class WireCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private Envelope _envelope;
    private byte[] _frame = [];

    /// <summary>One second of a 100 Hz noisy sine (seed 42), summarised as the pipeline does.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        float[] samples = new float[100];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(Math.Sin(i * 0.2) + (rng.NextDouble() * 0.1));
        }

        var summary = new Summary
        {
            Sensor = "accel-0",
            Channel = "x",
            WindowStartNs = 1_767_225_600_000_000_000L,
            WindowEndNs = 1_767_225_601_000_000_000L,
            Features = WindowStatistics.Compute(samples),
        };
        _envelope = Envelope.Create("dev-0001", 1_000_000, summary);
        _frame = WireCodec.Encode(_envelope);
    }

    /// <summary>Encode into a reused <see cref="ArrayBufferWriter{T}"/>; returns the frame length (91 bytes here).</summary>
    [Benchmark]
    public int EncodeSummary()
    {
        _buffer.ResetWrittenCount();
        return WireCodec.Encode(_envelope, _buffer);
    }

    /// <summary>Decode one frame (untrusted-data settings, as the collector does).</summary>
    [Benchmark]
    public long DecodeSummary() => WireCodec.TryDecode(_frame, out Envelope e, out _) ? e.Sequence : -1;
}
