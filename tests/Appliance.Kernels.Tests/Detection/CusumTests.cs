namespace Appliance.Kernels.Tests.Detection;

public class CusumTests
{
    [Theory]
    [InlineData(2.0, 0.5, 4.0, 3)] // n·(2 - 0.5) > 4 first at n = 3
    [InlineData(-2.0, 0.5, 4.0, 3)]
    [InlineData(1.0, 0.5, 5.0, 11)] // n·0.5 > 5 first at n = 11 (equal at 10 is not "exceeds")
    public void Update_NoiselessStep_AlarmsAtDirectlyCalculatedSample(double step, double k, double h, int expected)
    {
        // Page (1954) tabular CUSUM: after a step of size μ > k from a zero start, C = n(μ - k), alarm when C > h.
        var cusum = new Cusum(k, h);
        for (int i = 0; i < 50; i++)
        {
            Assert.False(cusum.Update(0.0));
        }

        int n = 0;
        while (!cusum.Update(step))
        {
            n++;
            Assert.True(n < 100, "no alarm");
        }

        Assert.Equal(expected, n + 1);
        Assert.Equal(0.0, cusum.High);
        Assert.Equal(0.0, cusum.Low);
    }

    [Theory]
    [InlineData(1.0, 10.4, 0.5, 4000)] // Montgomery, Introduction to Statistical Quality Control, Table 9.3 (k = 0.5, h = 5)
    [InlineData(2.0, 4.01, 0.3, 4000)]
    [InlineData(0.0, 465, 45, 2000)]
    public void Update_GaussianShift_AverageRunLengthMatchesPublishedTable(double shift, double arl, double tolerance, int runs)
    {
        // Tolerances are about 5 standard errors of the mean run length over the given number of runs (fixed seed).
        var normal = new Normal(shift, 1, new Random(2024));
        long total = 0;
        for (int r = 0; r < runs; r++)
        {
            var cusum = new Cusum(0.5, 5.0);
            int n = 1;
            while (!cusum.Update(normal.Sample()))
            {
                n++;
            }

            total += n;
        }

        double mean = (double)total / runs;
        Assert.True(Math.Abs(mean - arl) <= tolerance, $"ARL {mean}, expected {arl} ± {tolerance}");
    }

    [Fact]
    public void Update_NaN_Ignored()
    {
        var cusum = new Cusum(0.5, 5.0);
        cusum.Update(2.0);

        Assert.False(cusum.Update(double.NaN));
        Assert.Equal(1.5, cusum.High);
    }
}
