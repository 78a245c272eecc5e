namespace Appliance.Runtime.Tests.Detection;

public sealed class AlertHysteresisTests
{
    [Fact]
    public void Update_ScoreHoveringAroundThreshold_OneAlert()
    {
        var h = new AlertHysteresis(threshold: 0.9, release: 0.5, cooldown: 3);
        double[] scores = [0.1, 0.95, 0.85, 0.97, 0.6, 0.92, 0.4, 0.4];
        var alerts = scores.Count(s => h.Update(s));
        Assert.Equal(1, alerts);
        Assert.True(h.InIncident); // only two quiet samples so far
    }

    [Fact]
    public void Update_AfterCooldownQuietSamples_RearmsForNextIncident()
    {
        var h = new AlertHysteresis(threshold: 0.9, release: 0.5, cooldown: 2);
        Assert.True(h.Update(0.95));
        Assert.False(h.Update(0.1));
        Assert.False(h.Update(0.1));
        Assert.False(h.InIncident);
        Assert.True(h.Update(0.99));
    }

    [Fact]
    public void Constructor_ReleaseAboveThreshold_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlertHysteresis(0.5, 0.9, 1));
}
