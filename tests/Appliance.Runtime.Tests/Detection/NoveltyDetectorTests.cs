namespace Appliance.Runtime.Tests.Detection;

public sealed class NoveltyDetectorTests
{
    // Order-0 contexts at 3 bits over [0, 8]: the level is ⌊8(x − min)/(max − min)⌋, clamped to 0..7 (the 3-bit
    // quantisation of CAD OSE, numenta/NAB nab/detectors/context_ose/cad_ose.py: int((x − min)/step)). A level never seen
    // before scores 1, a level seen before 0; 8.0 is the top of the range and falls in level 7.
    [Fact]
    public void ContextNovelty_OrderZero_NewLevelScoresOneSeenLevelZero()
    {
        var d = new ContextNoveltyDetector(0, 8, lowBits: 3, highBits: 3, order: 0);
        double[] values = [0.5, 1.5, 0.7, 7.9, 8.0, 1.2, 100.0];
        double[] expected = [1, 1, 0, 1, 0, 0, 0];
        Assert.Equal(expected, values.Select(d.Update).ToArray());
    }

    // Order 1 at 1 bit: two contexts per sample (the level, and the previous level with it). After 0,1,0,1,… a repeat of 0
    // (the transition 0→0, never seen; level 0 seen) makes one of the two contexts new: score ½ exactly.
    [Fact]
    public void ContextNovelty_NewTransitionOfKnownLevel_ScoresHalf()
    {
        var d = new ContextNoveltyDetector(0, 1, lowBits: 1, highBits: 1, order: 1);
        for (var i = 0; i < 20; i++)
        {
            d.Update(i % 2 == 0 ? 0.1 : 0.9);
        }

        Assert.Equal(0.0, d.Update(0.1)); // 1 → 0, as always
        Assert.Equal(0.5, d.Update(0.1)); // 0 → 0: new transition
        Assert.Equal(0.0, d.Update(0.1)); // now known
    }

    // frequent = 2: a level seen once is still novel (fewer than 2 sightings), as c_th of Wang et al. 2011 (relative
    // entropy: a hypothesis seen at most c_th times is anomalous).
    [Fact]
    public void ContextNovelty_FrequentTwo_SecondSightingStillNovel()
    {
        var d = new ContextNoveltyDetector(0, 4, lowBits: 2, highBits: 2, order: 0, frequent: 2);
        Assert.Equal([1.0, 1.0, 0.0], new[] { 0.5, 0.5, 0.5 }.Select(d.Update).ToArray());
    }

    [Fact]
    public void ContextNovelty_NaN_NeitherScoredNorLearned()
    {
        var d = new ContextNoveltyDetector(0, 4, lowBits: 2, highBits: 2, order: 0);
        Assert.Equal(0.0, d.Update(double.NaN));
        Assert.Equal(1.0, d.Update(0.5));
    }

    [Fact]
    public void ContextNovelty_Reset_ForgetsLevels()
    {
        var d = new ContextNoveltyDetector(0, 4, lowBits: 2, highBits: 2, order: 0);
        d.Update(0.5);
        d.Reset();
        Assert.Equal(1.0, d.Update(0.5));
    }

    // Numenta's NAB detector (numenta/NAB nab/detectors/numenta/numenta_detector.py, SPATIAL_TOLERANCE = 0.05): a value
    // more than 5% of the running range beyond it is a spatial anomaly. Range [0, 10]: margin 0.5, so 10.6 is one; then
    // [0, 10.6]: margin 0.53, so −0.5 is not; then [−0.5, 10.6]: margin 0.555, so −1.2 is.
    [Fact]
    public void SpatialRange_BeyondFivePercentOfRunningRange_ScoresOne()
    {
        var d = new SpatialRangeDetector(0.05);
        double[] values = [0, 10, 10.6, -0.5, -1.2, 5];
        double[] expected = [0, 0, 1, 0, 1, 0];
        Assert.Equal(expected, values.Select(d.Update).ToArray());
    }

    // CAD OSE's rest (cad_ose.py getAnomalyScore: the score is reported only when max(scores of the last restPeriod) is
    // below the threshold): every raw alarm extends the rest, so the alarm at sample 5 (3 after the unreported one at 2)
    // is still quiet; a hold-off timed from the reported alarm at 0 has ended by then and reports it.
    [Fact]
    public void RestPeriod_RawAlarmDuringRest_ExtendsIt()
    {
        double[] raw = [1, 0, 1, 0, 0, 1, 0, 0, 0, 1];
        var rest = new HoldOffDetector(new ScriptedDetector(), level: 1, samples: 3, restartOnAlarm: true);
        var holdOff = new HoldOffDetector(new ScriptedDetector(), level: 1, samples: 3);
        Assert.Equal([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 1], raw.Select(rest.Update).ToArray());
        Assert.Equal([1.0, 0, 0, 0, 0, 1, 0, 0, 0, 1], raw.Select(holdOff.Update).ToArray());
    }

    // Ahmad et al. 2017 (Neurocomputing 262) eq. 6 with nupic's lower bounds (mean ≥ 0.03, variance ≥ 0.0003): after a
    // long run of raw scores 0 the distribution is N(0.03, 0.0003). One raw score 1 makes the 10-sample mean 0.1, so
    // z = 0.07/√0.0003 = 4.04145 and L = 1 − Q(z) = 0.99997344; a mean of 0 gives z = −1.73205, L = Q(1.73205) = 0.0416323
    // (scipy.stats.norm.sf(1.7320508) = 0.04163226; A&S Table 26.1 between Q(1.73) = 0.04182 and Q(1.74) = 0.04093).
    [Fact]
    public void AnomalyLikelihood_OneHighRawScoreAfterQuiet_MatchesPaperFormula()
    {
        var d = new AnomalyLikelihoodDetector(new ScriptedDetector(), longWindow: 500, shortWindow: 10, warmup: 100);
        var quiet = 0.0;
        for (var i = 0; i < 1000; i++)
        {
            quiet = d.Update(0.0);
        }

        Assert.Equal(0.0416323, quiet, 6);
        Assert.Equal(0.99997344, d.Update(1.0), 7);
    }

    [Fact]
    public void AnomalyLikelihood_BeforeWarmup_IsHalf()
    {
        var d = new AnomalyLikelihoodDetector(new ScriptedDetector(), longWindow: 500, shortWindow: 10, warmup: 100);
        Assert.Equal(0.5, d.Update(1.0));
    }

    [Fact]
    public void Floor_BelowAndAbove_ZeroOrScoreOrOne()
    {
        var floor = new FloorDetector(new ScriptedDetector(), 0.7);
        var alarm = new FloorDetector(new ScriptedDetector(), 0.7, binary: true);
        Assert.Equal([0.0, 0.7, 0.9], new[] { 0.5, 0.7, 0.9 }.Select(floor.Update).ToArray());
        Assert.Equal([0.0, 1.0, 1.0], new[] { 0.5, 0.7, 0.9 }.Select(alarm.Update).ToArray());
    }
}
