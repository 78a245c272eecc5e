using Appliance.Runtime.Detection;
using Appliance.Runtime.Evaluation;

namespace Appliance.Runtime.Tests.Evaluation;

public sealed class NabDetectorsTests(NabData data) : IClassFixture<NabData>
{
    // The default ensemble must beat both published detectors it is built from (final_results.json / NAB scoreboard:
    // relativeEntropy 54.64, windowedGaussian 39.65 standard) under every profile's published score of relativeEntropy.
    [Fact]
    public void Run_DefaultDetector_BeatsPublishedRelativeEntropyInAllProfiles()
    {
        var corpus = data.Corpus;
        var results = NabEvaluation.Score(corpus, NabDetectors.Run(corpus, NabDetectors.Default), thresholds: null);
        double[] relativeEntropy = [54.64274893469828, 47.598351759844824, 58.84229239324713]; // standard, low FP, low FN
        for (var p = 0; p < 3; p++)
        {
            Assert.True(results[p].Normalised > relativeEntropy[p], $"{results[p].Profile.Name}: {results[p].Normalised:F2} vs relativeEntropy {relativeEntropy[p]:F2}");
        }
    }

    [Fact]
    public void Create_Ensemble_ParsesSettingsAndHoldOff()
    {
        var series = data.Corpus.Series[0];
        var d = NabDetectors.Create("relative-entropy:window=26,holdoff=10+windowed-gaussian:window=100,step=10", series);
        Assert.IsType<MaxDetector>(d);
        Assert.Equal("relative-entropy+windowed-gaussian", d.Name);
    }

    [Theory]
    [InlineData("nope", "unknown detector 'nope'")]
    [InlineData("cusum:window=3", "'window' is not a setting of cusum")]
    [InlineData("cusum:k=x", "'k=x': expected key=number")]
    public void Create_BadSpecification_NamesWhatIsWrong(string spec, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => NabDetectors.Create(spec, data.Corpus.Series[0]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HoldOff_AfterDetection_ReportsZeroForHoldOffSamples()
    {
        var d = new HoldOffDetector(new MaxDetector(new EwmaTailDetector(0.1, 5)), level: 0.999, samples: 3);
        double[] values = [1, -1, 1, -1, 1, -1, 1, -1, 50, 50, 50, 50, 1];
        var scores = values.Select(d.Update).ToArray();
        Assert.True(scores[8] >= 0.999);
        Assert.Equal([0.0, 0.0, 0.0], scores[9..12]);
    }
}
