using static Appliance.Runtime.Tests.Uplink.WireSamples;

namespace Appliance.Runtime.Tests.Uplink;

public sealed class WireCodecRoundTripTests
{
    private static Envelope RoundTrip(in Envelope e)
    {
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(e), out Envelope back, out string? error), error);
        Assert.Null(error);
        Assert.Equal(e.SchemaVersion, back.SchemaVersion);
        Assert.Equal(e.MessageType, back.MessageType);
        Assert.Equal(e.DeviceId, back.DeviceId);
        Assert.Equal(e.Sequence, back.Sequence);
        return back;
    }

    [Fact]
    public void TryDecode_Summary_RoundTripsEveryField()
    {
        var s = new Summary
        {
            Sensor = "bme280-0", Channel = "pressure", WindowStartNs = 0, WindowEndNs = long.MaxValue,
            Features = Features with { Min = 100653.27, Max = double.PositiveInfinity, Mean = double.NaN, NanCount = 17, ZeroCrossings = 4_000_000_000 },
        };

        var back = (Summary)RoundTrip(Envelope.Create("dev-α", long.MaxValue, s)).Body;

        Assert.Equal(s.Sensor, back.Sensor);
        Assert.Equal(s.Channel, back.Channel);
        Assert.Equal(s.WindowStartNs, back.WindowStartNs);
        Assert.Equal(s.WindowEndNs, back.WindowEndNs);
        // Schema 2 narrows 100653.27 to binary32: the nearest float is 100653.2734375 (ulp 2^-7 at 2^16..2^17,
        // IEEE 754 binary32), within a relative 2^-24 of the double; every other feature here is exact in binary32.
        Assert.Equal(s.Features with { Min = 100653.2734375 }, back.Features); // struct equality, NaN == NaN field-wise
        Assert.True(Math.Abs(back.Features.Min - 100653.27) <= 100653.27 * Math.Pow(2, -24));
    }

    [Fact]
    public void Encode_SummaryWindowLengthOverflowingInt64_Throws()
    {
        var s = new Summary { Sensor = "a", Channel = "b", WindowStartNs = -5, WindowEndNs = long.MaxValue, Features = Features };

        var ex = Assert.Throws<ArgumentException>(() => WireCodec.Encode(Envelope.Create("dev1", 1, s)));
        Assert.Contains("window", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_Alert_RoundTripsEveryField()
    {
        var back = (Alert)RoundTrip(Envelope.Create("dev1", 3, SampleAlert)).Body;

        Assert.Equal(SampleAlert.Sensor, back.Sensor);
        Assert.Equal(SampleAlert.Channel, back.Channel);
        Assert.Equal(SampleAlert.TimeNs, back.TimeNs);
        Assert.Equal(3.75, back.Score);
        Assert.Equal(2.5, back.Threshold);
        Assert.Equal(AlertSeverity.Critical, back.Severity);
        Assert.Equal("zscore", back.Detector);
        Assert.Equal(Features, back.Features);
    }

    [Fact]
    public void TryDecode_Heartbeat_RoundTripsEveryField()
    {
        var h = new Heartbeat
        {
            UptimeMs = 86_400_000, ExecutionProvider = "CUDAExecutionProvider", ConfigRevision = "3f2a9c1",
            Counters = new Dictionary<int, long> { [7] = -1, [1] = long.MaxValue, [300] = 0 },
            ConfigState = "rejected", ConfigError = "appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000",
            ModelId = "m-1", ModelRejection = "hash mismatch",
            Sensors =
            [
                new SensorReport { Name = "env", Health = "ok", RateHz = 10, JitterP50Us = 99, JitterP99Us = 197 },
                new SensorReport { Name = "adc", Health = "degraded", Reason = "I2C NACK at 0x48", Faults = 40, RateHz = 0 },
            ],
        };

        var back = (Heartbeat)RoundTrip(Envelope.Create("dev1", 4, h)).Body;

        Assert.Equal(h.UptimeMs, back.UptimeMs);
        Assert.Equal(h.ExecutionProvider, back.ExecutionProvider);
        Assert.Equal(h.ConfigRevision, back.ConfigRevision);
        Assert.Equal(h.Counters.OrderBy(k => k.Key), back.Counters.OrderBy(k => k.Key));
        Assert.Equal(h.ConfigState, back.ConfigState);
        Assert.Equal(h.ConfigError, back.ConfigError);
        Assert.Equal(h.ModelId, back.ModelId);
        Assert.Equal(h.ModelRejection, back.ModelRejection);
        Assert.Equal(h.Sensors, back.Sensors); // records: value equality; 10, 99, 197 and 0 are exact in binary32
    }

    [Fact]
    public void TryDecode_AckAndCommand_RoundTrip()
    {
        var ack = (Ack)RoundTrip(Envelope.Create("dev1", 5, new Ack { Sequences = [9, 1, long.MaxValue] })).Body;
        var cmd = (Command)RoundTrip(Envelope.Create("dev1", 6, new Command { Kind = (CommandKind)999, Arguments = ["a", ""] })).Body;

        Assert.Equal([9L, 1L, long.MaxValue], ack.Sequences);
        Assert.Equal((CommandKind)999, cmd.Kind); // a kind from a newer cloud survives decoding
        Assert.Equal(["a", ""], cmd.Arguments);
    }

    [Fact]
    public void Encode_PongWithPending_AddsItemTwoAfterANilProof()
    {
        // The collector's answer to a ping, holding 7 of the device's messages: body [[], nil, 7] (Ack remarks). A reader
        // before item [2] skips the nil and the 7 as a newer writer's items (see the next test).
        byte[] frame = WireCodec.Encode(Envelope.Create("dev1", 1, new Ack { Sequences = [], Pending = 7 }));
        Assert.Equal(Hex("95 03 04 a4 64657631 01 93 90 c0 07"), frame);

        Assert.True(WireCodec.TryDecode(frame, out Envelope e, out string? error), error);
        var pong = (Ack)e.Body;
        Assert.Empty(pong.Sequences);
        Assert.Null(pong.Proof);
        Assert.Equal(7, pong.Pending);
    }

    [Fact]
    public void TryDecode_AckWithoutPending_HasNullPending()
    {
        // An older collector's pong, and any acknowledgement: no item [2].
        Assert.True(WireCodec.TryDecode(Hex("95 01 04 a4 64657631 01 91 90"), out Envelope e, out string? error), error);
        Assert.Null(((Ack)e.Body).Pending);
        Assert.True(WireCodec.TryDecode(Hex("95 01 04 a4 64657631 01 94 90 c0 03 a3 6e6577"), out e, out error), error);
        Assert.Equal(3, ((Ack)e.Body).Pending); // a still newer writer's item [3] is skipped
    }

    [Fact]
    public void TryDecode_NewerWriterWithExtraItems_SkipsThem()
    {
        // Ack golden bytes with the incarnation (item [5], 5), a seventh envelope item {1: [2]} and a second body item
        // "new": a newer writer. (Before incarnations the unknown item was the sixth.)
        byte[] frame = Hex("97 01 04 a4 64657631 01" + "92 93 01 02 cd012c a3 6e6577" + "05" + "81 01 91 02");

        Assert.True(WireCodec.TryDecode(frame, out Envelope e, out string? error), error);
        Assert.Equal([1L, 2L, 300L], ((Ack)e.Body).Sequences);
        Assert.Equal(5, e.Incarnation);
    }

    [Theory]
    [InlineData("95 04 04 a4 64657631 01 91 90", "schema_version 4")]          // version 4 not readable (this build writes 3)
    [InlineData("95 01 09 a4 64657631 01 91 90", "message_type 9")]            // unknown type
    [InlineData("95 01 04 a4 64657631 00 91 90", "sequence 0")]                // sequences are 1-based
    [InlineData("95 01 04 a0 01 91 90", "device_id is empty")]
    [InlineData("94 01 04 a4 64657631 01", "at least 5")]                      // missing body
    [InlineData("95 01 04 a4 64657631 01 91 90 c0", "trailing")]              // extra byte after envelope
    [InlineData("95 01 02 a4 64657631 01 98 a1 61 a1 62 01 cb0000000000000000 cb0000000000000000 07 a1 7a 90", "severity: 7")]
    public void TryDecode_InvalidEnvelope_ReturnsFalseWithReason(string hex, string reasonPart)
    {
        Assert.False(WireCodec.TryDecode(Hex(hex), out _, out string? error));
        Assert.Contains(reasonPart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_BodyOfWrongType_Throws()
    {
        var e = new Envelope(WireCodec.SchemaVersion, MessageType.Summary, "dev1", 1, new Ack());

        var ex = Assert.Throws<ArgumentException>(() => WireCodec.Encode(e));
        Assert.Contains("Ack", ex.Message, StringComparison.Ordinal);
    }
}
