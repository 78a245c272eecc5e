namespace Appliance.Kernels.Tests.Quantiles;

public class DDSketchTests
{
    private static readonly double[] Qs = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0];

    /// <summary>The exact lower quantile: the sample of 0-based rank ⌊q (n - 1)⌋ (Masson, Rim and Lee 2019, §1 definition).</summary>
    private static double Lower(double[] sorted, double q) => sorted[(int)(q * (sorted.Length - 1))];

    private static void AssertWithinAlpha(double[] xs, DDSketch sketch, string what)
    {
        double[] sorted = xs.Where(double.IsFinite).Order().ToArray();
        foreach (double q in Qs)
        {
            double exact = Lower(sorted, q);
            double estimate = sketch.Quantile(q);
            // Theorem 1 of Masson, Rim and Lee (2019): |estimate - x_q| <= α |x_q|; plus a few ulps for log/pow rounding.
            double tolerance = (sketch.RelativeAccuracy * Math.Abs(exact)) + (1e-12 * Math.Abs(exact));
            Assert.True(Math.Abs(estimate - exact) <= tolerance, $"{what} q={q}: {estimate:R}, exact {exact:R} ± {tolerance:R}");
        }
    }

    [Theory]
    [InlineData(0.01, 1)]
    [InlineData(0.001, 2)]
    [InlineData(0.05, 3)]
    public void Quantile_LogNormalSamples_WithinRelativeAccuracy(double alpha, int seed)
    {
        double[] xs = new LogNormal(0, 2, new Random(seed)).Samples().Take(20_000).ToArray();
        var sketch = new DDSketch(alpha, maxBins: 32768); // e^±8 at α = 0.001 spans about 8000 bins
        sketch.Add(xs);
        Assert.Equal(0, sketch.CollapsedBins);
        AssertWithinAlpha(xs, sketch, $"alpha={alpha}");
    }

    [Fact]
    public void Quantile_MixedSignsAndZeros_WithinRelativeAccuracy()
    {
        var rng = new Random(7);
        double[] xs = Enumerable.Range(0, 10_001).Select(i => i % 10 == 0 ? 0.0 : (rng.NextDouble() - 0.4) * 1000).ToArray();
        var sketch = new DDSketch(0.01);
        sketch.Add(xs);
        Assert.Equal(1001, sketch.ZeroCount);
        AssertWithinAlpha(xs, sketch, "mixed");
    }

    [Fact]
    public void Add_NaNAndInfinity_SkippedAndCounted()
    {
        var sketch = new DDSketch();
        sketch.Add([1f, float.NaN, 2f, float.PositiveInfinity, 3f]);
        Assert.Equal(3, sketch.Count);
        Assert.Equal(2, sketch.NanCount);
        Assert.True(double.IsNaN(new DDSketch().Quantile(0.5)));
    }

    [Fact]
    public void Merge_AnySplit_EqualsSketchOfWhole()
    {
        // §2.3: merging adds bin counts, so the merged sketch equals the whole series' sketch exactly (while no bin is
        // collapsed: values of a sensor with 0.01 resolution up to ±1e4 span under 1000 bins of the 2048).
        Gen.Int[-1_000_000, 1_000_000].Select(i => i / 100.0).Array[0, 400].SelectMany(xs => Gen.Int[0, xs.Length].Array[0, 5].Select(cuts => (xs, cuts))).Sample(t =>
        {
            (double[] xs, int[] cuts) = t;
            int[] bounds = cuts.Append(0).Append(xs.Length).Order().ToArray();
            var whole = new DDSketch(0.01);
            whole.Add(xs);
            var merged = new DDSketch(0.01);
            for (int i = 0; i + 1 < bounds.Length; i++)
            {
                var part = new DDSketch(0.01);
                part.Add(xs.AsSpan(bounds[i], bounds[i + 1] - bounds[i]));
                merged.Merge(part);
            }

            Assert.Equal(0, whole.CollapsedBins);
            Assert.Equal(whole.Count, merged.Count);
            foreach (double q in Qs)
            {
                Assert.Equal(whole.Quantile(q), merged.Quantile(q));
            }
        });
    }

    [Fact]
    public void Add_RangeWiderThanBins_CollapsesLowestAndKeepsUpperQuantiles()
    {
        // 64 bins of γ = 1.0202 cover a ratio of about 3.6; 1..1e6 does not fit, so the lowest bins collapse (§2.2)
        // and the bound still holds for the quantiles whose bins were kept (here the top ones).
        double[] xs = Enumerable.Range(1, 100_000).Select(i => i * 10.0).ToArray();
        var sketch = new DDSketch(0.01, maxBins: 64);
        sketch.Add(xs);
        Assert.True(sketch.CollapsedBins > 0);
        double[] sorted = xs.Order().ToArray();
        foreach (double q in new[] { 0.99, 0.999, 1.0 })
        {
            double exact = Lower(sorted, q);
            Assert.True(Math.Abs(sketch.Quantile(q) - exact) <= 0.01 * exact * (1 + 1e-12), $"q={q}");
        }
    }

    [Fact]
    public void Merge_DifferentAlpha_ThrowsNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => new DDSketch(0.01).Merge(new DDSketch(0.02)));
        Assert.Contains("0.02", e.Message);
    }
}
