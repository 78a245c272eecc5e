using Appliance.Cloud.Rollups;

namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// A sensor with <c>quantiles = 0.01</c> (issue 17 item 4): every window's Summary carries its DDSketch over the wire into
/// the collector's store, and a rollup of the three windows gives the quantiles of all 12,000 samples within α.
/// </summary>
public sealed class QuantilePipelineTests
{
    [Fact]
    public async Task Replay_RampWithQuantiles_RollupQuantilesWithinAlphaOfTheSamples()
    {
        // 12 s at 1000 Hz of the ramp 1, 2, ..., 12000 in 4 s windows (3 windows, one minute bucket): the lower quantile of
        // rank ⌊q·11999⌋ is 6000 for q = 0.5, 11400 for 0.95 and 11880 for 0.99; the mean 6000.5.
        using var store = await ReplayPipelineRun.RunAsync(i => (i + 1).ToString(CultureInfo.InvariantCulture), "quantiles = 0.01\n");
        Assert.Equal(3, store.GetSummaries(null, 0, 100).Count);
        var row = Assert.Single(store.QueryRollups(RollupQuery.Parse("replay", "1m", "device", 0, long.MaxValue)));
        Assert.Equal((3L, 12_000L, 12_000L, 1.0, 12_000.0), (row.Windows, row.Features.Count, row.SketchCount, row.Features.Min, row.Features.Max));
        Assert.Equal(6000.5, row.Features.Mean, 1e-6 * 6000.5); // float32 on the wire: within 2^-24 relative
        foreach (var (got, truth) in new[] { (row.P50, 6000.0), (row.P95, 11400.0), (row.P99, 11880.0) })
        {
            Assert.True(Math.Abs(got - truth) <= 0.01 * truth, $"{got} against {truth}");
        }
    }
}
