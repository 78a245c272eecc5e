namespace Appliance.Faults.Tests;

/// <summary>
/// The classes of hostile frame of the issue "nothing a peer sends can stop, starve or poison the collector", one
/// generator for <see cref="CollectorHostileFrameTests"/> (a burst per class) and for the flood of
/// <c>tests/faults/campaign.sh</c> (<see cref="FloodDriver"/>). <see cref="Next"/> gives frame number <c>i</c> of a class;
/// classes made of a fixed list (huge length headers, nesting, wrong versions, absurd summaries) cycle through it.
/// </summary>
public static class HostileFrames
{
    /// <summary>Ping frames whose device id makes the frame exactly <see cref="WireCodec.MaxFrameBytes"/> long.</summary>
    public const string MaxSizePings = "max-size pings past 127 replies";

    /// <summary>Pings, each with its own device id (every tenth 100,000 characters long); the flood sends each from a new
    /// ZeroMQ identity.</summary>
    public const string ManyIdentities = "pings from many identities";

    /// <summary>Every class, in the order the flood sends them.</summary>
    public static readonly string[] Classes =
    [
        "random bytes", "truncated", "bit-flipped", "huge length headers", "100,000-deep nesting", "wrong versions",
        "300 KiB frames", "absurd but valid summaries", MaxSizePings, ManyIdentities,
    ];

    private static readonly byte[] Valid = WireCodec.Encode(Envelope.Create("hostile", 1, FaultDriver.MakeSummary(1)));

    private static readonly Lazy<byte[]> MaxSizePing = new(() =>
    {
        int overhead = WireCodec.Encode(Envelope.Create(new string('x', 100_000), 1, new Ack { Sequences = [] })).Length - 100_000;
        return WireCodec.Encode(Envelope.Create(new string('x', WireCodec.MaxFrameBytes - overhead), 1, new Ack { Sequences = [] }));
    });

    // array32, map32, str32, bin32 claiming 2^32-1 items or bytes (MessagePack spec: 0xdd, 0xdf, 0xdb, 0xc6), at the top,
    // inside the envelope and inside its body.
    private static readonly byte[][] HugeLengths = [.. new byte[] { 0xdd, 0xdf, 0xdb, 0xc6 }.SelectMany(h => new[]
    {
        new byte[] { h, 0xff, 0xff, 0xff, 0xff },
        new byte[] { 0x95, 0x02, 0x01, h, 0xff, 0xff, 0xff, 0xff },
        new byte[] { 0x95, 0x02, 0x01, 0xa1, 0x64, 0x01, h, 0xff, 0xff, 0xff, 0xff },
    })];

    private static readonly byte[][] DeepNesting = [[.. Enumerable.Repeat((byte)0x91, 100_000), 0x00], [.. Enumerable.Repeat((byte)0x81, 100_000), 0x00]];

    private static readonly byte[][] WrongVersions = [.. Enumerable.Range(0, 256).Where(v => v < WireCodec.OldestReadableSchemaVersion || v > WireCodec.SchemaVersion).Select(v =>
    {
        byte[] m = (byte[])Valid.Clone();
        m[1] = (byte)v;
        return m;
    })];

    private static readonly Lazy<byte[][]> Absurd = new(() =>
    [
        WireCodec.Encode(Envelope.Create("hostile", long.MaxValue, FaultDriver.MakeSummary(1))),
        WireCodec.Encode(Envelope.Create(new string('d', 250_000), 1, FaultDriver.MakeSummary(1))),
        WireCodec.Encode(Envelope.Create("hostile", 2, new Summary { Sensor = new string('s', 60_000), Channel = "x", WindowStartNs = FaultDriver.Epoch, WindowEndNs = FaultDriver.Epoch + 1, Features = FaultDriver.MakeSummary(1).Features })),
        WireCodec.Encode(Envelope.Create("hostile", 3, new Summary { Sensor = "s", Channel = "x", WindowStartNs = 5, WindowEndNs = 5, Features = FaultDriver.MakeSummary(1).Features })),
        WireCodec.Encode(Envelope.Create("hostile", 4, new Summary { Sensor = "s", Channel = "x", WindowStartNs = FaultDriver.Epoch, WindowEndNs = FaultDriver.Epoch + 1, Features = FaultDriver.MakeSummary(1).Features with { Mean = double.NaN, M2 = double.PositiveInfinity } })),
    ]);

    /// <summary>How many frames <see cref="CollectorHostileFrameTests"/> sends of a class (a fixed list: all of it once).</summary>
    public static int BurstCount(string kind) => kind switch
    {
        MaxSizePings => 300,
        "huge length headers" => HugeLengths.Length,
        "100,000-deep nesting" => DeepNesting.Length,
        "wrong versions" => WrongVersions.Length,
        "300 KiB frames" => 20,
        "absurd but valid summaries" => Absurd.Value.Length,
        ManyIdentities => 5000,
        _ => 2000,
    };

    /// <summary>Frame number <paramref name="i"/> (from 0) of class <paramref name="kind"/>.</summary>
    public static byte[] Next(string kind, Random rng, long i)
    {
        switch (kind)
        {
            case MaxSizePings:
                return MaxSizePing.Value;
            case "random bytes":
                byte[] r = new byte[rng.Next(1, 512)];
                rng.NextBytes(r);
                return r;
            case "truncated":
                return Valid[..rng.Next(0, Valid.Length)];
            case "bit-flipped":
                byte[] m = (byte[])Valid.Clone();
                m[rng.Next(m.Length)] ^= (byte)(1 << rng.Next(8));
                return m;
            case "huge length headers":
                return HugeLengths[i % HugeLengths.Length];
            case "100,000-deep nesting":
                return DeepNesting[i % DeepNesting.Length];
            case "wrong versions":
                return WrongVersions[i % WrongVersions.Length];
            case "300 KiB frames":
                return new byte[300 * 1024];
            case "absurd but valid summaries":
                return Absurd.Value[i % Absurd.Value.Length];
            case ManyIdentities:
                string id = i % 10 == 9 ? new string('p', 100_000) + i.ToString(CultureInfo.InvariantCulture) : "ping-" + i.ToString(CultureInfo.InvariantCulture);
                return WireCodec.Encode(Envelope.Create(id, 1, new Ack { Sequences = [] }));
            default:
                throw new ArgumentException($"'{kind}' is not a class of hostile frame ({string.Join(", ", Classes)})", nameof(kind));
        }
    }
}
