namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// The device of <c>appliance run</c> (a <see cref="DeviceRuntime"/> following a <see cref="Reconciler"/> with no baked-in
/// configuration) whose repository does not exist: it runs nothing and sends nothing, and <c>status.json</c> says why (issue 14,
/// item 1). Before the fix it ran the demo's configuration as <c>demo-1</c> (simulated BME280, injected heater fault).
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class NoConfigurationDeviceTests
{
    [Fact]
    public async Task Run_MissingRepository_NoPipelineNoUplinkAndStatusSaysWhy()
    {
        var state = Directory.CreateTempSubdirectory("appliance-noconfig-").FullName;
        try
        {
            Reconciler reconciler;
            using (var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state))
            {
                reconciler = device.Follow(
                    new ReconcilerOptions
                    {
                        Url = Path.Combine(state, "nonexistent"),
                        StateDirectory = state,
                        Verifier = CommitVerifier.Insecure(),
                    },
                    NullLogger.Instance);
                await reconciler.StartAsync(CancellationToken.None);

                Assert.Null(device.Pipeline);
                Assert.Null(device.Uplink);
                Assert.Equal(0, device.Counters.SamplesRead);
                Assert.True(await device.StopAsync(TimeSpan.Zero));
            }

            reconciler.Dispose();
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, StatusFile.FileName)));
            var root = json.RootElement;
            Assert.Equal("no configuration", root.GetProperty("config_state").GetString());
            Assert.Contains("nonexistent", root.GetProperty("config_error").GetString(), StringComparison.Ordinal);
            Assert.Equal(string.Empty, root.GetProperty("config_revision").GetString());
            Assert.False(root.TryGetProperty("windows_summarised", out _));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
