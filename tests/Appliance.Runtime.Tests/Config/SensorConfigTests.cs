namespace Appliance.Runtime.Tests.Config;

// The [[sensor]] keys the drivers issue adds (chips ads1115, mcp3008, adxl345, pulse; buses spi:B.C and gpio:N; line; channels;
// bus fault kinds for emulated chips). Every refusal names the file, the line and the key.
public sealed class SensorConfigTests
{
    internal const string Tail = TestToml.Tail;

    private static ApplianceConfig Parse(string sensors) => ConfigLoader.Parse("[device]\nid = \"d\"\n" + sensors + Tail, "appliance.toml");

    [Fact]
    public void Parse_EveryNewChipOnItsBus_ReadsLineChannelsAndDefaults()
    {
        var config = Parse("""
            [[sensor]]
            name = "adc"
            chip = "ads1115"
            bus = "i2c:1"
            channels = "ain0, ain0-ain1"
            rate_hz = 100

            [[sensor]]
            name = "pots"
            chip = "mcp3008"
            bus = "spi:0.0"
            channels = "0,7"
            rate_hz = 1000

            [[sensor]]
            name = "vib"
            chip = "adxl345"
            bus = "spi:0.1"
            rate_hz = 3200

            [[sensor]]
            name = "flow"
            chip = "pulse"
            bus = "gpio:0"
            line = 17
            rate_hz = 1

            [[sensor]]
            name = "emu"
            chip = "mcp3008"
            bus = "emulated:mcp3008"
            rate_hz = 1000
            fault = "nack:2s+1s"
            """);

        Assert.Equal(["ain0", "ain0-ain1"], config.Sensors[0].Channels);
        Assert.Equal(0x48, config.Sensors[0].Address); // ADS1115 with ADDR to GND (TI SBAS444D table 4)
        Assert.Equal(["0", "7"], config.Sensors[1].Channels);
        Assert.Equal(17, config.Sensors[3].Line);
        Assert.Equal(-1, config.Sensors[2].Line);
        Assert.Equal(new FaultSettings(FaultKind.Nack, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), config.Sensors[4].Fault);
    }

    // Lines: 1 [device], 2 id, 3 [[sensor]], 4 name, 5 chip, 6 bus, 7 rate_hz, 8 the next key.
    [Theory]
    [InlineData("chip = \"adxl345\"\nbus = \"i2c:1\"\nrate_hz = 10", 6, "bus", "expected spi:0.0 or emulated:adxl345")]
    [InlineData("chip = \"pulse\"\nbus = \"gpio:0\"\nrate_hz = 10", 0, "line", "needs line = N")]
    [InlineData("chip = \"ads1115\"\nbus = \"i2c:1\"\nrate_hz = 10\nchannels = \"ain4\"", 8, "channels", "'ain4' is not a ads1115 input")]
    [InlineData("chip = \"adxl345\"\nbus = \"spi:0.0\"\nrate_hz = 6400", 7, "rate_hz", "at most 3200")]
    [InlineData("chip = \"mcp3008\"\nbus = \"emulated:ads1115\"\nrate_hz = 10", 6, "bus", "expected emulated:mcp3008")]
    [InlineData("chip = \"mcp3008\"\nbus = \"spi:0.0\"\nrate_hz = 10\nfault = \"nack:1s+1s\"", 8, "fault", "emulated chips only")]
    [InlineData("chip = \"mcp3008\"\nbus = \"spi:0\"\nrate_hz = 10", 6, "bus", "expected spi:B.C")]
    public void Parse_WrongCombination_RefusedWithLineAndKey(string body, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[[sensor]]\nname = \"s\"\n" + body + "\n"));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        if (line > 0)
        {
            Assert.Contains($"appliance.toml:{line}", e.Message, StringComparison.Ordinal);
        }
    }
}
