using Appliance.Kernels.Statistics;
using Appliance.Runtime.Pipeline;

namespace Appliance.Runtime.Tests.Pipeline;

public sealed class TumblingWindowTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Add_CrossesBoundary_ClosesWindowAlignedToEpochMultiples()
    {
        var w = new TumblingWindow(1, TimeSpan.FromSeconds(1), 16);
        var closed = new WindowFeatures[1];
        // Samples at 10.2 s, 10.5 s, 10.9 s fall in [10 s, 11 s); 11.0 s closes it.
        Assert.False(w.Add((10 * Second) + (Second / 5), [1f], closed, out _, out _));
        Assert.False(w.Add((10 * Second) + (Second / 2), [2f], closed, out _, out _));
        Assert.False(w.Add((10 * Second) + (9 * Second / 10), [6f], closed, out _, out _));
        Assert.True(w.Add(11 * Second, [100f], closed, out var start, out var end));
        Assert.Equal(10 * Second, start);
        Assert.Equal(11 * Second, end);
        Assert.Equal(3, closed[0].Count);
        Assert.Equal(3.0, closed[0].Mean, 12);
        Assert.Equal(1.0, closed[0].Min);
        Assert.Equal(6.0, closed[0].Max);
        // Sample variance of {1, 2, 6}: ((1-3)² + (2-3)² + (6-3)²) / 2 = 7.
        Assert.Equal(7.0, closed[0].M2 / (closed[0].Count - 1), 12);
    }

    [Fact]
    public void Add_GapAndLateSample_SkipsEmptyWindowsAndCountsLate()
    {
        var w = new TumblingWindow(1, TimeSpan.FromSeconds(1), 16);
        var closed = new WindowFeatures[1];
        w.Add(1 * Second, [1f], closed, out _, out _);
        Assert.True(w.Add(5 * Second, [2f], closed, out var start, out _));
        Assert.Equal(1 * Second, start);
        Assert.False(w.Add(4 * Second, [3f], closed, out _, out _));
        Assert.Equal(1, w.LateSamples);
        Assert.True(w.Flush(closed, out start, out var end));
        Assert.Equal((5 * Second, 6 * Second), (start, end));
        Assert.Equal(1, closed[0].Count);
    }

    [Fact]
    public void Add_NegativeTimestamps_AlignDownward()
    {
        var w = new TumblingWindow(1, TimeSpan.FromSeconds(1), 4);
        var closed = new WindowFeatures[1];
        w.Add(-Second / 2, [1f], closed, out _, out _);
        Assert.Equal(-Second, w.StartNs);
    }

    [Fact]
    public void Add_BeyondCapacity_CountsOverflow()
    {
        var w = new TumblingWindow(1, TimeSpan.FromSeconds(1), 2);
        var closed = new WindowFeatures[1];
        for (var i = 0; i < 5; i++)
        {
            w.Add(i, [i], closed, out _, out _);
        }

        Assert.Equal(3, w.OverflowSamples);
        Assert.Equal(2, w.Count);
    }
}
