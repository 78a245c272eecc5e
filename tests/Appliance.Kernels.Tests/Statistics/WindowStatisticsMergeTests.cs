namespace Appliance.Kernels.Tests.Statistics;

public class WindowStatisticsMergeTests
{
    // Samples in [-100, 100], with |x| < 5 turned into NaN (about 5%) so that NaN runs straddle the cut points.
    private static readonly Gen<double[]> Series =
        Gen.Double[-100, 100].Select(x => Math.Abs(x) < 5 ? double.NaN : x).Array[0, 300];

    [Fact]
    public void Merge_RandomSplit_EqualsComputeOfWhole()
    {
        // Pébay (2008), SAND2008-6212, eq. 2.1/3.1: the pairwise update is exact in real arithmetic, so the merged
        // features must equal the whole window's to rounding (tolerance as in TextbookReference.AssertMatches).
        Series.SelectMany(xs => Gen.Int[0, xs.Length].Select(cut => (xs, cut))).Sample(t =>
        {
            (double[] xs, int cut) = t;
            WindowFeatures merged = WindowStatistics.Merge(
                WindowStatistics.Compute(xs.AsSpan(0, cut)), WindowStatistics.Compute(xs.AsSpan(cut)));
            TextbookReference.AssertMatches(xs, merged, $"n={xs.Length} cut={cut}");
        });
    }

    [Fact]
    public void Merge_ManyWaySplit_EqualsComputeOfWhole()
    {
        Series.SelectMany(xs => Gen.Int[0, xs.Length].Array[0, 6].Select(cuts => (xs, cuts))).Sample(t =>
        {
            (double[] xs, int[] cuts) = t;
            int[] bounds = cuts.Append(0).Append(xs.Length).Order().ToArray();
            WindowFeatures acc = WindowFeatures.Empty;
            for (int i = 0; i + 1 < bounds.Length; i++)
            {
                acc = WindowStatistics.Merge(acc, WindowStatistics.Compute(xs.AsSpan(bounds[i], bounds[i + 1] - bounds[i])));
            }

            TextbookReference.AssertMatches(xs, acc, $"n={xs.Length} cuts={string.Join(',', bounds)}");
        });
    }

    [Fact]
    public void Merge_SignChangeAtBoundary_CountsOneCrossing()
    {
        WindowFeatures merged = WindowStatistics.Merge(WindowStatistics.Compute([1.0, 2.0]), WindowStatistics.Compute([-1.0, -2.0]));

        Assert.Equal(1, merged.ZeroCrossings);
        Assert.Equal(1.0, merged.First);
        Assert.Equal(-2.0, merged.Last);
        // Σ(x - 0)² = 10, mean 0.
        Assert.Equal(0.0, merged.Mean);
        Assert.Equal(10.0, merged.M2, 12);
    }
}
