namespace Appliance.Runtime.Tests.Detection;

public sealed class ArtimeDetectorTests
{
    // ARTime's init (markNZed/ARTimeNAB.jl src/ARTime.jl): P made even, stride = max(1, P ÷ (8·13)), learning steps
    // = ⌊P / stride⌋. NAB's longest probationary period, 750: stride 7, 107 steps; 604 (a 4032-row file): 5 and 120.
    [Theory]
    [InlineData(750, 7, 107)]
    [InlineData(604, 5, 120)]
    [InlineData(241, 2, 120)]
    [InlineData(100, 1, 100)]
    public void Constructor_ProbationaryLength_StrideAndLearningStepsAsArtime(int probationary, int stride, int steps)
    {
        var d = new ArtimeDetector(0, 1, probationary);
        Assert.Equal(stride, d.Stride);
        Assert.Equal(steps, d.LearningSteps);
    }

    // Parseval: the orthonormal Haar transform keeps Σx² (Mallat 1989, IEEE TPAMI 11(7), §III). Hand-worked for
    // x = 1..8 with d = (x₂ₖ − x₂ₖ₋₁)/√2: level 1 a = (3, 7, 11, 15)/√2, d = (1, 1, 1, 1)/√2; level 2 a = (5, 13),
    // d = (2, 2); level 3 a = 18/√2, d = 8/√2. Σx² = 204.
    [Fact]
    public void Haar_OneToEight_HandWorkedCoefficientsAndParseval()
    {
        var r = new double[8];
        ArtimeDetector.Haar([1, 2, 3, 4, 5, 6, 7, 8], r);
        var h = 1 / Math.Sqrt(2);
        double[] expected = [18 * h, 8 * h, 2, 2, h, h, h, h];
        Assert.Equal(expected, r, (x, y) => Math.Abs(x - y) < 1e-12);
        Assert.Equal(204.0, r.Sum(c => c * c), 10);
    }

    // The learning period reports 0 (NAB's probationary rows are not scored; ARTime returns 0 until it has learnt);
    // a repeated pattern learnt in it raises no alarm; a jump to a level never seen raises one within two windows.
    [Fact]
    public void Update_RepeatedPatternThenNewLevel_QuietThenAlarm()
    {
        const int probationary = 416; // stride 4, 104 learning steps
        var d = new ArtimeDetector(0, 10, probationary);
        double Pattern(int i) => 3 + (2 * Math.Sin(2 * Math.PI * i / 64));
        var scores = new List<double>();
        for (var i = 0; i < probationary + 2000; i++)
        {
            scores.Add(d.Update(Pattern(i)));
        }

        Assert.All(scores, s => Assert.Equal(0.0, s));
        var jump = new List<double>();
        for (var i = 0; i < 2 * ArtimeDetector.Window * d.Stride; i++)
        {
            jump.Add(d.Update(9.5));
        }

        Assert.Contains(jump, s => s > 0 && s <= 1);
    }

    [Fact]
    public void Update_NaNOrInfinity_NeitherScoredNorLearned()
    {
        var a = new ArtimeDetector(0, 10, 100);
        var b = new ArtimeDetector(0, 10, 100);
        var rng = new Random(7);
        for (var i = 0; i < 600; i++)
        {
            var v = rng.NextDouble() * 10;
            if (i % 50 == 0)
            {
                Assert.Equal(0.0, a.Update(double.NaN));
                Assert.Equal(0.0, a.Update(double.PositiveInfinity));
            }

            Assert.Equal(b.Update(v), a.Update(v));
        }
    }

    [Fact]
    public void Reset_AfterSeries_ScoresSecondPassExactlyAsFirst()
    {
        var d = new ArtimeDetector(0, 10, 200);
        var rng = new Random(3);
        var values = Enumerable.Range(0, 1500).Select(i => i is > 900 and < 950 ? 9.0 : 4 + rng.NextDouble()).ToArray();
        var first = values.Select(d.Update).ToArray();
        d.Reset();
        Assert.Equal(first, values.Select(d.Update).ToArray());
        Assert.Contains(first, s => s > 0);
    }

    [Theory]
    [InlineData(1, 0, 100)]
    [InlineData(0, 1, 31)]
    public void Constructor_BadArguments_Throws(double min, double max, int probationary)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ArtimeDetector(min, max, probationary));
    }
}
