using static Appliance.Runtime.Tests.Uplink.WireSamples;

namespace Appliance.Runtime.Tests.Uplink;

/// <summary>
/// Pins the exact bytes of each message type. Every expected byte is derived by hand from the MessagePack
/// spec (https://github.com/msgpack/msgpack/blob/master/spec.md): fixarray 0x90|n, positive fixint 0x00-0x7f,
/// fixstr 0xa0|len, str8 0xd9 len, uint16 0xcd, uint64 0xcf (big-endian), float64 0xcb (IEEE 754 big-endian),
/// fixmap 0x80|n, float32 0xca (IEEE 754 binary32 big-endian). Float bit patterns from IEEE 754-2008 binary64
/// (e.g. 1.5 = 0x3FF8000000000000) and binary32 (sign, 8-bit exponent biased by 127, 23-bit fraction: 1.5 = 0x3FC00000).
/// </summary>
public sealed class WireCodecGoldenTests
{
    // Schema 2: the 12-item features array for WireSamples.Features, floats as float32 (each value is exact in binary32).
    private const string FeaturesHex =
        "9c" + "03" + "00"           // fixarray(12), count 3, nan_count 0
        + "ca3f800000"               // min 1.0    = 2^0:  exponent 127 = 0x7f -> 0 01111111 000.. = 0x3F800000
        + "ca40000000"               // max 2.0    = 2^1:  exponent 128        -> 0x40000000
        + "ca3fc00000"               // mean 1.5   = 1.1b x 2^0                -> 0x3FC00000
        + "ca3f000000"               // m2 0.5     = 2^-1: exponent 126        -> 0x3F000000
        + "ca00000000"               // m3 0.0                                 -> 0x00000000
        + "ca3e000000"               // m4 0.125   = 2^-3: exponent 124        -> 0x3E000000
        + "ca40e80000"               // sum of squares 7.25 = 1.1101b x 2^2: exponent 129, fraction 1101 -> 0x40E80000
        + "ca3f800000"               // first 1.0
        + "ca40000000"               // last 2.0
        + "00";                      // zero crossings 0

    // Schema 1 (float64 everywhere), kept to pin that this build still reads journals and devices of the previous version.
    private const string FeaturesHexV1 =
        "9c" + "03" + "00"           // fixarray(12), count 3, nan_count 0
        + "cb3ff0000000000000"       // min 1.0
        + "cb4000000000000000"       // max 2.0
        + "cb3ff8000000000000"       // mean 1.5
        + "cb3fe0000000000000"       // m2 0.5
        + "cb0000000000000000"       // m3 0.0
        + "cb3fc0000000000000"       // m4 0.125
        + "cb401d000000000000"       // sum of squares 7.25
        + "cb3ff0000000000000"       // first 1.0
        + "cb4000000000000000"       // last 2.0
        + "00";                      // zero crossings 0

    // A schema 1 summary exactly as the previous build wrote it (window end, not length; float64 features).
    private const string SummaryV1Hex =
        "95 01 01 a4 64657631 07"                    // fixarray(5), schema 1, type 1, fixstr "dev1", seq 7
        + "95"                                       // body fixarray(5)
        + "a8 626d653238302d30"                      // "bme280-0"
        + "a8 7072657373757265"                      // "pressure"
        + "cf 17979cfe362a0000"                      // uint64 1.7e18
        + "cf 17979cfe71c4ca00"                      // uint64 1.7e18 + 1e9 (window end)
        + FeaturesHexV1;

    [Fact]
    public void Encode_Summary_MatchesGoldenBytes()
    {
        string expected =
            "95 03 01 a4 64657631 07"                // fixarray(5), schema 3, type 1, fixstr "dev1", seq 7
            + "95"                                   // body fixarray(5): no spectral item, the schema 2 body byte for byte
            + "a8 626d653238302d30"                  // "bme280-0"
            + "a8 7072657373757265"                  // "pressure"
            + "cf 17979cfe362a0000"                  // uint64 1.7e18 (window start)
            + "ce 3b9aca00"                          // uint32 1e9 = 0x3B9ACA00 (window length)
            + FeaturesHex;

        byte[] frame = WireCodec.Encode(Envelope.Create("dev1", 7, SampleSummary()));

        Assert.Equal(Hex(expected), frame);
        Assert.Equal(0x95, frame[0]); // fixarray of 5 (spec: 1001xxxx)
        Assert.Equal(0xa4, frame[3]); // fixstr of 4 (spec: 101xxxxx)
    }

    // A schema 2 summary exactly as the previous build wrote it (window length, float32 features, 5 items).
    private const string SummaryV2Hex =
        "95 02 01 a4 64657631 07" + "95 a8 626d653238302d30 a8 7072657373757265 cf 17979cfe362a0000 ce 3b9aca00" + FeaturesHex;

    // Schema 3 item [5]: [dominant_hz 87.5, dominant_amplitude 0.5, centroid_hz 250, kurtosis 3, envelope 0.25, [1.5, 2]].
    private const string SpectralHex =
        "96"                                         // fixarray(6)
        + "ca42af0000"                               // 87.5 = 1.0101111b x 2^6: exponent 133 = 0x85 -> 0x42AF0000
        + "ca3f000000"                               // 0.5
        + "ca437a0000"                               // 250 = 1.1111010b x 2^7: exponent 134 -> 0x437A0000
        + "ca40400000"                               // 3.0 = 1.1b x 2^1 -> 0x40400000
        + "ca3e800000"                               // 0.25 = 2^-2: exponent 125 -> 0x3E800000
        + "92 ca3fc00000 ca40000000";                // fixarray(2): band RMS 1.5, 2.0

    [Fact]
    public void TryDecode_SchemaTwoSummaryGoldenBytes_StillDecodesWithoutSpectral()
    {
        Assert.True(WireCodec.TryDecode(Hex(SummaryV2Hex), out Envelope e, out string? error), error);

        Assert.Equal(2, e.SchemaVersion);
        var s = Assert.IsType<Summary>(e.Body);
        Assert.Equal(StartNs + 1_000_000_000, s.WindowEndNs);
        Assert.Equal(Features, s.Features);
        Assert.Null(s.Spectral);
    }

    [Fact]
    public void Encode_SummaryWithSpectral_SixItemsSpectralLastAsFloat32()
    {
        var spectral = new SpectralSummary { DominantHz = 87.5f, DominantAmplitude = 0.5f, CentroidHz = 250f, Kurtosis = 3f, EnvelopeAmplitude = 0.25f, BandRms = new[] { 1.5f, 2f } };
        Summary summary = SpectralSummaryOf(StartNs, spectral);
        string expected = "95 03 01 a4 64657631 07" + "96" + SummaryV2Hex.Replace(" ", "", StringComparison.Ordinal)[20..] + SpectralHex;

        byte[] frame = WireCodec.Encode(Envelope.Create("dev1", 7, summary));

        Assert.Equal(Hex(expected), frame);
        Assert.True(WireCodec.TryDecode(frame, out Envelope back, out string? error), error);
        var got = Assert.IsType<Summary>(back.Body).Spectral!.Value;
        Assert.Equal((87.5f, 0.5f, 250f, 3f, 0.25f), (got.DominantHz, got.DominantAmplitude, got.CentroidHz, got.Kurtosis, got.EnvelopeAmplitude));
        Assert.Equal(new[] { 1.5f, 2f }, got.BandRms.ToArray());
    }

    [Fact]
    public void TryDecode_SchemaTwoSummaryWithASixthItem_SkipsItAsUnknown()
    {
        // Under schema 2 item [5] had no meaning: a reader skips it rather than reading it as spectral features.
        string hex = "95 02 01 a4 64657631 07" + "96" + SummaryV2Hex.Replace(" ", "", StringComparison.Ordinal)[20..] + SpectralHex;
        Assert.True(WireCodec.TryDecode(Hex(hex), out Envelope e, out string? error), error);
        Assert.Null(((Summary)e.Body).Spectral);
    }

    [Fact]
    public void TryDecode_SchemaOneSummaryGoldenBytes_ReadsEndAndFloat64Features()
    {
        Assert.True(WireCodec.TryDecode(Hex(SummaryV1Hex), out Envelope e, out string? error), error);

        Assert.Equal(1, e.SchemaVersion);
        var s = Assert.IsType<Summary>(e.Body);
        Assert.Equal(StartNs, s.WindowStartNs);
        Assert.Equal(StartNs + 1_000_000_000, s.WindowEndNs);
        Assert.Equal(Features, s.Features);
    }

    [Fact]
    public void TryDecode_SchemaOneSummaryWithNewerTrailingItems_SkipsThem()
    {
        // fixarray(5) -> fixarray(8): the incarnation (item [5], 7) and two unknown trailing items (nil, "x") after it, as a
        // newer writer might add. (Before incarnations, item [5] itself was the unknown one.)
        string hex = "98" + SummaryV1Hex.Replace(" ", "", StringComparison.Ordinal)[2..] + "07 c0 a178";

        Assert.True(WireCodec.TryDecode(Hex(hex), out Envelope e, out string? error), error);
        Assert.Equal(StartNs + 1_000_000_000, ((Summary)e.Body).WindowEndNs);
        Assert.Equal(7, e.Incarnation);
    }

    [Fact]
    public void Encode_FeatureOutsideFloat32Range_WritesFloat64()
    {
        // 1e300 overflows binary32 (max 3.4028235e38), 1e-40 is subnormal in binary32: both keep 0xcb + 8 bytes.
        Summary s = SampleSummary();
        byte[] frame = WireCodec.Encode(Envelope.Create("dev1", 7, new Summary
        {
            Sensor = s.Sensor, Channel = s.Channel, WindowStartNs = s.WindowStartNs, WindowEndNs = s.WindowEndNs,
            Features = Features with { M4 = 1e300, M3 = 1e-40 },
        }));

        // 1e300 = 0x7E37E43C8800759C (IEEE 754 binary64), 1e-40 = 0x37A16C262777579C.
        string hex = Convert.ToHexStringLower(frame);
        Assert.Contains("cb37a16c262777579c" + "cb7e37e43c8800759c", hex, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_Alert_MatchesGoldenBytes()
    {
        string expected =
            "95 03 02 a4 64657631 08"
            + "98"                                   // body fixarray(8)
            + "a8 626d653238302d30 a8 7072657373757265"
            + "cf 17979cfe71c4ca00"                  // time_ns
            + "cb 400e000000000000"                  // score 3.75
            + "cb 4004000000000000"                  // threshold 2.5
            + "02"                                   // severity critical
            + "a6 7a73636f7265"                      // "zscore"
            + FeaturesHex;

        Assert.Equal(Hex(expected), WireCodec.Encode(Envelope.Create("dev1", 8, SampleAlert)));
    }

    [Fact]
    public void Encode_WithIncarnation_SixItemsTheIncarnationLastInItsShortestForm()
    {
        // Journal incarnation (docs/uplink.md): item [5], a uint in its shortest MessagePack form (0xcf + 8 bytes big-endian
        // for 2^63-1); without one the frame is the five-item golden frame above, byte for byte.
        byte[] five = WireCodec.Encode(Envelope.Create("dev1", 8, SampleAlert));
        byte[] six = WireCodec.Encode(Envelope.Create("dev1", 8, SampleAlert, incarnation: long.MaxValue));

        Assert.Equal(Hex("96"), six[..1]);
        Assert.Equal(five[1..], six[1..^9]);
        Assert.Equal(Hex("cf 7fffffffffffffff"), six[^9..]);
        Assert.True(WireCodec.TryReadIncarnation(six, out long incarnation));
        Assert.Equal(long.MaxValue, incarnation);
        Assert.True(WireCodec.TryReadIncarnation(five, out incarnation));
        Assert.Equal(0, incarnation);
        Assert.False(WireCodec.TryDecode(Hex("96 02 04 a4 64657631 01 91 90 d0 ff"), out _, out string? error)); // -1
        Assert.Contains("incarnation", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_Heartbeat_MatchesGoldenBytesWithSortedCounters()
    {
        string expected =
            "95 03 03 a4 64657631 09"
            + "99"                  // body fixarray(9)
            + "cd 03e8"             // uptime 1000 as uint16
            + "a3 435055"           // "CPU"
            + "a3 616263"           // "abc"
            + "82 01 05 02 cd012c"  // fixmap(2) {1: 5, 2: 300}, keys ascending although inserted 2 then 1
            + "a0 a0 a0 a0"         // config_state, config_error, model_id, model_rejection: empty fixstr
            + "90";                 // sensors: empty fixarray

        Assert.Equal(Hex(expected), WireCodec.Encode(Envelope.Create("dev1", 9, SampleHeartbeat)));
    }

    [Fact]
    public void Encode_HeartbeatWithDegradedSensor_MatchesGoldenBytes()
    {
        var h = new Heartbeat
        {
            UptimeMs = 1000, ExecutionProvider = "CPU", ConfigRevision = "abc", ConfigState = "applied",
            Counters = new Dictionary<int, long> { [(int)HeartbeatCounter.Retransmits] = 3 },
            Sensors = [new SensorReport { Name = "env", Health = "degraded", Reason = "nack", Faults = 12, RateHz = 99.5, JitterP50Us = 120.25 }],
        };
        string expected =
            "95 03 03 a4 64657631 09 99 cd03e8 a3435055 a3616263"
            + "81 07 03"                   // fixmap(1) {7 (retransmits): 3}
            + "a7 6170706c696564"          // "applied"
            + "a0 a0 a0"                   // no config error, no model id, no model rejection
            + "91 97"                      // one sensor, fixarray(7)
            + "a3 656e76"                  // "env"
            + "a8 6465677261646564"        // "degraded"
            + "a4 6e61636b 0c"             // "nack", 12 faults
            + "ca 42c70000"                // 99.5 = 1.1000111b x 2^6: exponent 133 = 0x85 -> 0x42C70000 (binary32)
            + "ca 42f08000"                // 120.25 = 1.11100001b x 2^6 -> 0x42F08000
            + "ca 00000000";               // 0.0

        Assert.Equal(Hex(expected), WireCodec.Encode(Envelope.Create("dev1", 9, h)));
    }

    [Fact]
    public void TryDecode_SchemaOneHeartbeatGoldenBytes_ReadsWithEmptyHealth()
    {
        // The previous build's heartbeat: 4 items, no health.
        string v1 = "95 01 03 a4 64657631 09 94 cd03e8 a3435055 a3616263 82 01 05 02 cd012c";

        Assert.True(WireCodec.TryDecode(Hex(v1), out Envelope e, out string? error), error);

        var h = Assert.IsType<Heartbeat>(e.Body);
        Assert.Equal(1000, h.UptimeMs);
        Assert.Equal("abc", h.ConfigRevision);
        Assert.Equal(300, h.Counters[2]);
        Assert.Equal("", h.ConfigState);
        Assert.Empty(h.Sensors);
    }

    [Fact]
    public void TryDecode_SchemaTwoHeartbeatMissingHealthItems_ReturnsFalse()
    {
        // Schema 2 promises 9 items; a 4-item body under version 2 is malformed, not silently empty.
        string hex = "95 03 03 a4 64657631 09 94 cd03e8 a3435055 a3616263 80";

        Assert.False(WireCodec.TryDecode(Hex(hex), out _, out string? error));
        Assert.Contains("at least 9", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_Ack_MatchesGoldenBytes()
    {
        string expected = "95 03 04 a4 64657631 01" + "91 93 01 02 cd012c"; // body [[1, 2, 300]]

        Assert.Equal(Hex(expected), WireCodec.Encode(Envelope.Create("dev1", 1, new Ack { Sequences = [1, 2, 300] })));
    }

    [Fact]
    public void Encode_Command_MatchesGoldenBytes()
    {
        string expected = "95 03 05 a4 64657631 02" + "92 01 91 a4 6d61696e"; // body [1 (PullConfig), ["main"]]

        Assert.Equal(
            Hex(expected),
            WireCodec.Encode(Envelope.Create("dev1", 2, new Command { Kind = CommandKind.PullConfig, Arguments = ["main"] })));
    }

    [Fact]
    public void Encode_DeviceIdOf40Chars_UsesStr8Header()
    {
        string id = new('d', 40);

        byte[] frame = WireCodec.Encode(Envelope.Create(id, 1, new Ack()));

        // Spec: fixstr holds up to 31 bytes; 32..255 bytes take str8 = 0xd9, then a 1-byte length.
        Assert.Equal(0xd9, frame[3]);
        Assert.Equal(40, frame[4]);
    }

    [Fact]
    public void Encode_SequenceAbove65535_UsesUint32()
    {
        byte[] frame = WireCodec.Encode(Envelope.Create("d", 70_000, new Ack()));

        // Spec: uint32 = 0xce then 4 bytes big-endian; 70000 = 0x00011170. Layout: 95 03 04 a1 64 ce ...
        Assert.Equal(Hex("ce 00011170"), frame[5..10]);
    }
}
