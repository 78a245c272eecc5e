using Appliance.Cloud.Control;
using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Control;

/// <summary>
/// A command round trip with a live device: the device of <c>appliance run</c> (<see cref="DeviceRuntime"/> following a real
/// repository through the real <see cref="Reconciler"/>, an emulated BME280 sampled live) connected to a collector; the cloud's
/// <c>pull-config</c> makes it fetch at once (its poll interval is an hour) and answer with the revision it then runs.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class DeviceCommandTests : IDisposable
{
    private readonly GitWorkspace _ws = new();
    private readonly string _key;
    private readonly string _trust;

    public DeviceCommandTests()
    {
        _key = _ws.Key("operator");
        _trust = _ws.AllowedSigners(_key);
    }

    public void Dispose() => _ws.Dispose();

    private static string Toml(int port, int rateHz) => $$"""
        [device]
        id = "pump-7"

        [[sensor]]
        name = "env"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = {{rateHz}}

        [window]
        length = "500ms"

        [uplink]
        endpoint = "tcp://127.0.0.1:{{port}}"

        [gitops]
        branch = "main"
        interval = "1h"
        health_grace = "10s"

        """;

    [Fact]
    public async Task PullConfig_LiveDevice_FetchesAtOnceAndAnswersTheRevisionItRuns()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var revA = _ws.Commit(_key, "appliance.toml", Toml(collector.Port, 10));

        var levels = new LogLevelSwitch();
        var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), _ws.State) { LogLevels = levels };
        using var stop = new CancellationTokenSource();
        using var r = device.Follow(new ReconcilerOptions
        {
            Url = _ws.Url,
            StateDirectory = _ws.State,
            DeviceId = "pump-7",
            Verifier = CommitVerifier.Trusting(AllowedSigners.Load(_trust)),
            BakedInToml = DefaultConfig.Toml,
        }, NullLogger.Instance);
        try
        {
            await r.StartAsync(CancellationToken.None);
            Assert.Equal(revA, r.ConfigRevision);
            var loop = r.RunAsync(stop.Token);
            Assert.True(SpinWait.SpinUntil(() => store.GetDevices().Any(d => d.DeviceId == "pump-7"), TimeSpan.FromSeconds(20)));

            // B is pushed; without the command the device would see it in an hour.
            var revB = _ws.Commit(_key, "appliance.toml", Toml(collector.Port, 20));
            var service = new CommandService(store);
            var pull = await service.WaitAsync(service.Enqueue("pump-7", "pull-config", [], "tester").Id, TimeSpan.FromSeconds(60));
            Assert.Equal($"ok rev={revB} state=applied", pull.ResultLine);
            Assert.Equal(revB, r.ConfigRevision);

            var level = await service.WaitAsync(service.Enqueue("pump-7", "set-log-level", ["debug"], "tester").Id, TimeSpan.FromSeconds(20));
            Assert.Equal("ok log level debug", level.ResultLine);
            Assert.Equal(LogLevel.Debug, levels.Minimum);

            // The revision has no [[alarm]]: identify fails and says why.
            var identify = await service.WaitAsync(service.Enqueue("pump-7", "identify", ["5"], "tester").Id, TimeSpan.FromSeconds(20));
            Assert.Equal("failed no alarm line configured ([[alarm]])", identify.ResultLine);

            var pipeline = device.Pipeline;
            var restart = await service.WaitAsync(service.Enqueue("pump-7", "restart-pipeline", [], "tester").Id, TimeSpan.FromSeconds(20));
            Assert.Equal($"ok pipeline restarted on rev={revB}", restart.ResultLine);
            Assert.NotSame(pipeline, device.Pipeline);

            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        }
        finally
        {
            await device.StopAsync(TimeSpan.Zero);
            device.Dispose();
        }
    }
}
