namespace Appliance.Runtime.Tests.Detection;

public sealed class OnnxDetectorTests
{
    private static readonly WindowFeatures Window = new() { Count = 10, Mean = 1 };

    // A Schmitt trigger with hold-off (AlertHysteresis): scores 0.5, 3, 2.5, 0.1, 4 at threshold 2 and cooldown 2 are one
    // incident (the dip to 0.1 is one quiet window, fewer than 2), so exactly one alert, on the second window.
    [Fact]
    public void Observe_ScoresAroundModelThreshold_OneAlertPerIncident()
    {
        var d = new OnnxDetector(threshold: null, cooldown: 2);
        var fired = new List<bool>();
        foreach (var s in new[] { 0.5, 3, 2.5, 0.1, 4 })
        {
            d.SetModelScore(s, modelThreshold: 2);
            fired.Add(d.Observe(Window).Fired);
        }

        Assert.Equal([false, true, false, false, false], fired);
        Assert.Equal(2, d.Threshold);
    }

    [Fact]
    public void Observe_ConfiguredThreshold_OverridesModel()
    {
        var d = new OnnxDetector(threshold: 10, cooldown: 1);
        d.SetModelScore(5, modelThreshold: 2);
        var r = d.Observe(Window);

        Assert.False(r.Fired);
        Assert.Equal(10, r.Threshold);
        d.SetModelScore(25, modelThreshold: 2);
        r = d.Observe(Window);
        Assert.True(r.Fired);
        Assert.True(r.Critical); // ≥ 2 × threshold
    }

    [Fact]
    public void Observe_NoScoreOrModelWithoutThreshold_NeverFiresAndCountsUnscored()
    {
        var d = new OnnxDetector(threshold: null, cooldown: 1);
        var r = d.Observe(Window); // no score given
        Assert.False(r.Fired);
        d.SetModelScore(1e9, modelThreshold: null); // a model that states no threshold: +∞
        Assert.False(d.Observe(Window).Fired);
        d.SetModelScore(double.NaN, modelThreshold: 1);
        Assert.False(d.Observe(Window).Fired);

        Assert.Equal(2, d.Unscored);
    }
}
