namespace Appliance.Kernels.Tests.Histograms;

public class FixedHistogramTests
{
    [Fact]
    public void Add_KnownSamples_CountsPerHalfOpenBucket()
    {
        // Edges 0, 2.5, 5, 7.5, 10; buckets are [lo, hi): 2.5 goes to bucket 1, 10 overflows (numpy.histogram would close
        // the last bucket, ours is half-open so that adjacent histograms tile the line).
        var h = new FixedHistogram(0, 10, 4);
        h.Add([-1.0, 0.0, 2.4999, 2.5, 5.0, 9.999999, 10.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity]);
        Assert.Equal(new long[] { 2, 1, 1, 1 }, h.Counts.ToArray());
        Assert.Equal(2, h.Underflow);
        Assert.Equal(2, h.Overflow);
        Assert.Equal(1, h.NanCount);
        Assert.Equal(9, h.Count);
        Assert.Equal(7.5, h.EdgeOf(3));
    }

    [Fact]
    public void Add_RandomSamples_MatchesBruteForceEdges()
    {
        // Independent reference: the bucket is the last edge Lower + i·w not above x, found by linear search.
        var rng = new Random(5);
        double[] xs = Enumerable.Range(0, 5000).Select(_ => (rng.NextDouble() * 14) - 2).ToArray();
        var h = new FixedHistogram(-1, 11, 37);
        h.Add(xs);
        var expected = new long[37];
        foreach (double x in xs.Where(x => x >= -1 && x < 11))
        {
            int i = 36;
            while (-1 + (i * 12.0 / 37) > x)
            {
                i--;
            }

            expected[i]++;
        }

        Assert.Equal(expected, h.Counts.ToArray());
    }

    [Fact]
    public void Merge_AnySplit_EqualsWhole()
    {
        Gen.Double[-20, 20].Array[0, 300].SelectMany(xs => Gen.Int[0, xs.Length].Select(cut => (xs, cut))).Sample(t =>
        {
            (double[] xs, int cut) = t;
            var whole = new FixedHistogram(-10, 10, 16);
            whole.Add(xs);
            var a = new FixedHistogram(-10, 10, 16);
            var b = new FixedHistogram(-10, 10, 16);
            a.Add(xs.AsSpan(0, cut));
            b.Add(xs.AsSpan(cut));
            a.Merge(b);
            Assert.Equal(whole.Counts.ToArray(), a.Counts.ToArray());
            Assert.Equal(whole.Underflow, a.Underflow);
            Assert.Equal(whole.Overflow, a.Overflow);
        });
    }

    [Fact]
    public void Merge_DifferentEdges_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FixedHistogram(0, 1, 4).Merge(new FixedHistogram(0, 2, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedHistogram(1, 1, 4));
    }
}
