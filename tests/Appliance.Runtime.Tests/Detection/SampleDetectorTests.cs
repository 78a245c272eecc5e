namespace Appliance.Runtime.Tests.Detection;

public sealed class SampleDetectorTests
{
    // Montgomery, "Introduction to Statistical Quality Control", Table 9.3: with k = 0.5, h = 5 a 3σ shift is signalled
    // after about 2.19 samples on average. Here the in-control stream alternates ±1 (σ = 1 after warm-up), then steps by
    // +3σ; the EWMA standardisation (α = 0.01) barely moves in a few samples, so the signal must come within 4.
    [Fact]
    public void Cusum_ThreeSigmaStep_SignalsWithinFourSamples()
    {
        var d = new CusumDetector(alpha: 0.01, warmup: 500, k: 0.5, h: 5.0);
        for (var i = 0; i < 2000; i++)
        {
            Assert.True(d.Update(i % 2 == 0 ? 1.0 : -1.0) < 1.0, $"in-control sample {i} signalled");
        }

        var first = Enumerable.Range(1, 10).First(i => d.Update(3.0) >= 1.0);
        Assert.InRange(first, 1, 4);
    }

    // 1 − Q(|z|) of the EWMA z-score: 0.5 at the mean; a 4σ outlier scores 1 − Q(4) = 0.99996833 (A&S Table 26.1).
    [Fact]
    public void EwmaTail_FourSigmaOutlier_ScoresOneMinusQ4()
    {
        var d = new EwmaTailDetector(alpha: 0.01, warmup: 30);
        for (var i = 0; i < 5000; i++)
        {
            d.Update(i % 2 == 0 ? 1.0 : -1.0);
        }

        Assert.Equal(1 - 3.167124183311998e-05, d.Update(4.0), 4);
    }

    [Fact]
    public void WindowScoreDetector_StepInWindowMeans_OneAlertPerIncident()
    {
        var detector = new WindowScoreDetector(new EwmaTailDetector(alpha: 0.01, warmup: 100), threshold: 0.999, cooldown: 3);
        var alerts = 0;
        for (var w = 0; w < 300; w++)
        {
            var mean = (w % 2 == 0 ? 1.0 : -1.0) + (w is >= 200 and < 205 ? 20.0 : 0.0);
            var f = new WindowFeatures { Count = 10, Mean = mean };
            alerts += detector.Observe(f).Fired ? 1 : 0;
        }

        Assert.Equal(1, alerts);
    }
}
