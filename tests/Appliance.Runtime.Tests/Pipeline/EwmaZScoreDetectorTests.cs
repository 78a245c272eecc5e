namespace Appliance.Runtime.Tests.Pipeline;

public sealed class EwmaZScoreDetectorTests
{
    private static WindowFeatures Window(double mean) => WindowStatistics.Compute([(float)mean]);

    [Fact]
    public void Observe_StepThenRecovery_OneAlertPerIncident()
    {
        var d = new EwmaZScoreDetector(alpha: 0.1, threshold: 4, warmup: 5, cooldown: 3);
        var fired = 0;
        // A baseline alternating 20 ± 0.1, a 5-window step to 30, then back: the step is one incident, one alert.
        for (var i = 0; i < 40; i++)
        {
            var x = i is >= 20 and < 25 ? 30.0 : 20 + (i % 2 == 0 ? 0.1 : -0.1);
            if (d.Observe(Window(x)).Fired)
            {
                fired++;
            }
        }

        Assert.Equal(1, fired);
    }

    [Fact]
    public void Observe_ZScore_MatchesFinchEwma()
    {
        // Finch (2009) eq. 124-125: after x1 = 10, x2 = 12 with alpha = 0.5: mean = 11, variance = (1-0.5)(0 + 2*1) = 1.
        // x3 = 14 scores (14 - 11) / sqrt(1) = 3.
        var d = new EwmaZScoreDetector(alpha: 0.5, threshold: 10, warmup: 2, cooldown: 1);
        d.Observe(Window(10));
        d.Observe(Window(12));
        Assert.Equal(3.0, d.Observe(Window(14)).Score, 9);
    }
}
