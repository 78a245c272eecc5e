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
        var dir = Directory.CreateTempSubdirectory("appliance-quantiles-").FullName;
        var csv = Path.Combine(dir, "ramp.csv");
        var sb = new StringBuilder("timestamp,value\n");
        long t0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z in ms
        for (var i = 0; i < 12_000; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(t0 + i) / 1000.0:F3},{i + 1}\n");
        }

        File.WriteAllText(csv, sb.ToString());
        using var store = new SqliteStore(Path.Combine(dir, "cloud.db"));
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var endpoint = $"tcp://127.0.0.1:{collector.Port}";
        var toml = DefaultConfig.ReplayToml(endpoint, csv, TimeSpan.FromSeconds(4))
            .Replace("rate_hz = 1\n", "rate_hz = 1000\nquantiles = 0.01\n", StringComparison.Ordinal)
            .Replace("enabled = true", "enabled = false", StringComparison.Ordinal);
        var config = ConfigLoader.Parse(toml, "appliance.toml");
        Assert.Equal(0.01, config.Sensors[0].Quantiles);
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = endpoint, DeviceId = config.Device.Id }, new MemoryOutbox(4096, TimeSpan.FromSeconds(5)));
        uplink.Start();
        using var source = new CsvReplaySource("replay", csv);
        using var pipeline = new DevicePipeline(config, [new SensorBinding(source, 1000, IsReplay: true)], uplink, new PipelineOptions(), NullLogger.Instance);
        pipeline.Start();
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await uplink.FlushAsync(TimeSpan.FromSeconds(10)));

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
