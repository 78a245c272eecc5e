namespace Appliance.Runtime.Tests.Pipeline;

public sealed class SampleRingTests
{
    [Fact]
    public void TryWrite_Full_CountsOverrunAndKeepsOldest()
    {
        var ring = new SampleRing(4, 2);
        for (var i = 0; i < 6; i++)
        {
            ring.TryWrite(i, [i, -i]);
        }

        // Capacity 4: samples 4 and 5 are refused and counted; 0..3 are kept in order.
        Assert.Equal(2, ring.Overruns);
        Span<float> v = stackalloc float[2];
        for (var i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out var ts, v));
            Assert.Equal(i, ts);
            Assert.Equal(-i, v[1]);
        }

        Assert.False(ring.TryRead(out _, v));
    }

    [Fact]
    public void TryRead_ConcurrentProducer_SeesEverySampleInOrder()
    {
        const int n = 200_000;
        var ring = new SampleRing(1024, 1);
        var producer = new Thread(() =>
        {
            for (var i = 0; i < n; i++)
            {
                ring.WaitForSpace(CancellationToken.None);
                Assert.True(ring.TryWrite(i, [i]));
            }
        });
        producer.Start();
        Span<float> v = stackalloc float[1];
        long expected = 0;
        while (expected < n)
        {
            if (ring.TryRead(out var ts, v))
            {
                Assert.Equal(expected, ts);
                Assert.Equal((float)expected, v[0]);
                expected++;
            }
            else
            {
                ring.WaitForData(TimeSpan.FromMilliseconds(10));
            }
        }

        producer.Join();
        Assert.Equal(0, ring.Overruns);
    }

    [Fact]
    public void ChannelSegments_UnreadSamplesWrap_TwoSegmentsInOrderOverRingStorage()
    {
        var ring = new SampleRing(8, 2);
        for (var i = 0; i < 6; i++)
        {
            Assert.True(ring.TryWrite(i, [i, 100 + i]));
        }

        ring.Advance(ring.Peek(5)); // head at slot 5
        for (var i = 6; i < 12; i++)
        {
            Assert.True(ring.TryWrite(i, [i, 100 + i]));
        }

        // Unread: samples 5..11 in slots 5, 6, 7 then 0..3 after the wrap.
        int n = ring.Peek(int.MaxValue);
        Assert.Equal(7, n);
        ring.TimestampSegments(n, out var t0, out var t1);
        ring.ChannelSegments(1, n, out var v0, out var v1);
        Assert.Equal([5L, 6, 7], t0.ToArray());
        Assert.Equal([8L, 9, 10, 11], t1.ToArray());
        Assert.Equal([105f, 106, 107], v0.ToArray());
        Assert.Equal([108f, 109, 110, 111], v1.ToArray());

        // The spans are views of the ring, not copies: the slot the producer refills after Advance shows through.
        // With 7 of 8 slots unread, sample 12 fills slot 4 and, once slot 5 is released, sample 13 refills slot 5.
        ring.Advance(1);
        Assert.True(ring.TryWrite(12, [12, 112]));
        Assert.True(ring.TryWrite(13, [13, 113]));
        Assert.Equal(113f, v0[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.ChannelSegments(2, 1, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.Advance(ring.Count + 1));
    }

    [Fact]
    public void ChannelSegments_FeedTumblingCountWindows_MatchKernelOnContiguousSamples()
    {
        // A sine channel pushed through a small ring in uneven chunks, each peeked batch fed to the windows as its one
        // or two segments. Reference: the fused kernel over each window's samples taken contiguously from the source
        // (that kernel is itself tested against a textbook two-pass reference); merging panes changes only rounding.
        const int n = 1000, window = 37;
        var source = new float[n];
        for (var i = 0; i < n; i++)
        {
            source[i] = (float)(20 + (5 * Math.Sin(i * 0.1)));
        }

        var ring = new SampleRing(64, 1);
        var windows = HoppingWindow.Tumbling(window, WindowBasis.Count);
        var sink = new CollectingSink { Windows = [] };
        int written = 0, chunk = 1;
        while (written < n)
        {
            for (var k = 0; k < chunk && written < n && ring.TryWrite(written, [source[written]]); k++)
            {
                written++;
            }

            chunk = (chunk * 7 % 50) + 1;
            int count = ring.Peek(int.MaxValue);
            ring.ChannelSegments(0, count, out var first, out var second);
            windows.Add(first, ref sink);
            windows.Add(second, ref sink);
            ring.Advance(count);
        }

        windows.Flush(ref sink);
        Assert.Equal((n + window - 1) / window, sink.Windows.Count);
        foreach ((long start, long end, WindowFeatures f) in sink.Windows)
        {
            WindowFeatures e = WindowStatistics.Compute(source.AsSpan((int)start, (int)(Math.Min(end, n) - start)));
            Assert.Equal(e.Count, f.Count);
            Assert.Equal(e.Min, f.Min);
            Assert.Equal(e.Max, f.Max);
            Assert.Equal(e.First, f.First);
            Assert.Equal(e.Last, f.Last);
            Assert.Equal(e.Mean, f.Mean, 1e-9 * Math.Abs(e.Mean));
            Assert.Equal(e.M2, f.M2, 1e-5 * e.M2);
        }
    }

    private struct CollectingSink : IWindowSink
    {
        public List<(long Start, long End, WindowFeatures Features)> Windows;

        public readonly void OnWindow(long start, long end, in WindowFeatures features) => Windows.Add((start, end, features));
    }
}
