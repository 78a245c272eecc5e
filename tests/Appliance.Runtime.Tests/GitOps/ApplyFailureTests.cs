namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A revision that validates but fails to apply leaves the running revision's pipeline running. The defect: the old
/// pipeline was disposed before the new one was built, so a window length the tumbling window refuses (under 1 ms) or
/// <c>gpu = "required"</c> without CUDA left no pipeline: 0 windows followed, and every later revision failed with
/// "The CancellationTokenSource has been disposed". Validation now refuses both (<see cref="DevicePipeline.Check"/>).
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class ApplyFailureTests
{
    private static ApplianceConfig Config(string from, string to) =>
        ConfigLoader.Parse(DefaultConfig.Toml.Replace(from, to, StringComparison.Ordinal), ConfigRepository.ConfigFile);

    [Fact]
    public async Task WindowLengthTheKernelRefuses_OldPipelineKeepsRunning_LaterRevisionApplies()
    {
        var bad = Config("length = \"1s\"", "length = \"0.5ms\"");
        Assert.Equal(TimeSpan.FromTicks(5000), bad.Window.Length); // the loader accepts it; the window does not
        var e = Assert.Throws<ConfigException>(() => DevicePipeline.Check(bad, ConfigRepository.ConfigFile));
        Assert.Contains("[window] length", e.Message, StringComparison.Ordinal);
        await FailedApplyKeepsOldPipeline(bad, typeof(ArgumentOutOfRangeException));
    }

    [Fact]
    public async Task GpuRequiredWithoutCuda_OldPipelineKeepsRunning_LaterRevisionApplies()
    {
        var bad = Config("gpu = \"auto\"", "gpu = \"required\"");
        using (var auto = new OnnxScorer(StandardScoreModel.Fit([[0f, 1f]], 1, 2).ToOnnx(), 1, 2, GpuPolicy.Auto))
        {
            if (auto.ExecutionProvider != "CPU")
            {
                return; // CUDA loads here: gpu = "required" applies (GpuPolicyTests covers that side)
            }
        }

        Assert.Throws<ConfigException>(() => DevicePipeline.Check(bad, ConfigRepository.ConfigFile));
        await FailedApplyKeepsOldPipeline(bad, typeof(InferenceException));
    }

    private static async Task FailedApplyKeepsOldPipeline(ApplianceConfig bad, Type expected)
    {
        var state = Directory.CreateTempSubdirectory("appliance-apply-").FullName;
        try
        {
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);
            await device.ApplyAsync(new ConfigBundle(new string('a', 40), ConfigLoader.Parse(DefaultConfig.Toml, ConfigRepository.ConfigFile), [], "test"), CancellationToken.None);
            var running = device.Pipeline!;
            await WindowsReach(running, 2);

            var e = await Assert.ThrowsAnyAsync<Exception>(() => device.ApplyAsync(new ConfigBundle(new string('b', 40), bad, [], "test"), CancellationToken.None));
            Assert.IsType(expected, e);
            Assert.Same(running, device.Pipeline);
            var after = running.Counters.WindowsSummarised;
            await WindowsReach(running, after + 2); // still sampling and summarising

            // A good revision after the failed one applies (a rebuild: another rate).
            await device.ApplyAsync(new ConfigBundle(new string('c', 40), Config("rate_hz = 10", "rate_hz = 20"), [], "test"), CancellationToken.None);
            Assert.NotSame(running, device.Pipeline);
            await WindowsReach(device.Pipeline!, 1);
            await device.StopAsync(TimeSpan.Zero);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task WindowsReach(DevicePipeline pipeline, long windows)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (pipeline.Counters.WindowsSummarised < windows && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(pipeline.Counters.WindowsSummarised >= windows, $"{pipeline.Counters.WindowsSummarised} windows, expected {windows}");
    }
}
