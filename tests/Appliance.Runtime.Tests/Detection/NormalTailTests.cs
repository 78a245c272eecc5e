namespace Appliance.Runtime.Tests.Detection;

public sealed class NormalTailTests
{
    // Abramowitz & Stegun 1964, Table 7.1 (erf x) and 26.2 (normal tail); values to 15 digits as tabulated by
    // DLMF §7.2 / scipy.special.erfc.
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(1.9, 0.007209570764742524)]
    [InlineData(2.0, 0.004677734981047266)]
    [InlineData(3.0, 2.209049699858544e-05)]
    [InlineData(5.0, 1.5374597944280349e-12)]
    [InlineData(-1.0, 1.8427007929497148)]
    public void Erfc_TabulatedPoints_MatchWithin1e13Relative(double x, double expected) =>
        Assert.True(Math.Abs(NormalTail.Erfc(x) - expected) <= 1e-13 * Math.Max(expected, 1e-300) + 1e-16, $"erfc({x}) = {NormalTail.Erfc(x):R}, expected {expected:R}");

    // Q(1.96) = 0.025 (the two-sided 95% point): the tail score at 1.96σ is 0.975.
    [Fact]
    public void TailScore_OnePointNineSixSigma_Is0975() =>
        Assert.Equal(0.975, NormalTail.TailScore(11.96, 10.0, 1.0), 4);
}
