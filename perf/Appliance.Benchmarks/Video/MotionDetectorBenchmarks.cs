using Appliance.Kernels.Motion;
using BenchmarkDotNet.Attributes;

namespace Appliance.Benchmarks.Video;

/// <summary>
/// <see cref="MotionDetector.Analyze"/> on 1920x1080 luma frames, one call per operation on one thread (frames/s = 1 / Mean):
/// a still scene with sensor noise (two noisy copies alternating) and a scene where a 320x320 box appears and disappears
/// every other frame (its blocks active and the region labelled). Allocated must be 0 B (no allocation per frame).
/// </summary>
[MemoryDiagnoser]
public class MotionDetectorBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;
    private byte[] _a = [];
    private byte[] _b = [];
    private byte[] _box = [];
    private MotionDetector _detector = null!;
    private int _frame;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        var scene = new byte[Width * Height];
        for (int i = 0; i < scene.Length; i++)
        {
            scene[i] = (byte)(60 + ((i % Width) / 8 % 2 * 60) + rng.Next(0, 40));
        }

        _a = Noisy(scene, rng);
        _b = Noisy(scene, rng);
        _box = (byte[])_a.Clone();
        for (int y = 400; y < 720; y++)
        {
            _box.AsSpan((y * Width) + 800, 320).Fill(250);
        }

        _detector = new MotionDetector(Width, Height, new MotionSettings());
        _detector.Analyze(_a);
    }

    private static byte[] Noisy(byte[] scene, Random rng)
    {
        var f = new byte[scene.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (byte)Math.Clamp(scene[i] + rng.Next(-8, 9), 0, 255);
        }

        return f;
    }

    [Benchmark(Description = "Analyze 1080p, still scene with noise")]
    public int Still() => _detector.Analyze((++_frame & 1) == 0 ? _a : _b).ActiveBlocks;

    [Benchmark(Description = "Analyze 1080p, 320x320 box on/off")]
    public int Motion() => _detector.Analyze((++_frame & 1) == 0 ? _a : _box).LargestRegionBlocks;
}
