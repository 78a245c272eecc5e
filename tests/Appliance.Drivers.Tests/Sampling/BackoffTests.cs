namespace Appliance.Drivers.Tests.Sampling;

// Full jitter as defined in M. Brooker, "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015):
// sleep = random_between(0, min(cap, base * 2^attempt)). Base 100 ms, cap 2 s: ceilings 100, 200, 400, 800, 1600, 2000, 2000 ms.
public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(2);

    [Fact]
    public void Ceiling_DoublesFromBase_UntilTheCap()
    {
        var backoff = new Backoff(Base, Cap);

        int[] expectedMs = [100, 200, 400, 800, 1600, 2000, 2000];
        Assert.Equal(expectedMs, Enumerable.Range(0, expectedMs.Length).Select(n => (int)backoff.Ceiling(n).TotalMilliseconds));
        Assert.Equal(Cap, backoff.Ceiling(int.MaxValue));
    }

    [Fact]
    public void Next_EveryDraw_LiesInZeroToItsCeilingAndNeverAboveTheCap()
    {
        var backoff = new Backoff(Base, Cap, new Random(20150304));
        for (int i = 0; i < 10_000; i++)
        {
            TimeSpan ceiling = backoff.Ceiling(backoff.Attempt);
            TimeSpan wait = backoff.Next();
            Assert.InRange(wait, TimeSpan.Zero, ceiling);
            Assert.InRange(wait, TimeSpan.Zero, Cap);
            if (i % 10 == 9)
            {
                backoff.Reset();
            }
        }
    }

    [Fact]
    public void Delay_ManyDraws_AreUniformOverZeroToTheCeiling()
    {
        // Uniform on [0, c]: mean c/2 and standard deviation c/sqrt(12); over 20 000 draws the mean's standard error is
        // c/sqrt(12 * 20000) = 0.002 c, so 0.02 c is ten standard errors. Each quarter of [0, c] holds a quarter of the draws.
        var backoff = new Backoff(Base, Cap, new Random(7));
        double c = backoff.Ceiling(3).Ticks;
        double[] draws = [.. Enumerable.Range(0, 20_000).Select(_ => backoff.Delay(3).Ticks / c)];

        Assert.InRange(draws.Average(), 0.48, 0.52);
        for (int q = 0; q < 4; q++)
        {
            int inQuarter = draws.Count(d => d >= q * 0.25 && d < (q + 1) * 0.25);
            Assert.InRange(inQuarter, 4_700, 5_300);
        }
    }

    [Fact]
    public void Next_WithCeilingDraws_GrowsByDoublingAndCountsAttempts()
    {
        var backoff = new Backoff(Base, Cap, new CeilingRandom());

        int[] waitsMs = [.. Enumerable.Range(0, 7).Select(_ => (int)backoff.Next().TotalMilliseconds)];

        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000], waitsMs);
        Assert.Equal(7, backoff.Attempt);
    }

    [Fact]
    public void Reset_AfterGrowth_StartsAgainFromTheBase()
    {
        var backoff = new Backoff(Base, Cap, new CeilingRandom());
        for (int i = 0; i < 5; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(Base, backoff.Next());
    }

    [Fact]
    public void Next_SameSeed_SameSequence()
    {
        var a = new Backoff(Base, Cap, new Random(42));
        var b = new Backoff(Base, Cap, new Random(42));

        TimeSpan[] first = [.. Enumerable.Range(0, 50).Select(_ => a.Next())];
        TimeSpan[] second = [.. Enumerable.Range(0, 50).Select(_ => b.Next())];

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 40, "a seeded source still draws different waits");
    }

    [Fact]
    public void Next_ZeroCap_WaitsNothing()
    {
        var backoff = new Backoff(Base, TimeSpan.Zero, new CeilingRandom());

        Assert.Equal(TimeSpan.Zero, backoff.Next());
        Assert.Equal(TimeSpan.Zero, backoff.Next());
    }

    [Fact]
    public void Spread_ManyPolls_LieWithinTheJitterAndAreSpreadAcrossIt()
    {
        var interval = TimeSpan.FromSeconds(30);
        var random = new Random(3);

        TimeSpan[] waits = [.. Enumerable.Range(0, 1_000).Select(_ => Backoff.Spread(interval, 0.1, random))];

        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(27), TimeSpan.FromSeconds(33)));
        Assert.True(waits.Min() < TimeSpan.FromSeconds(27.3) && waits.Max() > TimeSpan.FromSeconds(32.7), "the draws cover the whole ±10 %");
        Assert.Equal(TimeSpan.FromSeconds(33), Backoff.Spread(interval, 0.1, new CeilingRandom()));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Spread_JitterOutsideZeroToOne_Throws(double jitter) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Spread(TimeSpan.FromSeconds(1), jitter));
}
