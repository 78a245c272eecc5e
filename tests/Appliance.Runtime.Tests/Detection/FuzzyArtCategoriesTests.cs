namespace Appliance.Runtime.Tests.Detection;

public sealed class FuzzyArtCategoriesTests
{
    // Carpenter, Grossberg & Rosen 1991, "Fuzzy ART", Neural Networks 4(6), §5: complement coding presents a as
    // I = (a, 1 − a), so |I| = M whatever a is. Hand-worked: a = (0.2, 0.7) → I = (0.2, 0.7, 0.8, 0.3), |I| = 2.
    [Fact]
    public void ComplementCode_TwoFeatures_AppendsComplementAndNormIsM()
    {
        var coded = new double[4];
        FuzzyArtCategories.ComplementCode([0.2, 0.7], coded);
        Assert.Equal([0.2, 0.7, 0.8, 0.3], coded, (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal(2.0, coded.Sum(), 12);
    }

    // Eq. (1) with α → 0: T = |I ∧ w| / |w|. Hand-worked: I = (0.2, 0.7, 0.8, 0.3), w = (0.1, 0.5, 0.6, 0.4):
    // I ∧ w = (0.1, 0.5, 0.6, 0.3), |I ∧ w| = 1.5, |w| = 1.6, T = 0.9375.
    [Fact]
    public void Choice_HandWorkedExample_IsOverlapOverWeightNorm()
    {
        Assert.Equal(0.9375, FuzzyArtCategories.Choice([0.2, 0.7, 0.8, 0.3], [0.1, 0.5, 0.6, 0.4]), 12);
    }

    // Eq. (3) with fast learning (β = 1): w ← I ∧ w. §6: w = (u, 1 − v) is the box [u, v]; here [(0.1, 0.5), (0.4, 0.6)],
    // size |R| = 0.3 + 0.1 = 0.4 = M − |w|. Learning a = (0.2, 0.7) grows it to the smallest box holding a,
    // [(0.1, 0.5), (0.4, 0.7)]: w = (0.1, 0.5, 0.6, 0.3), |R| = 0.5 = M − |w| = 2 − 1.5.
    [Fact]
    public void Learn_FastLearning_GrowsBoxJustEnoughToHoldInput()
    {
        double[] w = [0.1, 0.5, 0.6, 0.4];
        FuzzyArtCategories.Learn([0.2, 0.7, 0.8, 0.3], w);
        Assert.Equal([0.1, 0.5, 0.6, 0.3], w, (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal(0.5, 2.0 - w.Sum(), 12);
    }

    // §6: when a lies in the box R_j, |I ∧ w_j| = |w_j| (T = 1, the choice's maximum) and learning leaves w_j unchanged.
    [Fact]
    public void Learn_InputInsideBox_ChoiceIsOneAndWeightsUnchanged()
    {
        double[] w = [0.1, 0.5, 0.6, 0.3]; // box [(0.1, 0.5), (0.4, 0.7)]
        double[] inside = [0.3, 0.6, 0.7, 0.4]; // a = (0.3, 0.6)
        Assert.Equal(1.0, FuzzyArtCategories.Choice(inside, w), 12);
        FuzzyArtCategories.Learn(inside, w);
        Assert.Equal([0.1, 0.5, 0.6, 0.3], w, (x, y) => Math.Abs(x - y) < 1e-15);
    }

    // One feature: the "energy" pair is the whole input, so the resonance is T³·E² = T⁵ (ARTime's DVFA). After a = 0.2 is
    // committed (w = (0.2, 0.8)), a = 0.9 (I = (0.9, 0.1)) has T = (0.2 + 0.1)/1 = 0.3 and R = 0.3⁵ = 0.00243.
    // Dual vigilance (da Silva, Elnabarawy & Wunsch 2019): R < ρ_lb is a new cluster; ρ_lb ≤ R < ρ_ub a new category of a
    // known cluster; R ≥ ρ_ub resonance (the category learns, nothing is committed).
    [Theory]
    [InlineData(0.5, 0.5, true, 2)]
    [InlineData(0.001, 0.5, false, 2)]
    [InlineData(0.001, 0.002, false, 1)]
    public void Present_DualVigilance_NewClusterNewCategoryOrResonance(double lower, double upper, bool newCluster, int count)
    {
        var art = new FuzzyArtCategories(1, 4) { LowerVigilance = lower, UpperVigilance = upper };
        Assert.True(art.Present([0.2, 0.8], learn: true, out var first, out _)); // no category: a new cluster
        Assert.Equal(0.0, first);
        Assert.Equal(newCluster, art.Present([0.9, 0.1], learn: true, out var resonance, out var energy));
        Assert.Equal(0.00243, resonance, 12);
        Assert.Equal(0.3, energy, 12);
        Assert.Equal(count, art.Count);
        if (count == 1)
        {
            // Resonance with fast learning: the box [0.2, 0.2] grows to [0.2, 0.9].
            Assert.Equal([0.2, 0.1], art.Weights(0).ToArray(), (x, y) => Math.Abs(x - y) < 1e-15);
        }
    }

    [Fact]
    public void Present_CapacityReached_ReplacesLeastRecentlyChosen()
    {
        var art = new FuzzyArtCategories(1, 2) { LowerVigilance = 0.99, UpperVigilance = 0.99 };
        art.Present([0.0, 1.0], learn: true, out _, out _); // category 0
        art.Present([1.0, 0.0], learn: true, out _, out _); // category 1
        art.Present([0.0, 1.0], learn: true, out _, out _); // chooses 0 (resonates, T = 1)
        art.Present([0.5, 0.5], learn: true, out _, out _); // new; replaces 1, the least recently chosen
        Assert.Equal(2, art.Count);
        Assert.Equal(1, art.Replaced);
        Assert.Equal([0.0, 1.0], art.Weights(0).ToArray());
        Assert.Equal([0.5, 0.5], art.Weights(1).ToArray());
    }
}
