namespace Appliance.Faults.Tests;

/// <summary>
/// The issue "nothing a peer sends can stop, starve or poison the collector": per class of hostile frame, a collector process
/// takes a burst of them and must still be running and store and acknowledge a valid summary sent afterwards.
/// </summary>
public sealed class CollectorHostileFrameTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-hostile-" + Guid.NewGuid().ToString("N"));

    public CollectorHostileFrameTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A link ping whose device id makes the frame exactly <see cref="WireCodec.MaxFrameBytes"/> long: accepted
    /// by the decoder; once the collector's reply counter passes 127 (MessagePack uint8) the reply would be one byte over.</summary>
    private static byte[] MaxSizePing()
    {
        int overhead = WireCodec.Encode(Envelope.Create(new string('x', 100_000), 1, new Ack { Sequences = [] })).Length - 100_000;
        byte[] frame = WireCodec.Encode(Envelope.Create(new string('x', WireCodec.MaxFrameBytes - overhead), 1, new Ack { Sequences = [] }));
        Assert.Equal(WireCodec.MaxFrameBytes, frame.Length);
        return frame;
    }

    private static IEnumerable<byte[]> Frames(string kind, Random rng)
    {
        byte[] valid = WireCodec.Encode(Envelope.Create("hostile", 1, FaultDriver.MakeSummary(1)));
        switch (kind)
        {
            case "max-size pings past 127 replies":
                byte[] ping = MaxSizePing();
                return Enumerable.Repeat(ping, 300);
            case "random bytes":
                return Enumerable.Range(0, 2000).Select(_ =>
                {
                    byte[] r = new byte[rng.Next(1, 512)];
                    rng.NextBytes(r);
                    return r;
                }).ToList();
            case "truncated":
                return Enumerable.Range(0, 2000).Select(_ => valid[..rng.Next(0, valid.Length)]).ToList();
            case "bit-flipped":
                return Enumerable.Range(0, 2000).Select(_ =>
                {
                    byte[] m = (byte[])valid.Clone();
                    m[rng.Next(m.Length)] ^= (byte)(1 << rng.Next(8));
                    return m;
                }).ToList();
            case "huge length headers":
                // array32, map32, str32, bin32 claiming 2^32-1 items or bytes (MessagePack spec: 0xdd, 0xdf, 0xdb, 0xc6)
                return new byte[] { 0xdd, 0xdf, 0xdb, 0xc6 }.SelectMany(h => new[]
                {
                    new byte[] { h, 0xff, 0xff, 0xff, 0xff },
                    new byte[] { 0x95, 0x02, 0x01, h, 0xff, 0xff, 0xff, 0xff },
                    new byte[] { 0x95, 0x02, 0x01, 0xa1, 0x64, 0x01, h, 0xff, 0xff, 0xff, 0xff },
                }).ToList();
            case "100,000-deep nesting":
                return [[.. Enumerable.Repeat((byte)0x91, 100_000), 0x00], [.. Enumerable.Repeat((byte)0x81, 100_000), 0x00]];
            case "wrong versions":
                return Enumerable.Range(0, 256).Where(v => v is not (1 or 2)).Select(v =>
                {
                    byte[] m = (byte[])valid.Clone();
                    m[1] = (byte)v;
                    return m;
                }).ToList();
            case "300 KiB frames":
                return Enumerable.Range(0, 20).Select(_ => new byte[300 * 1024]).ToList();
            case "absurd but valid summaries":
                return
                [
                    WireCodec.Encode(Envelope.Create("hostile", long.MaxValue, FaultDriver.MakeSummary(1))),
                    WireCodec.Encode(Envelope.Create(new string('d', 250_000), 1, FaultDriver.MakeSummary(1))),
                    WireCodec.Encode(Envelope.Create("hostile", 2, new Summary { Sensor = new string('s', 60_000), Channel = "x", WindowStartNs = FaultDriver.Epoch, WindowEndNs = FaultDriver.Epoch + 1, Features = FaultDriver.MakeSummary(1).Features })),
                    WireCodec.Encode(Envelope.Create("hostile", 3, new Summary { Sensor = "s", Channel = "x", WindowStartNs = 5, WindowEndNs = 5, Features = FaultDriver.MakeSummary(1).Features })),
                    WireCodec.Encode(Envelope.Create("hostile", 4, new Summary { Sensor = "s", Channel = "x", WindowStartNs = FaultDriver.Epoch, WindowEndNs = FaultDriver.Epoch + 1, Features = FaultDriver.MakeSummary(1).Features with { Mean = double.NaN, M2 = double.PositiveInfinity } })),
                ];
            case "pings from many identities":
                return Enumerable.Range(0, 5000).Select(i => WireCodec.Encode(Envelope.Create("ping-" + i, 1, new Ack { Sequences = [] }))).ToList();
            default:
                throw new ArgumentException(kind, nameof(kind));
        }
    }

    [Theory]
    [InlineData("max-size pings past 127 replies")]
    [InlineData("random bytes")]
    [InlineData("truncated")]
    [InlineData("bit-flipped")]
    [InlineData("huge length headers")]
    [InlineData("100,000-deep nesting")]
    [InlineData("wrong versions")]
    [InlineData("300 KiB frames")]
    [InlineData("absurd but valid summaries")]
    [InlineData("pings from many identities")]
    public void Collector_HostileFrames_KeepsRunningAndAcknowledgesTheNextValidSummary(string kind)
    {
        string db = Path.Combine(_dir, "hostile.db");
        int port = FaultProcess.FreePort();
        using FaultProcess collector = FaultProcess.StartCollector(db, port);
        using var dealer = new DealerSocket();
        dealer.Options.Linger = TimeSpan.Zero;
        dealer.Options.ReceiveHighWatermark = 0;
        dealer.Connect($"tcp://127.0.0.1:{port}");

        foreach (byte[] frame in Frames(kind, new Random(20261206)))
        {
            Assert.True(dealer.TrySendFrame(TimeSpan.FromSeconds(30), frame), $"{kind}: collector stopped taking frames");
        }

        dealer.SendFrame(WireCodec.Encode(Envelope.Create("after", 1, FaultDriver.MakeSummary(1))));
        bool acked = false;
        while (!acked && dealer.TryReceiveFrameBytes(TimeSpan.FromSeconds(30), out byte[]? reply))
        {
            acked = WireCodec.TryDecode(reply, out Envelope a, out _) && a.DeviceId == "after" && a.Body is Ack { Sequences: [1] };
        }

        Assert.False(collector.HasExited, $"{kind}: the collector process ended");
        Assert.True(acked, $"{kind}: no acknowledgement for the valid summary sent after the hostile frames");
        CollectorStats stats = SqliteStore.ReadStats(db);
        if (kind is not ("bit-flipped" or "random bytes"))
        {
            // Nothing of these classes is storable: only the valid summary sent afterwards is stored (a flipped bit may
            // leave a frame valid and in bounds, e.g. a changed feature value, which is then real data).
            Assert.Equal(1, stats.Summaries);
        }
    }
}
