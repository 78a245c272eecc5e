using Appliance.Kernels.Motion;

namespace Appliance.Kernels.Tests.Motion;

public class MotionDetectorTests
{
    [Theory]
    [InlineData(640, 360, 16)]
    [InlineData(37, 23, 16)] // narrower than two Vector<byte> widths, partial edge blocks
    [InlineData(100, 75, 8)] // width not a multiple of 32 or 64: vector body plus scalar tail
    [InlineData(67, 41, 5)]
    [InlineData(129, 66, 32)]
    public void Analyze_RandomFrames_EqualsScalarReference(int width, int height, int block)
    {
        var settings = new MotionSettings { BlockSize = block, PixelThreshold = 20, AdaptationShift = 3, MinActiveFraction = 0.3, MinRegionBlocks = 2 };
        var detector = new MotionDetector(width, height, settings);
        var reference = new ScalarReference(width, height, settings);
        var random = new Random(width * 1000 + height);
        var frame = new byte[width * height];
        random.NextBytes(frame);
        int withMotion = 0;
        for (int f = 0; f < 40; f++)
        {
            // Each frame: small noise everywhere and a few rectangles repainted, so pixels cross the threshold both ways.
            for (int i = 0; i < frame.Length; i++)
            {
                frame[i] = (byte)Math.Clamp(frame[i] + random.Next(-6, 7), 0, 255);
            }

            for (int r = 0; r < 3; r++)
            {
                int x0 = random.Next(width), y0 = random.Next(height);
                int w = random.Next(1, width / 2 + 2), h = random.Next(1, height / 2 + 2);
                byte value = (byte)random.Next(256);
                for (int y = y0; y < Math.Min(height, y0 + h); y++)
                {
                    frame.AsSpan((y * width) + x0, Math.Min(w, width - x0)).Fill(value);
                }
            }

            MotionFrame got = detector.Analyze(frame);
            MotionFrame want = reference.Analyze(frame);
            Assert.Equal(want, got);
            Assert.True(reference.Background.AsSpan().SequenceEqual(detector.Background), $"background differs at frame {f}");
            for (int by = 0; by < detector.BlocksY; by++)
            {
                for (int bx = 0; bx < detector.BlocksX; bx++)
                {
                    Assert.Equal(reference.Active[(by * detector.BlocksX) + bx], detector.IsBlockActive(bx, by));
                }
            }

            withMotion += got.Motion ? 1 : 0;
        }

        Assert.InRange(withMotion, 5, 39); // the frames exercised both outcomes
    }

    [Fact]
    public void Analyze_StillTexturedFrame_NoMotion()
    {
        byte[] scene = Texture(320, 240, 7);
        var detector = new MotionDetector(320, 240, new MotionSettings());
        for (int f = 0; f < 50; f++)
        {
            Assert.Equal(default, detector.Analyze(scene));
        }
    }

    [Fact]
    public void Analyze_NoiseBelowThreshold_NoMotion()
    {
        byte[] scene = Texture(320, 240, 8);
        var frame = new byte[scene.Length];
        var random = new Random(3);
        var detector = new MotionDetector(320, 240, new MotionSettings { PixelThreshold = 25 });
        for (int f = 0; f < 50; f++)
        {
            for (int i = 0; i < frame.Length; i++)
            {
                frame[i] = (byte)(scene[i] + random.Next(-12, 13)); // |noise| <= 12 < 25; texture is 50..150, no wrap
            }

            Assert.Equal(0, detector.Analyze(frame).ActiveBlocks);
        }
    }

    [Theory]
    [InlineData(32, 32, 48, 9, 9)] // block-aligned 48 px square: 3 x 3 blocks of 16
    [InlineData(40, 40, 48, 16, 16)] // offset by 8: 4 x 4 blocks; the corner blocks hold 8 x 8 = 64 px = exactly 25 % of 256
    // Offset by 9: the square spans 41..88, i.e. 7, 16, 16 and 9 columns (and rows) of the four blocks it touches; a block
    // is active at >= 64 px, so the corners 7 x 7 = 49, 7 x 9 = 63 and 9 x 7 = 63 are not, 9 x 9 = 81 is: 16 - 3 = 13.
    [InlineData(41, 41, 48, 13, 13)]
    public void Analyze_SquareOfKnownSize_GivesExpectedBlocks(int x0, int y0, int side, int activeBlocks, int region)
    {
        byte[] scene = Texture(160, 128, 9);
        var detector = new MotionDetector(160, 128, new MotionSettings());
        detector.Analyze(scene);
        byte[] frame = (byte[])scene.Clone();
        for (int y = y0; y < y0 + side; y++)
        {
            frame.AsSpan((y * 160) + x0, side).Fill(255);
        }

        MotionFrame m = detector.Analyze(frame);
        Assert.Equal(new MotionFrame(activeBlocks, region, true), m);
    }

    [Fact]
    public void Analyze_MovingSquare_KeepsItsBlocksAndLeavesNoGhost()
    {
        byte[] scene = Texture(320, 160, 10);
        var detector = new MotionDetector(320, 160, new MotionSettings());
        detector.Analyze(scene);
        for (int step = 0; step < 12; step++)
        {
            byte[] frame = (byte[])scene.Clone();
            int x0 = 16 + (step * 16);
            for (int y = 48; y < 96; y++)
            {
                frame.AsSpan((y * 320) + x0, 48).Fill(255);
            }

            // 3 x 3 blocks where the square is; where it was, the background moved by at most (255 - 50) / 256 luma
            // per frame at the slow rate, so no block is left behind.
            Assert.Equal(new MotionFrame(9, 9, true), detector.Analyze(frame));
            for (int bx = 0; bx < detector.BlocksX; bx++)
            {
                Assert.Equal(bx >= (x0 / 16) && bx < (x0 / 16) + 3, detector.IsBlockActive(bx, 4));
            }
        }

        Assert.Equal(default, detector.Analyze(scene));
    }

    [Fact]
    public void Analyze_TwoSquaresAndASmallOne_LargestRegionAndThreshold()
    {
        byte[] scene = Texture(256, 128, 11);
        var detector = new MotionDetector(256, 128, new MotionSettings { MinRegionBlocks = 4 });
        detector.Analyze(scene);
        byte[] frame = (byte[])scene.Clone();
        Fill(frame, 256, 0, 0, 48, 48); // 9 blocks
        Fill(frame, 256, 128, 64, 32, 32); // 4 blocks
        Assert.Equal(new MotionFrame(13, 9, true), detector.Analyze(frame));

        detector.Reset();
        detector.Analyze(scene);
        frame = (byte[])scene.Clone();
        Fill(frame, 256, 0, 0, 16, 16);
        Fill(frame, 256, 64, 64, 16, 32); // 2 blocks: below MinRegionBlocks
        Assert.Equal(new MotionFrame(3, 2, false), detector.Analyze(frame));
    }

    [Fact]
    public void Analyze_ShortFrameOrBadSettings_Throws()
    {
        var detector = new MotionDetector(64, 64, new MotionSettings());
        Assert.Throws<ArgumentException>(() => detector.Analyze(new byte[64 * 63]));
        var e = Assert.Throws<ArgumentException>(() => new MotionDetector(64, 64, new MotionSettings { BlockSize = 2 }));
        Assert.Contains("block_size = 2", e.Message);
    }

    [Fact]
    public void Analyze_SteadyState_AllocatesNothing()
    {
        byte[] a = Texture(1920, 1080, 12);
        byte[] b = (byte[])a.Clone();
        Fill(b, 1920, 600, 400, 200, 200);
        var detector = new MotionDetector(1920, 1080, new MotionSettings());
        // Warm past tiered JIT (call counting and the tier-1 rejit allocate on this thread), as WelchEstimatorTests does.
        for (int i = 0; i < 100; i++)
        {
            detector.Analyze((i & 1) == 0 ? a : b);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            detector.Analyze((i & 1) == 0 ? a : b);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Fill(byte[] frame, int width, int x0, int y0, int w, int h)
    {
        for (int y = y0; y < y0 + h; y++)
        {
            frame.AsSpan((y * width) + x0, w).Fill(255);
        }
    }

    /// <summary>A fixed random texture with luma 50..150.</summary>
    private static byte[] Texture(int width, int height, int seed)
    {
        var random = new Random(seed);
        var frame = new byte[width * height];
        for (int i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)random.Next(50, 151);
        }

        return frame;
    }

    /// <summary>The method written out pixel by pixel and block by block (breadth-first labelling), as MotionSettings states it.</summary>
    private sealed class ScalarReference(int width, int height, MotionSettings s)
    {
        private bool _seeded;
        private readonly int _bx = (width + s.BlockSize - 1) / s.BlockSize;
        private readonly int _by = (height + s.BlockSize - 1) / s.BlockSize;

        public ushort[] Background { get; } = new ushort[width * height];

        public bool[] Active { get; private set; } = [];

        public MotionFrame Analyze(byte[] frame)
        {
            Active = new bool[_bx * _by];
            if (!_seeded)
            {
                for (int i = 0; i < frame.Length; i++)
                {
                    Background[i] = (ushort)(frame[i] * 256);
                }

                _seeded = true;
                return default;
            }

            var counts = new int[_bx * _by];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int i = (y * width) + x;
                    int bg = Background[i];
                    bool on = Math.Abs(frame[i] - (bg / 256)) > s.PixelThreshold;
                    if (on)
                    {
                        counts[((y / s.BlockSize) * _bx) + (x / s.BlockSize)]++;
                    }

                    int shift = on ? s.AdaptationShift + 3 : s.AdaptationShift;
                    int target = frame[i] * 256;
                    Background[i] = (ushort)(target >= bg ? bg + ((target - bg) >> shift) : bg - ((bg - target) >> shift));
                }
            }

            int active = 0;
            for (int k = 0; k < counts.Length; k++)
            {
                int bw = Math.Min(s.BlockSize, width - ((k % _bx) * s.BlockSize));
                int bh = Math.Min(s.BlockSize, height - ((k / _bx) * s.BlockSize));
                Active[k] = counts[k] >= Math.Max(1, (int)Math.Ceiling(s.MinActiveFraction * bw * bh));
                active += Active[k] ? 1 : 0;
            }

            int largest = 0;
            var seen = new bool[Active.Length];
            for (int k = 0; k < Active.Length; k++)
            {
                if (!Active[k] || seen[k])
                {
                    continue;
                }

                int size = 0;
                var queue = new Queue<int>([k]);
                seen[k] = true;
                while (queue.TryDequeue(out int q))
                {
                    size++;
                    (int qx, int qy) = (q % _bx, q / _bx);
                    foreach ((int nx, int ny) in new[] { (qx - 1, qy), (qx + 1, qy), (qx, qy - 1), (qx, qy + 1) })
                    {
                        int n = (ny * _bx) + nx;
                        if (nx >= 0 && nx < _bx && ny >= 0 && ny < _by && Active[n] && !seen[n])
                        {
                            seen[n] = true;
                            queue.Enqueue(n);
                        }
                    }
                }

                largest = Math.Max(largest, size);
            }

            return new MotionFrame(active, largest, largest >= s.MinRegionBlocks);
        }
    }
}
