using Appliance.Kernels.Motion;

namespace Appliance.Kernels.Tests.Motion;

public sealed class FrameThumbnailTests
{
    /// <summary>The definition on <see cref="FrameThumbnail"/>, written out directly: the mean of each cell's pixels / 255.</summary>
    private static float[] Reference(byte[] luma, int width, int height, int g)
    {
        var result = new float[g * g];
        for (int gy = 0; gy < g; gy++)
        {
            for (int gx = 0; gx < g; gx++)
            {
                double sum = 0;
                int n = 0;
                for (int y = gy * height / g; y < (gy + 1) * height / g; y++)
                {
                    for (int x = gx * width / g; x < (gx + 1) * width / g; x++)
                    {
                        sum += luma[(y * width) + x];
                        n++;
                    }
                }

                result[(gy * g) + gx] = (float)(sum / n / 255.0);
            }
        }

        return result;
    }

    [Theory]
    [InlineData(64, 64, 32)] // exact 2x2 cells
    [InlineData(320, 180, 32)] // 10 x 5.625: uneven rows
    [InlineData(101, 37, 8)] // primes: uneven both ways
    [InlineData(33, 32, 32)]
    [InlineData(5, 5, 1)] // one cell: the frame's mean
    public void Compute_EqualsStraightforwardAreaAverage(int width, int height, int g)
    {
        var luma = new byte[width * height];
        new Random(width * 31 + height).NextBytes(luma);
        var thumb = new FrameThumbnail(width, height, g);
        var output = new float[g * g];
        thumb.Compute(luma, output);
        var expected = Reference(luma, width, height, g);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], output[i], 1e-6f);
        }
    }

    [Fact]
    public void Compute_ConstantAndExtremes_ExactValues()
    {
        var thumb = new FrameThumbnail(40, 30, 4);
        var output = new float[16];
        thumb.Compute(Enumerable.Repeat((byte)255, 1200).ToArray(), output);
        Assert.All(output, v => Assert.Equal(1f, v, 1e-6f));
        thumb.Compute(new byte[1200], output);
        Assert.All(output, v => Assert.Equal(0f, v));
        // Left half 255, right half 0: cells 0-1 of each row are 1, cells 2-3 are 0 (x bounds 0,10,20,30,40).
        var half = new byte[1200];
        for (int y = 0; y < 30; y++)
        {
            half.AsSpan(y * 40, 20).Fill(255);
        }

        thumb.Compute(half, output);
        Assert.Equal(new float[] { 1, 1, 0, 0 }, output[..4]);
    }

    [Fact]
    public void Compute_AllocatesNothing()
    {
        var thumb = new FrameThumbnail(640, 360);
        var luma = new byte[640 * 360];
        var output = new float[thumb.Length];
        // Past tiered JIT's call counting (30 calls) and on-stack replacement, which run on this thread and allocate.
        for (int i = 0; i < 100; i++)
        {
            thumb.Compute(luma, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            thumb.Compute(luma, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_FrameSmallerThanThumbnail_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new FrameThumbnail(16, 16, 32));
        Assert.Contains("thumbnail 32x32 of a 16x16 frame", e.Message);
        Assert.Throws<ArgumentException>(() => new FrameThumbnail(16, 16).Compute(new byte[10], new float[4]));
    }
}
