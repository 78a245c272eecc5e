namespace Appliance.Kernels.Tests.Windows;

public class HoppingWindowTests
{
    private struct Collect(List<(long Start, long End, WindowFeatures F)> into) : IWindowSink
    {
        public readonly void OnWindow(long start, long end, in WindowFeatures features) => into.Add((start, end, features));
    }

    private static float[] Series(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => rng.NextDouble() < 0.05 ? float.NaN : (float)(Math.Sin(i * 0.1) + rng.NextDouble())).ToArray();
    }

    /// <summary>Feeds the series in chunks of random sizes (as a ring hands them over) and flushes.</summary>
    private static List<(long Start, long End, WindowFeatures F)> FeedByCount(HoppingWindow w, float[] xs, int seed)
    {
        var got = new List<(long, long, WindowFeatures)>();
        var sink = new Collect(got);
        var rng = new Random(seed);
        for (int i = 0; i < xs.Length;)
        {
            int chunk = Math.Min(xs.Length - i, rng.Next(1, 97));
            w.Add(xs.AsSpan(i, chunk), ref sink);
            i += chunk;
        }

        w.Flush(ref sink);
        return got;
    }

    [Theory]
    [InlineData(1000, 100, 100)] // tumbling, exact multiple
    [InlineData(1003, 100, 100)] // tumbling, last window partial
    [InlineData(1000, 100, 30)]  // hopping, panes of gcd 10
    [InlineData(777, 64, 48)]    // hopping, panes of 16
    [InlineData(500, 50, 70)]    // hop longer than length: gaps between windows
    public void AddByCount_ChunkedFeed_EachWindowMatchesDirectComputation(int n, int length, int hop)
    {
        float[] xs = Series(n, n + length);
        var got = FeedByCount(new HoppingWindow(length, hop, WindowBasis.Count), xs, 3);
        // Reference: window k is samples [k·hop, min(k·hop + length, n)), computed directly in double (textbook two-pass).
        int expectedWindows = (n + hop - 1) / hop;
        Assert.Equal(expectedWindows, got.Count);
        for (int k = 0; k < got.Count; k++)
        {
            int start = k * hop;
            Assert.Equal(start, got[k].Start);
            Assert.Equal(start + length, got[k].End);
            double[] window = xs.Skip(start).Take(length).Select(x => (double)x).ToArray();
            TextbookReference.AssertMatchesFloatKernel(window, got[k].F, WindowStatistics.VectorWidthBits, $"n={n} length={length} hop={hop} window={k}");
        }
    }

    [Fact]
    public void AddByTime_GapsAndLateSample_WindowsAlignedToEpochMatchBruteForce()
    {
        const long second = 1_000_000_000;
        var rng = new Random(11);
        var ts = new List<long>();
        long t = (1_700_000_000 * second) + 123;
        for (int i = 0; i < 3000; i++)
        {
            t += i % 500 == 499 ? 37 * second : rng.Next(1, 200) * (second / 100); // 10 ms..2 s steps, and 37 s gaps
            ts.Add(t);
        }

        float[] xs = Series(ts.Count, 4);
        long length = 10 * second, hop = 4 * second;
        var w = new HoppingWindow(length, hop, WindowBasis.Time);
        var got = new List<(long Start, long End, WindowFeatures F)>();
        var sink = new Collect(got);
        long[] stamps = ts.ToArray();
        w.Add(stamps.AsSpan(0, 1000), xs.AsSpan(0, 1000), ref sink);
        // A sample 1 min in the past arrives: it is dropped and counted, never merged into a closed window.
        w.Add([stamps[999] - (60 * second)], [1e9f], ref sink);
        w.Add(stamps.AsSpan(1000), xs.AsSpan(1000), ref sink);
        w.Flush(ref sink);
        Assert.Equal(1, w.LateSamples);

        // Brute force: every window [k·hop, k·hop + length) holding at least one sample, in start order.
        var expected = new List<(long Start, double[] Samples)>();
        for (long k = stamps[0] / hop - 3; k * hop <= stamps[^1]; k++)
        {
            long s = k * hop;
            double[] inside = Enumerable.Range(0, stamps.Length).Where(i => stamps[i] >= s && stamps[i] < s + length).Select(i => (double)xs[i]).ToArray();
            if (inside.Length > 0)
            {
                expected.Add((s, inside));
            }
        }

        Assert.Equal(expected.Select(e => e.Start), got.Select(g => g.Start));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Start + length, got[i].End);
            TextbookReference.AssertMatchesFloatKernel(expected[i].Samples, got[i].F, WindowStatistics.VectorWidthBits, $"window at {expected[i].Start}");
        }
    }

    [Fact]
    public void Constructor_BadLengthOrHop_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoppingWindow(0, 1, WindowBasis.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoppingWindow(10, -1, WindowBasis.Count));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new HoppingWindow(1_000_003, 1, WindowBasis.Count));
        Assert.Contains("panes", e.Message);
    }
}
