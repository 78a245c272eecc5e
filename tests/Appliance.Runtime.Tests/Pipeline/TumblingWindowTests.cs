namespace Appliance.Runtime.Tests.Pipeline;

public sealed class TumblingWindowTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Drain_CrossesBoundary_ClosesWindowAlignedToEpochMultiples()
    {
        var ring = new SampleRing(16, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1));
        var closed = new WindowFeatures[1];
        // Samples at 10.2 s, 10.5 s, 10.9 s fall in [10 s, 11 s); 11.0 s closes it.
        ring.TryWrite((10 * Second) + (Second / 5), [1f]);
        ring.TryWrite((10 * Second) + (Second / 2), [2f]);
        ring.TryWrite((10 * Second) + (9 * Second / 10), [6f]);
        Assert.False(w.Drain(closed, out _, out _));
        Assert.Equal(3, w.Count);
        ring.TryWrite(11 * Second, [100f]);
        Assert.True(w.Drain(closed, out var start, out var end));
        Assert.Equal(10 * Second, start);
        Assert.Equal(11 * Second, end);
        Assert.Equal(3, closed[0].Count);
        Assert.Equal(3.0, closed[0].Mean, 12);
        Assert.Equal(1.0, closed[0].Min);
        Assert.Equal(6.0, closed[0].Max);
        // Sample variance of {1, 2, 6}: ((1-3)² + (2-3)² + (6-3)²) / 2 = 7.
        Assert.Equal(7.0, closed[0].M2 / (closed[0].Count - 1), 12);
        // The closing sample opens the next window and stays in the ring until it is drained.
        Assert.Equal(11 * Second, w.StartNs);
        Assert.Equal(1, ring.Count);
        Assert.False(w.Drain(closed, out _, out _));
        Assert.Equal(1, w.Count);
    }

    [Fact]
    public void Drain_GapAndLateSample_SkipsEmptyWindowsAndCountsLate()
    {
        var ring = new SampleRing(16, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1));
        var closed = new WindowFeatures[1];
        ring.TryWrite(1 * Second, [1f]);
        ring.TryWrite(5 * Second, [2f]);
        Assert.True(w.Drain(closed, out var start, out _));
        Assert.Equal(1 * Second, start);
        ring.TryWrite(4 * Second, [3f]);
        Assert.False(w.Drain(closed, out _, out _));
        Assert.Equal(1, w.LateSamples);
        Assert.True(w.Flush(closed, out start, out var end));
        Assert.Equal((5 * Second, 6 * Second), (start, end));
        Assert.Equal(1, closed[0].Count);
        Assert.Equal(0, ring.Count);
    }

    [Fact]
    public void Drain_NegativeTimestamps_AlignDownward()
    {
        var ring = new SampleRing(4, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1));
        ring.TryWrite(-Second / 2, [1f]);
        w.Drain(new WindowFeatures[1], out _, out _);
        Assert.Equal(-Second, w.StartNs);
    }

    [Fact]
    public void Drain_SamplesBeforeNotBefore_DroppedAndCountedEarly()
    {
        // A pipeline taking over at 10.05 s: samples stamped 9.9 s, and 10.02 s inside the window [10 s, 11 s) that the
        // first accepted sample opens, came before it and are dropped; 10.1 s and 10.2 s are taken.
        var ring = new SampleRing(8, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1), notBeforeNs: (10 * Second) + (Second / 20));
        var closed = new WindowFeatures[1];
        ring.TryWrite((10 * Second) - (Second / 10), [50f]);
        ring.TryWrite((10 * Second) + (Second / 10), [1f]);
        ring.TryWrite((10 * Second) + (Second / 50), [60f]);
        ring.TryWrite((10 * Second) + (Second / 5), [3f]);
        Assert.False(w.Drain(closed, out _, out _));
        Assert.Equal(2, w.EarlySamples);
        Assert.Equal(0, w.LateSamples);
        Assert.True(w.Flush(closed, out var start, out _));
        Assert.Equal(10 * Second, start);
        Assert.Equal(2, closed[0].Count);
        Assert.Equal(2.0, closed[0].Mean, 12);
    }

    [Fact]
    public void Drain_WindowLongerThanRing_HoldsNoBufferAndCountsEverySample()
    {
        // A ring of 4 samples under a window of 1000: the window is folded in runs of at most 2 samples (half the ring)
        // and must still hold all 1000 samples; the mean of 0..999 is 499.5 and the sample variance n(n+1)/12 = 83416.67
        // (the variance of the discrete uniform 0..n-1 is (n² - 1)/12, times n/(n-1) for Bessel's correction).
        var ring = new SampleRing(4, 1);
        var w = new TumblingWindow(ring, TimeSpan.FromSeconds(1));
        var closed = new WindowFeatures[1];
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(ring.TryWrite(i * (Second / 1000), [i]));
            Assert.False(w.Drain(closed, out _, out _));
            Assert.True(w.Held <= 2);
        }

        ring.TryWrite(Second, [0f]);
        Assert.True(w.Drain(closed, out _, out _));
        Assert.Equal(1000, closed[0].Count);
        Assert.Equal(499.5, closed[0].Mean, 9);
        // Runs of 2 take the kernel's scalar double path, so only double rounding remains: 1e-9 relative is ample.
        Assert.Equal(1000.0 * 1001.0 / 12.0, closed[0].Variance, 1e-9 * 1000.0 * 1001.0 / 12.0);
        Assert.Equal(0.0, closed[0].First);
        Assert.Equal(999.0, closed[0].Last);
    }

    [Theory]
    [InlineData(11, 4)]
    [InlineData(12, 8)]
    [InlineData(13, 64)]
    [InlineData(14, 1024)]
    public void Drain_RandomBatchesAndWraps_EqualsOnePassKernelOverWindow(int seed, int capacity)
    {
        // Reference: each window's samples assigned by the per-sample rule (a sample at or past the open window's end
        // closes it and opens the window it falls in; one before the open window's start is late and dropped), gathered
        // contiguously and given to the one-pass kernel. The ring path cuts the same windows at ring wraps, at half the
        // ring and at the producer's random batch boundaries, and merges the runs.
        var rng = new Random(seed);
        var (timestamps, values) = Stream(rng, 6000);
        var ring = new SampleRing(capacity, 3);
        long lengthNs = 50_000_000; // 50 ms windows, samples every 1-3 ms: about 25 per window
        var w = new TumblingWindow(ring, TimeSpan.FromTicks(lengthNs / 100));
        var got = new List<(long Start, WindowFeatures[] Features)>();
        var closed = new WindowFeatures[3];
        var sample = new float[3];
        int written = 0;
        while (written < timestamps.Length)
        {
            int batch = rng.Next(1, ring.Capacity - ring.Count + 1);
            for (int k = 0; k < batch && written < timestamps.Length; k++, written++)
            {
                for (var c = 0; c < 3; c++)
                {
                    sample[c] = values[c][written];
                }

                Assert.True(ring.TryWrite(timestamps[written], sample));
            }

            while (w.Unread > 0)
            {
                if (w.Drain(closed, out var start, out var end))
                {
                    Assert.Equal(start + lengthNs, end);
                    got.Add((start, [.. closed]));
                }
            }
        }

        if (w.Flush(closed, out var last, out _))
        {
            got.Add((last, [.. closed]));
        }

        var expected = Reference(timestamps, values, lengthNs, out long late);
        Assert.True(late > 0 && expected.Count > 100, "the stream must exercise late samples and many windows");
        Assert.Equal(late, w.LateSamples);
        Assert.Equal(expected.Select(e => e.Start), got.Select(g => g.Start));
        for (var i = 0; i < expected.Count; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                AssertMatches(expected[i].Samples[c], got[i].Features[c], $"seed {seed} ring {capacity} window {i} channel {c}");
            }
        }
    }

    [Fact]
    public void Drain_ConcurrentProducer_HeldSamplesNeverOverwritten()
    {
        // The producer runs on its own thread and waits for space (as a replay does), so it fills every slot the window
        // releases while the window holds others unread. Every window must still equal the one-pass kernel over its samples.
        var rng = new Random(21);
        var (timestamps, values) = Stream(rng, 100_000);
        var ring = new SampleRing(64, 3);
        long lengthNs = 50_000_000;
        var w = new TumblingWindow(ring, TimeSpan.FromTicks(lengthNs / 100));
        var producer = new Thread(() =>
        {
            var sample = new float[3];
            for (var i = 0; i < timestamps.Length; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    sample[c] = values[c][i];
                }

                ring.WaitForSpace(CancellationToken.None);
                ring.TryWrite(timestamps[i], sample);
            }
        });
        producer.Start();
        var got = new List<(long Start, WindowFeatures[] Features)>();
        var closed = new WindowFeatures[3];
        while (producer.IsAlive || w.Unread > 0)
        {
            while (w.Unread > 0)
            {
                if (w.Drain(closed, out var start, out _))
                {
                    got.Add((start, [.. closed]));
                }
            }

            ring.WaitForData(TimeSpan.FromMilliseconds(5), w.Held);
        }

        producer.Join();
        if (w.Flush(closed, out var last, out _))
        {
            got.Add((last, [.. closed]));
        }

        var expected = Reference(timestamps, values, lengthNs, out long late);
        Assert.Equal(0, ring.Overruns);
        Assert.Equal(late, w.LateSamples);
        Assert.Equal(expected.Count, got.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Start, got[i].Start);
            for (var c = 0; c < 3; c++)
            {
                AssertMatches(expected[i].Samples[c], got[i].Features[c], $"window {i} channel {c}");
            }
        }
    }

    /// <summary>
    /// Three channels of <paramref name="n"/> samples, 1-3 ms apart from an epoch-scale start, with gaps of several windows
    /// (1 in 500) and late samples stamped 60 ms back (1 in 200): a 20 ± 5 sine with noise, zero-mean noise with 3 % NaN
    /// (zero crossings and NaN runs across the cuts), and 1e6 + noise (a large offset).
    /// </summary>
    private static (long[] Timestamps, float[][] Values) Stream(Random rng, int n)
    {
        var timestamps = new long[n];
        float[][] values = [new float[n], new float[n], new float[n]];
        long t = 1_700_000_000_000_000_000 + 123_456_789;
        for (var i = 0; i < n; i++)
        {
            t += rng.Next(1_000_000, 3_000_001);
            if (rng.Next(500) == 0)
            {
                t += 400_000_000;
            }

            timestamps[i] = rng.Next(200) == 0 ? t - 60_000_000 : t;
            values[0][i] = (float)(20 + (5 * Math.Sin(i * 0.05)) + rng.NextDouble());
            values[1][i] = rng.Next(33) == 0 ? float.NaN : (float)(rng.NextDouble() - 0.5);
            values[2][i] = (float)(1e6 + (64 * rng.NextDouble()));
        }

        return (timestamps, values);
    }

    /// <summary>The per-sample windowing rule, written out plainly: each window's samples per channel, in order.</summary>
    private static List<(long Start, List<float>[] Samples)> Reference(long[] timestamps, float[][] values, long lengthNs, out long late)
    {
        var windows = new List<(long Start, List<float>[] Samples)>();
        late = 0;
        long start = long.MinValue;
        for (var i = 0; i < timestamps.Length; i++)
        {
            long ts = timestamps[i];
            if (start != long.MinValue && ts < start)
            {
                late++;
                continue;
            }

            if (start == long.MinValue || ts >= start + lengthNs)
            {
                start = ts - (((ts % lengthNs) + lengthNs) % lengthNs);
                windows.Add((start, [[], [], []]));
            }

            for (var c = 0; c < 3; c++)
            {
                windows[^1].Samples[c].Add(values[c][i]);
            }
        }

        return windows;
    }

    /// <summary>
    /// Compares with the one-pass kernel over the window's samples. Counts, NaN count, min, max, first, last and zero
    /// crossings are exact (merging takes them whole). The moment sums: each run's float-lane sums are within
    /// 2·(64 + 8)·2⁻²⁴ of Σ|x − K|^p + Σ|x − mean|^p (WindowStatistics class remarks; K a sample of the run), and so is
    /// the one-pass result; K and every mean lie in [min, max], so that scale is at most 2·n·R^p with R = max − min.
    /// The Pébay merges are exact in real arithmetic and round in double, a few (n + 8)·2⁻⁵³ of the same scale
    /// (Higham 2002, §4.2). The difference of the two results is allowed the sum of both bounds.
    /// </summary>
    private static void AssertMatches(List<float> samples, WindowFeatures actual, string what)
    {
        WindowFeatures e = WindowStatistics.Compute(samples.ToArray());
        Assert.True(e.Count == actual.Count, $"{what}: Count {actual.Count}, expected {e.Count}");
        Assert.True(e.NanCount == actual.NanCount, $"{what}: NanCount {actual.NanCount}, expected {e.NanCount}");
        Assert.True(e.ZeroCrossings == actual.ZeroCrossings, $"{what}: ZeroCrossings {actual.ZeroCrossings}, expected {e.ZeroCrossings}");
        Assert.Equal(e.Min, actual.Min);
        Assert.Equal(e.Max, actual.Max);
        Assert.Equal(e.First, actual.First);
        Assert.Equal(e.Last, actual.Last);
        if (e.Count == 0)
        {
            Assert.True(double.IsNaN(actual.Mean), $"{what}: Mean {actual.Mean}, expected NaN");
            return;
        }

        const double floatLanes = 2.0 * (64 + 8) * 5.9604644775390625e-08;
        double n = e.Count;
        double r = e.Max - e.Min;
        double tol = 2.0 * (floatLanes + (4.0 * (n + 8) * 1.1102230246251565e-16)) * 2.0 * n;
        Close(e.Mean, actual.Mean, (tol * r / n) + (8 * 1.1102230246251565e-16 * Math.Abs(e.Mean)), what + ": Mean");
        Close(e.M2, actual.M2, tol * r * r, what + ": M2");
        Close(e.M3, actual.M3, tol * r * r * r, what + ": M3");
        Close(e.M4, actual.M4, tol * r * r * r * r, what + ": M4");
        double peak = Math.Max(Math.Abs(e.Min), Math.Abs(e.Max));
        Close(e.SumOfSquares, actual.SumOfSquares, tol * peak * peak, what + ": SumOfSquares");
    }

    private static void Close(double expected, double actual, double tolerance, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= tolerance,
            $"{what}: {actual:R}, expected {expected:R} ± {tolerance:R} (off by {Math.Abs(expected - actual):R})");
}
