using static Appliance.Runtime.Tests.Uplink.WireSamples;

namespace Appliance.Runtime.Tests.Uplink;

/// <summary>The decoder faces hostile bytes from the network: it must answer false, never throw.</summary>
public sealed class WireCodecFuzzTests
{
    private static byte[][] ValidFrames() =>
    [
        WireCodec.Encode(Envelope.Create("dev1", 7, SampleSummary())),
        WireCodec.Encode(Envelope.Create("dev1", 8, SampleAlert)),
        WireCodec.Encode(Envelope.Create("dev1", 9, SampleHeartbeat)),
        WireCodec.Encode(Envelope.Create("dev1", 1, new Ack { Sequences = [1, 2, 300] })),
        WireCodec.Encode(Envelope.Create("dev1", 2, new Command { Kind = CommandKind.PullConfig, Arguments = ["main"] })),
    ];

    [Fact]
    public void TryDecode_20000RandomTruncatedAndBitFlippedFrames_NeverThrows()
    {
        var random = new Random(20260601);
        byte[][] valid = ValidFrames();
        int decoded = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] src = valid[i % valid.Length];
            byte[] frame;
            switch (i % 3)
            {
                case 0:
                    frame = new byte[random.Next(0, 96)];
                    random.NextBytes(frame);
                    break;
                case 1:
                    frame = src[..random.Next(0, src.Length)]; // strict prefix: can never be a whole envelope
                    Assert.False(WireCodec.TryDecode(frame, out _, out string? truncated));
                    Assert.NotNull(truncated);
                    continue;
                default:
                    frame = (byte[])src.Clone();
                    int flips = random.Next(1, 4);
                    for (int f = 0; f < flips; f++)
                    {
                        frame[random.Next(frame.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
            }

            bool ok = WireCodec.TryDecode(frame, out _, out string? error);
            Assert.True(ok == (error is null), $"frame {i}: result {ok} with error '{error}'");
            decoded += ok ? 1 : 0;
        }

        // Bit flips inside float payloads still decode, so some frames pass; most must be rejected.
        Assert.InRange(decoded, 1, 10_000);
    }

    [Fact]
    public void TryDecode_DeepNestingInUnknownItem_ReturnsFalse()
    {
        // A valid Ack with an incarnation (item [5]), then a seventh envelope item nested 100,000 arrays deep (0x91 = fixarray of 1).
        byte[] head = Hex("97 01 04 a4 64657631 01 91 90 01");
        byte[] frame = [.. head, .. Enumerable.Repeat((byte)0x91, 100_000), 0xc0];

        Assert.False(WireCodec.TryDecode(frame, out _, out string? error));
        Assert.Contains("InsufficientExecutionStack", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_OversizedFrame_ReturnsFalse()
    {
        byte[] frame = new byte[WireCodec.MaxFrameBytes + 1];

        Assert.False(WireCodec.TryDecode(frame, out _, out string? error));
        Assert.Contains("exceeds", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("95 01 04 db ffffffff")]       // str32 claiming 4 GiB
    [InlineData("95 01 04 a4 64657631 01 dd ffffffff")] // array32 claiming 4 billion items
    [InlineData("95 01 04 a4 64657631 01 91 dd 7fffffff")]
    [InlineData("")]
    public void TryDecode_LengthsBeyondFrame_ReturnsFalse(string hex)
    {
        Assert.False(WireCodec.TryDecode(Hex(hex), out _, out string? error));
        Assert.NotNull(error);
    }
}
