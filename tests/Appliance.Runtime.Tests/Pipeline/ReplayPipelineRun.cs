namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// 12 s of a 1000 Hz CSV replay (from 2024-01-01T00:00:00Z) through the device pipeline in 4 s windows, over a memory outbox
/// and the uplink into a collector's SQLite store: the whole path of a sample, for tests of what a summary carries.
/// </summary>
internal static class ReplayPipelineRun
{
    /// <summary>Runs the replay and returns the store holding its summaries (the caller disposes it).</summary>
    /// <param name="value">The CSV text of sample i (0..11999).</param>
    /// <param name="sensorKeys">TOML lines added to the replay sensor's table (e.g. <c>quantiles = 0.01\n</c>).</param>
    public static async Task<SqliteStore> RunAsync(Func<int, string> value, string sensorKeys)
    {
        var dir = Directory.CreateTempSubdirectory("appliance-replay-").FullName;
        var csv = Path.Combine(dir, "replay.csv");
        var sb = new StringBuilder("timestamp,value\n");
        long t0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z in ms
        for (var i = 0; i < 12_000; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(t0 + i) / 1000.0:F3},{value(i)}\n");
        }

        File.WriteAllText(csv, sb.ToString());
        var store = new SqliteStore(Path.Combine(dir, "cloud.db"));
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var endpoint = $"tcp://127.0.0.1:{collector.Port}";
        var toml = DefaultConfig.ReplayToml(endpoint, csv, TimeSpan.FromSeconds(4))
            .Replace("rate_hz = 1\n", "rate_hz = 1000\n" + sensorKeys, StringComparison.Ordinal)
            .Replace("enabled = true", "enabled = false", StringComparison.Ordinal);
        var config = ConfigLoader.Parse(toml, "appliance.toml");
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = endpoint, DeviceId = config.Device.Id }, new MemoryOutbox(4096, TimeSpan.FromSeconds(5)));
        uplink.Start();
        using var source = new CsvReplaySource("replay", csv);
        using var pipeline = new DevicePipeline(config, [new SensorBinding(source, 1000, IsReplay: true)], uplink, new PipelineOptions(), NullLogger.Instance);
        pipeline.Start();
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await uplink.FlushAsync(TimeSpan.FromSeconds(10)));
        return store;
    }
}
