namespace Appliance.Runtime.Tests.Pipeline;

public sealed class DevicePipelineTests
{
    [Fact]
    public async Task Replay_StepInRecording_StoresEveryWindowAndAlertsOnStep()
    {
        // 2 days of 5-minute samples, 50 plus uniform noise of ±0.5 (fixed seed), with a +20 step for 6 hours on day 2:
        // with 1 h windows that is 48 windows. Hour means of 12 such samples have a standard deviation of
        // 0.5/sqrt(3)/sqrt(12) ≈ 0.083, so the step is a z-score in the hundreds and |z| > 6 never happens by chance:
        // exactly one alert (the debounce keeps the 6-hour step one incident).
        var rng = new Random(7);
        var dir = Directory.CreateTempSubdirectory("appliance-pipeline-").FullName;
        var csv = Path.Combine(dir, "series.csv");
        var sb = new StringBuilder("timestamp,value\n");
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 2 * 24 * 12; i++)
        {
            var t = t0.AddMinutes(5 * i);
            var v = 50 + (rng.NextDouble() - 0.5) + (i is >= 36 * 12 and < 42 * 12 ? 20 : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-dd HH:mm:ss},{v:F3}\n");
        }

        File.WriteAllText(csv, sb.ToString());

        using var store = new SqliteStore(Path.Combine(dir, "cloud.db"));
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var endpoint = $"tcp://127.0.0.1:{collector.Port}";
        var toml = DefaultConfig.ReplayToml(endpoint, csv, TimeSpan.FromHours(1))
            .Replace("alpha = 0.01", "alpha = 0.1", StringComparison.Ordinal)
            .Replace("threshold = 3.0", "threshold = 6.0", StringComparison.Ordinal);
        var config = ConfigLoader.Parse(toml, "appliance.toml");
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = endpoint, DeviceId = config.Device.Id }, new MemoryOutbox(4096, TimeSpan.FromSeconds(5)));
        uplink.Start();
        using var source = new CsvReplaySource("replay", csv);
        var lines = new List<string>();
        using var pipeline = new DevicePipeline(config, [new SensorBinding(source, 1, IsReplay: true)], uplink, new PipelineOptions { LiveLine = lines.Add }, NullLogger.Instance);
        pipeline.Start();
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await uplink.FlushAsync(TimeSpan.FromSeconds(10)));

        var c = pipeline.Counters;
        Assert.Equal(576, c.SamplesRead);
        Assert.Equal(48, c.WindowsSummarised);
        Assert.Equal(48, store.GetStats().Summaries);
        Assert.True(c.Alerts == 1, string.Join("\n", lines));
        Assert.Equal(1, store.GetStats().Alerts);
        Assert.Contains(lines, l => l.StartsWith("window 2024-01-02T12:00:00.000Z", StringComparison.Ordinal) && l.Contains("ALERT", StringComparison.Ordinal));
        Assert.Equal("CPU", pipeline.ExecutionProvider);
        Assert.Equal(48 - 4, c.InferenceRuns); // windows 1-5 train the normalisation; from the 5th on, each is scored
    }
}
