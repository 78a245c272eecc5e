namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// Issue 14, item 8: a revision that changes only an uplink setting (here <c>curve_server_key</c>) rebuilds the link, and
/// when the rebuilt link does not come up the health check fails it, naming a CURVE handshake that never completes apart from
/// a collector that does not answer. Before the fix the link was rebuilt only for a new endpoint or device id: a changed
/// server key was reported healthy while the old link kept its old key.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class UplinkRebuildTests
{
    private static readonly NetMQCertificate Server = new();
    private static readonly NetMQCertificate Device = new();

    [Fact]
    public async Task Apply_OnlyTheCurveServerKeyChangesToAWrongOne_LinkRebuiltAndHealthFailsNamingTheHandshake()
    {
        var state = Directory.CreateTempSubdirectory("appliance-uplink-rebuild-").FullName;
        try
        {
            using var db = new TempDatabase();
            using var store = new SqliteStore(db.Path);
            using var collector = new Collector("tcp://127.0.0.1:0", store, null, Server.SecretKeyZ85, new Dictionary<string, string> { [Device.PublicKeyZ85] = "demo-1" });
            collector.Start();
            var secretFile = Path.Combine(state, "device.key");
            File.WriteAllText(secretFile, Device.SecretKeyZ85);
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);

            await device.ApplyAsync(Bundle('a', collector.Port, Server.PublicKeyZ85, secretFile), CancellationToken.None);
            var first = await device.CheckHealthAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            Assert.True(first.Healthy, first.Reason);
            var firstLink = device.Uplink;

            await device.ApplyAsync(Bundle('b', collector.Port, new NetMQCertificate().PublicKeyZ85, secretFile), CancellationToken.None);
            Assert.NotSame(firstLink, device.Uplink);
            var second = await device.CheckHealthAsync(TimeSpan.FromSeconds(3), CancellationToken.None);

            Assert.False(second.Healthy);
            Assert.StartsWith($"the uplink acknowledged nothing: the CURVE handshake with tcp://127.0.0.1:{collector.Port} never completed", second.Reason, StringComparison.Ordinal);
            await device.StopAsync(TimeSpan.Zero);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Apply_EndpointWhereNothingListens_HealthFailsNamingADeadCollector()
    {
        var state = Directory.CreateTempSubdirectory("appliance-uplink-dead-").FullName;
        try
        {
            using var db = new TempDatabase();
            using var store = new SqliteStore(db.Path);
            using var collector = new Collector("tcp://127.0.0.1:0", store);
            collector.Start();
            using var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), state);
            await device.ApplyAsync(Bundle('a', collector.Port, null, null), CancellationToken.None);
            var first = await device.CheckHealthAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
            Assert.True(first.Healthy, first.Reason);

            var dead = FreePort();
            await device.ApplyAsync(Bundle('b', dead, null, null), CancellationToken.None);
            var second = await device.CheckHealthAsync(TimeSpan.FromSeconds(3), CancellationToken.None);

            Assert.False(second.Healthy);
            Assert.StartsWith($"the uplink acknowledged nothing: the collector at tcp://127.0.0.1:{dead} does not answer", second.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("CURVE", second.Reason, StringComparison.Ordinal);
            await device.StopAsync(TimeSpan.Zero);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>The demo's configuration (one emulated BME280) sending to <paramref name="port"/>, with CURVE when a server key is given.</summary>
    private static ConfigBundle Bundle(char revision, int port, string? serverKey, string? secretFile)
    {
        var uplink = $"endpoint = \"tcp://127.0.0.1:{port}\"" + (serverKey is null ? "" : $"\ncurve_server_key = \"{serverKey}\"\ncurve_secret_key_file = \"{secretFile}\"");
        var toml = DefaultConfig.Toml.Replace("endpoint = \"tcp://127.0.0.1:5556\"", uplink, StringComparison.Ordinal);
        return new ConfigBundle(new string(revision, 40), ConfigLoader.Parse(toml, ConfigRepository.ConfigFile), [], "test");
    }

    /// <summary>A TCP port of 127.0.0.1 that nothing listened on a moment ago (the listener that found it is closed).</summary>
    internal static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
