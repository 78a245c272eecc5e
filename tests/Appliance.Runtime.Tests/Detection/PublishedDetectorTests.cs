namespace Appliance.Runtime.Tests.Detection;

/// <summary>Our detectors against the per-row scores NAB published for the same methods (shared/data/nab/results).</summary>
public sealed class PublishedDetectorTests(NabData data) : IClassFixture<NabData>
{
    // numenta/NAB results/windowedGaussian: 1 − Q(|z|) over a 6400-sample window stepping by 100, written with 12
    // significant digits, so agreement to 1e-9 is reproduction.
    [Theory]
    [InlineData("realKnownCause/machine_temperature_system_failure.csv")]
    [InlineData("realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv")]
    [InlineData("artificialNoAnomaly/art_flatline.csv")]
    public void WindowedGaussian_NabSeries_ReproducesPublishedScores(string file)
    {
        var series = data.Corpus.Series.Single(s => s.RelativePath == file);
        var published = Published("windowedGaussian", series);
        var detector = new WindowedGaussianDetector();
        for (var r = 0; r < series.Length; r++)
        {
            var score = detector.Update(series.Values[r]);
            Assert.True(Math.Abs(score - published[r]) < 1e-9, $"{file} row {r + 2}: {score:R}, published {published[r]:R}");
        }
    }

    // numenta/NAB results/relativeEntropy: binary scores of Wang et al. 2011 with W = 52, 5 bins, T = χ²₄(0.99).
    [Fact]
    public void RelativeEntropy_AllNabSeries_ReproducesPublishedScores()
    {
        var mismatches = 0;
        var rows = 0;
        foreach (var series in data.Corpus.Series)
        {
            var published = Published("relativeEntropy", series);
            var detector = new RelativeEntropyDetector(series.Values.Min(), series.Values.Max());
            for (var r = 0; r < series.Length; r++)
            {
                mismatches += detector.Update(series.Values[r]) == published[r] ? 0 : 1;
                rows++;
            }
        }

        Assert.Equal(365558, rows); // shared/data/README.md: 365,558 rows in all
        Assert.Equal(0, mismatches);
    }

    private static double[] Published(string detector, NabSeries series)
    {
        var dir = Path.Combine(NabData.Root, "results", detector, Path.GetDirectoryName(series.RelativePath)!);
        var path = Path.Combine(dir, $"{detector}_{Path.GetFileName(series.RelativePath)}");
        return File.ReadLines(path).Skip(1).Select(l => double.Parse(l[(l.IndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
