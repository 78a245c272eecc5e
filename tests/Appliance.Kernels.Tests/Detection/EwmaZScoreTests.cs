namespace Appliance.Kernels.Tests.Detection;

public class EwmaZScoreTests
{
    [Theory]
    [InlineData(0.1, 5)]
    [InlineData(0.02, 30)]
    [InlineData(0.5, 2)]
    public void Update_RandomWalk_MatchesExplicitlyWeightedRecomputation(double alpha, int warmup)
    {
        // Finch (2009), "Incremental calculation of weighted mean and variance": the incremental state equals the
        // weighted mean and variance with normalised weights w₀ = (1-α)^(t-1), wᵢ = α(1-α)^(t-1-i) for i ≥ 1.
        var normal = new Normal(0, 1, new Random(77));
        var xs = new double[300];
        double level = 50;
        for (int i = 0; i < xs.Length; i++)
        {
            level += 0.1 * normal.Sample();
            xs[i] = level + normal.Sample();
        }

        var ewma = new EwmaZScore(alpha, warmup);
        for (int t = 0; t < xs.Length; t++)
        {
            double z = ewma.Update(xs[t]);
            double expected = 0.0;
            if (t >= warmup)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < t; i++)
                {
                    mean += Weight(alpha, i, t) * xs[i];
                }

                for (int i = 0; i < t; i++)
                {
                    variance += Weight(alpha, i, t) * (xs[i] - mean) * (xs[i] - mean);
                }

                expected = (xs[t] - mean) / Math.Sqrt(variance);
            }

            Assert.True(Math.Abs(z - expected) <= 1e-8 * Math.Max(1, Math.Abs(expected)), $"t={t}: z {z}, expected {expected}");
        }

        Assert.Equal(xs.Length, ewma.Count);
    }

    private static double Weight(double alpha, int i, int t) =>
        i == 0 ? Math.Pow(1 - alpha, t - 1) : alpha * Math.Pow(1 - alpha, t - 1 - i);

    [Fact]
    public void Update_NaN_ReturnsNaNAndKeepsState()
    {
        var ewma = new EwmaZScore(0.5, 2);
        ewma.Update(1.0);
        ewma.Update(3.0);

        Assert.True(double.IsNaN(ewma.Update(double.NaN)));
        Assert.Equal(2, ewma.Count);
        // mean 1 + 0.5·2 = 2; variance (1 - 0.5)(0 + 2·1) = 1 (Finch's update, by hand).
        Assert.Equal(2.0, ewma.Mean);
        Assert.Equal(1.0, ewma.Variance);
        Assert.Equal(3.0, ewma.Update(5.0)); // (5 - 2) / √1
    }

    [Theory]
    [InlineData(0.0, 5)]
    [InlineData(1.5, 5)]
    [InlineData(0.1, 1)]
    public void Ctor_OutOfRange_Throws(double alpha, int warmup) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EwmaZScore(alpha, warmup));
}
