using Appliance.Kernels.Spectral;

namespace Appliance.Runtime.Tests.Config;

// The [[sensor]] key spectral = { size, window, bands, envelope, envelope_hz, channels } (issue 21 item 2): read into
// SpectralSettings; every refusal names the file, the line, sensor.spectral.KEY and what was expected.
public sealed class SpectralConfigTests
{
    // Lines: 1 [device], 2 id, 3 [[sensor]], 4 name, 5 chip, 6 bus, 7 rate_hz, 8 spectral.
    private const string Head = "[device]\nid = \"d\"\n[[sensor]]\nname = \"vib\"\nchip = \"adxl345\"\nbus = \"emulated:adxl345\"\nrate_hz = 3200\n";

    private static ApplianceConfig Parse(string spectral) => ConfigLoader.Parse(Head + "spectral = " + spectral + "\n" + TestToml.Tail, "appliance.toml");

    [Fact]
    public void Parse_FullTable_ReadsEveryKey()
    {
        var s = Parse("""{ size = 1024, window = "none", bands = [[10, 100], [100.5, 500]], envelope = true, envelope_hz = 87.3, channels = ["accel_x_ms2", "accel_z_ms2"] }""").Sensors[0].Spectral!;

        Assert.Equal(1024, s.Options.Size);
        Assert.Equal(WindowFunction.None, s.Options.Window);
        Assert.Equal([(10.0, 100.0), (100.5, 500.0)], s.Options.Bands);
        Assert.True(s.Options.Envelope);
        Assert.Equal(87.3, s.Options.EnvelopeHz);
        Assert.True(s.Covers("accel_z_ms2"));
        Assert.False(s.Covers("accel_y_ms2"));
    }

    [Fact]
    public void Parse_Defaults_HannNoBandsAllChannels()
    {
        var s = Parse("{ size = 2048 }").Sensors[0].Spectral!;

        Assert.Equal(WindowFunction.Hann, s.Options.Window);
        Assert.Empty(s.Options.Bands);
        Assert.False(s.Options.Envelope);
        Assert.Null(s.Channels);
        Assert.Null(ConfigLoader.Parse(Head + TestToml.Tail, "appliance.toml").Sensors[0].Spectral);
    }

    [Theory]
    [InlineData("{ size = 1000 }", "spectral.size: expected a power of two")]
    [InlineData("{ size = 4096 }", "spectral.size: a window of 1 s at 3200 Hz holds 3200 samples, fewer than size = 4096")]
    [InlineData("{ size = 1024, window = \"hamming\" }", "spectral.window = 'hamming': expected \"hann\" or \"none\"")]
    [InlineData("{ size = 1024, bands = [[100, 10]] }", "spectral.bands[0]: expected [low, high] with 0 <= low < high <= 1600 Hz")]
    [InlineData("{ size = 1024, bands = [[10, 100], [50, 1601]] }", "spectral.bands[1]")]
    [InlineData("{ size = 1024, bands = [[100, 200], [10, 50]] }", "spectral.bands[1]: expected bands in ascending order")]
    [InlineData("{ size = 1024, bands = [10, 100] }", "spectral.bands[0]: expected a pair [low, high]")]
    [InlineData("{ size = 1024, envelope_hz = 87.3 }", "spectral.envelope_hz: needs envelope = true")]
    [InlineData("{ size = 1024, envelope = true, envelope_hz = 2000 }", "spectral.envelope_hz: expected a frequency above 0 and below 1600 Hz")]
    [InlineData("{ size = 1024, channels = [\"x\"] }", "spectral.channels: 'x' is not a channel of this sensor (expected some of: accel_x_ms2, accel_y_ms2, accel_z_ms2)")]
    [InlineData("{ size = 1024, sizes = 3 }", "unknown key")]
    public void Parse_BadValue_RefusedNamingTheKey(string spectral, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(spectral));

        Assert.StartsWith("appliance.toml:8:", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
