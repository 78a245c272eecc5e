namespace Appliance.Runtime.Tests.Detection;

/// <summary>The on-delay confirmation and the quiet learning period, driven with exact raw scores.</summary>
public sealed class AlarmDelayTests
{
    [Fact]
    public void OnDelay_LoneExceedance_ReadsZeroSecondWithinWindowPasses()
    {
        // ANSI/ISA-18.2-2016 §11.4 (alarm on-delay): an exceedance is annunciated only when it persists. Here: one at
        // level 0.5 counts when another came within the previous 2 samples. Sample 1 is alone (0); sample 2 follows it
        // (1 back: passes); sample 5 is 3 after sample 2 (0); sample 6 follows 5 (passes); 0.3 is below level (passes).
        var d = new OnDelayDetector(new ScriptedDetector(), level: 0.5, window: 2);
        double[] scores = [0.0, 0.9, 0.8, 0.3, 0.0, 0.7, 0.6];
        Assert.Equal([0.0, 0.0, 0.8, 0.3, 0.0, 0.0, 0.6], scores.Select(d.Update).ToArray());
    }

    [Fact]
    public void OnDelay_Reset_ForgetsLastExceedance()
    {
        var d = new OnDelayDetector(new ScriptedDetector(), level: 0.5, window: 5);
        d.Update(1.0);
        d.Reset();
        Assert.Equal(0.0, d.Update(1.0));
    }

    [Fact]
    public void HoldOff_Initial_QuietForFirstSamplesThenHoldsOff()
    {
        // Quiet for the first 2 samples (learning), then an ordinary hold-off of 1 sample after a score ≥ 1.
        var d = new HoldOffDetector(new ScriptedDetector(), level: 1.0, samples: 1, initial: 2);
        double[] scores = [1.0, 1.0, 1.0, 1.0, 0.5];
        Assert.Equal([0.0, 0.0, 1.0, 0.0, 0.5], scores.Select(d.Update).ToArray());
        d.Reset();
        Assert.Equal(0.0, d.Update(1.0));
    }

    [Fact]
    public void Create_QuietFrac_ScalesWithProbationaryLength()
    {
        // quietfrac=0.5 of a 4-sample probationary period: the first 2 samples read 0. At 3 bits over [0, 8] the levels
        // are 0, 4, 6, 2: each is new, so the novelty member scores 1 from the third sample on.
        var d = DetectorSpec.Create("context-novelty:order=0,low=3,high=3,quietfrac=0.5", 0, 8, probationary: 4);
        double[] values = [0, 4, 6, 2];
        Assert.Equal([0.0, 0, 1, 1], values.Select(d.Update).ToArray());
    }

    [Fact]
    public void Create_HoldFracWithoutProbationary_ThrowsNamingTheKey()
    {
        var e = Assert.Throws<ArgumentException>(() => DetectorSpec.Create("windowed-gaussian:holdfrac=0.5", 0, 1));
        Assert.Contains("holdfrac", e.Message, StringComparison.Ordinal);
    }
}
