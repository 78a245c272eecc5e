using Appliance.Cloud.Control;
using NetMQ;

namespace Appliance.Runtime.Tests.Control;

/// <summary>
/// The registry and commands on PostgreSQL (APPLIANCE_TEST_PG, as <see cref="PostgresStoreTests"/>), in a schema of their own so
/// that other tests resetting the shared database do not interfere: the same statements as SQLite, rendered for PostgreSQL.
/// </summary>
public sealed class ControlPostgresTests(ITestOutputHelper output)
{
    private const string Schema = "appliance_control_test";

    private PostgresStore? Open()
    {
        string? url = Environment.GetEnvironmentVariable("APPLIANCE_TEST_PG");
        if (url is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "APPLIANCE_TEST_PG is not set: .ci/run must install and start PostgreSQL and export it");
            output.WriteLine("APPLIANCE_TEST_PG not set and not in CI: PostgreSQL tests not run (see .ci/run)");
            return null;
        }

        string cs = PostgresStore.ToConnectionString(url);
        using (var c = new Npgsql.NpgsqlConnection(cs))
        {
            c.Open();
            using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE; CREATE SCHEMA {Schema};", c);
            drop.ExecuteNonQuery();
        }

        return new PostgresStore(cs + $";Search Path={Schema}");
    }

    [Fact]
    public async Task Postgres_RegistryAndCommandRoundTrip_SameAsSqlite()
    {
        using var store = Open();
        if (store is null)
        {
            return;
        }

        var key = new NetMQCertificate();
        var registry = new DeviceRegistry(store);
        registry.Add("dev1", key.PublicKeyZ85);
        Assert.Throws<ArgumentException>(() => registry.Add("dev2", key.PublicKeyZ85));
        Assert.Equal(1, registry.Revoke("dev1"));
        Assert.True(registry.IsRevoked("dev1"));

        store.Store([Envelope.Create("dev2", 1, WireSamples.SampleHeartbeat)], 0, WireSamples.StartNs);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var service = new CommandService(store);
        Assert.Contains("revoked", Assert.Throws<ArgumentException>(() => service.Enqueue("dev1", "pull-config", [], "t")).Message, StringComparison.Ordinal);
        var expiring = service.Enqueue("dev2", "restart-pipeline", [], "t", TimeSpan.FromSeconds(1));
        Assert.Equal(CommandStates.Expired, (await service.WaitAsync(expiring.Id, TimeSpan.FromSeconds(15))).State);

        var queued = service.Enqueue("dev2", "identify", ["7"], "t");
        using var device = new UplinkClient(new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = "dev2", ResendAfter = TimeSpan.FromMilliseconds(300),
            PingInterval = TimeSpan.FromMilliseconds(200),
        }, new MemoryOutbox(64, TimeSpan.Zero));
        device.CommandReceived += c => device.SendResult(new CommandResult { Id = c.Id, Succeeded = true, Text = "raised 1 alarm line for 7 s" });
        device.Start();
        var done = await service.WaitAsync(queued.Id, TimeSpan.FromSeconds(15));
        Assert.Equal(("ok raised 1 alarm line for 7 s", 1L), (done.ResultLine, done.Attempts));
        Assert.Equal([queued.Id, expiring.Id], service.List("dev2").Select(c => c.Id));
    }
}
