namespace Appliance.Runtime.Tests.Uplink;

/// <summary>CurveZMQ (RFC 26) on 127.0.0.1 with the collector's key pinned on devices and a device allow-list.</summary>
public sealed class CurveTests
{
    private static readonly NetMQCertificate Server = new();
    private static readonly NetMQCertificate Allowed = new();
    private static readonly NetMQCertificate Stranger = new();

    private static UplinkClient Client(int port, IOutbox outbox, NetMQCertificate device, string serverPublic, string id = "curve-dev") => new(
        new UplinkOptions
        {
            Endpoint = $"tcp://127.0.0.1:{port}",
            DeviceId = id,
            ResendAfter = TimeSpan.FromMilliseconds(300),
            PingInterval = TimeSpan.FromMilliseconds(200),
            CurveServerPublicKey = serverPublic,
            CurveSecretKey = device.SecretKeyZ85,
        },
        outbox);

    private static Collector Start(SqliteStore store)
    {
        var collector = new Collector("tcp://127.0.0.1:0", store, null, Server.SecretKeyZ85,
            new Dictionary<string, string> { [Allowed.PublicKeyZ85] = "curve-dev" });
        collector.Start();
        return collector;
    }

    [Fact]
    public async Task FlushAsync_AllowListedDeviceWithPinnedServerKey_StoredAndAcknowledged()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using Collector collector = Start(store);
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(64, TimeSpan.Zero), Allowed, Server.PublicKeyZ85);
        client.Start();
        client.Enqueue(WireSamples.SampleSummary());
        Assert.True(await client.FlushAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(1, store.GetStats().Summaries);
        Assert.Equal(0, collector.Counters.Refused);
    }

    [Fact]
    public async Task FlushAsync_DeviceKeyNotOnAllowList_RefusedAndNothingStored()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using Collector collector = Start(store);
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(64, TimeSpan.Zero), Stranger, Server.PublicKeyZ85);
        client.Start();
        client.Enqueue(WireSamples.SampleSummary());
        Assert.False(await client.FlushAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, store.GetStats().Summaries);
        Assert.True(collector.Counters.Refused > 0);
    }

    [Fact]
    public async Task FlushAsync_AllowedKeyClaimingAnotherDeviceId_Refused()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using Collector collector = Start(store);
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(64, TimeSpan.Zero), Allowed, Server.PublicKeyZ85, id: "someone-else");
        client.Start();
        client.Enqueue(WireSamples.SampleSummary());
        Assert.False(await client.FlushAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, store.GetStats().Summaries);
    }

    [Fact]
    public async Task FlushAsync_DevicePinnedToAnotherServerKey_HandshakeFailsNothingStored()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        using Collector collector = Start(store);
        using UplinkClient client = Client(collector.Port, new MemoryOutbox(64, TimeSpan.Zero), Allowed, new NetMQCertificate().PublicKeyZ85);
        client.Start();
        client.Enqueue(WireSamples.SampleSummary());
        Assert.False(await client.FlushAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(0, store.GetStats().Summaries);
        Assert.Equal(0, collector.Counters.Received);
    }

    [Fact]
    public void Validate_NonLoopbackWithoutKeys_RefusedUnlessPlaintextAllowed()
    {
        var plain = new UplinkOptions { Endpoint = "tcp://10.0.0.5:5556", DeviceId = "d" };
        Assert.Throws<ArgumentException>(plain.Validate);
        (plain with { AllowPlaintext = true }).Validate();
        (plain with { Endpoint = "tcp://127.0.0.1:5556" }).Validate();
    }
}
