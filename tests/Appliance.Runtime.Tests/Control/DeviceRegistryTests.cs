using Appliance.Cloud.Control;
using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Runtime.Tests.Control;

/// <summary>
/// The device registry in the store (issue 15 item 3, issue 16 item 5): CURVE keys added and revoked while the collector runs,
/// each bound to one device id. Before it, the allow-list was a file read at start: a key could not be added or revoked
/// without a restart, and CURVE without <c>--curve-allow</c> accepted any client key as any device.
/// </summary>
public sealed class DeviceRegistryTests
{
    private static UplinkClient Device(Collector collector, NetMQCertificate server, NetMQCertificate key, string id, IOutbox outbox) =>
        new(new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = id, ResendAfter = TimeSpan.FromMilliseconds(300),
            PingInterval = TimeSpan.FromMilliseconds(200), CurveServerPublicKey = server.PublicKeyZ85, CurveSecretKey = key.SecretKeyZ85,
        }, outbox);

    private static bool Eventually(Func<bool> condition, double seconds = 15) => SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Collector_KeyAddedThenRevokedWhileRunning_ConnectsThenIsCutOffAndCounted()
    {
        var server = new NetMQCertificate();
        var key = new NetMQCertificate();
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var registry = new DeviceRegistry(store);
        using var collector = new Collector("tcp://127.0.0.1:0", store, null, server.SecretKeyZ85, useDeviceRegistry: true);
        collector.Start();
        var outbox = new MemoryOutbox(64, TimeSpan.Zero);
        using var device = Device(collector, server, key, "dev1", outbox);
        device.Start();
        device.Enqueue(WireSamples.SampleSummary());

        // Not in the registry: refused, nothing stored.
        Assert.True(Eventually(() => collector.Counters.Refused >= 2));
        Assert.Equal(0, store.GetStats().Summaries);

        // Added while the collector runs: the next ping authenticates and the summary is stored and acknowledged.
        registry.Add("dev1", key.PublicKeyZ85);
        Assert.True(await device.FlushAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(1, store.GetStats().Summaries);

        // Revoked while it runs: cut off (counted once), its frames refused from then on.
        Assert.Equal(1, registry.Revoke("dev1"));
        Assert.True(Eventually(() => collector.Counters.Revoked == 1));
        long refused = collector.Counters.Refused;
        device.Enqueue(WireSamples.SampleSummary(WireSamples.StartNs + 1_000_000_000));
        // Refused again on the collector's own counter (under load 46 the device's frames took longer than a fixed 2 s to
        // reach it: its dead-peer reconnect and the new CURVE handshake come first), and never acknowledged.
        Assert.True(Eventually(() => collector.Counters.Refused > refused), "nothing refused after the revocation");
        Assert.False(await device.FlushAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(1, store.GetStats().Summaries);
        Assert.Equal(1, collector.Counters.Revoked);
        Assert.False(registry.List().Single().Active);
    }

    [Fact]
    public async Task Collector_RegistrySpoofAttack_OtherAllowedKeySendingFutureSequencesRefusedAndRealDataAllStored()
    {
        // Issue 15 item 3's attack under the registry: a second CURVE client with its own allowed key sends summaries under
        // the victim's id with future sequences first; they are refused, and every summary of the victim is stored.
        var server = new NetMQCertificate();
        var attackerKey = new NetMQCertificate();
        var victimKey = new NetMQCertificate();
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var registry = new DeviceRegistry(store);
        registry.Add("attacker", attackerKey.PublicKeyZ85);
        registry.Add("victim", victimKey.PublicKeyZ85);
        using var collector = new Collector("tcp://127.0.0.1:0", store, null, server.SecretKeyZ85, useDeviceRegistry: true);
        collector.Start();

        using (var attacker = Cloud.CurvePeer.ConnectAuthenticated(collector.Port, server, attackerKey, "attacker"))
        {

            // A proof for the victim's id made with the attacker's key does not authenticate either.
            byte[] forged = DeviceProof.Create("victim", attackerKey.SecretKeyZ85!, server.PublicKeyZ85);
            attacker.SendFrame(WireCodec.Encode(Envelope.Create("victim", 1, new Ack { Sequences = [], Proof = forged })));
            for (long seq = 1; seq <= 20; seq++)
            {
                attacker.SendFrame(WireCodec.Encode(Envelope.Create("victim", seq, WireSamples.SampleSummary(WireSamples.StartNs + seq))));
            }

            Assert.True(Eventually(() => collector.Counters.Refused == 21));
        }

        var outbox = new MemoryOutbox(64, TimeSpan.Zero);
        using var victim = Device(collector, server, victimKey, "victim", outbox);
        victim.Start();
        for (int i = 0; i < 20; i++)
        {
            victim.Enqueue(WireSamples.SampleSummary(WireSamples.StartNs + (i * 1_000_000_000L)));
        }

        Assert.True(await victim.FlushAsync(TimeSpan.FromSeconds(20)));
        var rows = store.GetSummaries("victim", 0, 100);
        Assert.Equal(20, rows.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => WireSamples.StartNs + (i * 1_000_000_000L)), rows.Select(r => r.WindowStartNs));
        Assert.Equal(0, store.GetStats().DuplicatesRejected);
    }

    [Fact]
    public void Registry_KeyBindsOneDevice_BadInputNamed()
    {
        var key = new NetMQCertificate();
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var registry = new DeviceRegistry(store);
        registry.Add("dev1", key.PublicKeyZ85);
        registry.Add("dev1", key.PublicKeyZ85); // idempotent

        Assert.Contains("bound to another device", Assert.Throws<ArgumentException>(() => registry.Add("dev2", key.PublicKeyZ85)).Message, StringComparison.Ordinal);
        Assert.Contains("not a CURVE public key", Assert.Throws<ArgumentException>(() => registry.Add("dev2", "short")).Message, StringComparison.Ordinal);
        Assert.Contains("device id", Assert.Throws<ArgumentException>(() => registry.Add("bad id", key.PublicKeyZ85)).Message, StringComparison.Ordinal);
        Assert.Contains("no allowed key", Assert.Throws<ArgumentException>(() => registry.Revoke("dev2")).Message, StringComparison.Ordinal);

        Assert.Equal(1, registry.Revoke("dev1"));
        Assert.True(registry.IsRevoked("dev1"));
        registry.Add("dev1", key.PublicKeyZ85); // allowed again
        Assert.Equal(new Dictionary<string, string> { [key.PublicKeyZ85] = "dev1" }, registry.Allowed());
    }
}
