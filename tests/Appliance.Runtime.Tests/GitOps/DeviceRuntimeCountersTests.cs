namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// The device's counters outlive its pipelines: a revision that rebuilds the pipeline starts the new one at zero, but the
/// device's own counts (the final <c>Stopped:</c> line of <c>appliance run</c>, status.json, the heartbeat) go on. The defect:
/// the final line said "348 windows, 0 alerts" for a run that sent 1275 summaries and 6 alerts.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class DeviceRuntimeCountersTests
{
    [Fact]
    public async Task Rebuild_DeviceCountersAreEveryPipelinesSum()
    {
        var state = Directory.CreateTempSubdirectory("appliance-counters-").FullName;
        try
        {
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);
            var first = ConfigLoader.Parse(DefaultConfig.Toml, ConfigRepository.ConfigFile);
            await device.ApplyAsync(new ConfigBundle(new string('a', 40), first, [], "test"), CancellationToken.None);
            var firstPipeline = device.Pipeline!;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (firstPipeline.Counters.WindowsSummarised < 6 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            // Another sample rate: a rebuild (new sensors, new pipeline), not a change in place.
            var second = ConfigLoader.Parse(DefaultConfig.Toml.Replace("rate_hz = 10", "rate_hz = 20", StringComparison.Ordinal), ConfigRepository.ConfigFile);
            await device.ApplyAsync(new ConfigBundle(new string('b', 40), second, [], "test"), CancellationToken.None);
            Assert.NotSame(firstPipeline, device.Pipeline);
            await device.StopAsync(TimeSpan.Zero);

            var a = firstPipeline.Counters;
            var b = device.Pipeline!.Counters;
            Assert.True(a.WindowsSummarised >= 6, $"first revision: {a}");
            Assert.Equal(a.WindowsSummarised + b.WindowsSummarised, device.Counters.WindowsSummarised);
            Assert.Equal(a.SamplesRead + b.SamplesRead, device.Counters.SamplesRead);
            Assert.Equal(a.Alerts + b.Alerts, device.Counters.Alerts);
            Assert.Equal(a + b, device.Counters);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
