namespace Appliance.Runtime.Tests.Config;

// The [[alarm]] table as agreed between the alarm and image branches (name, bus gpio:N | emulated:gpio, line, sensors,
// active high|low, hold default 5s). Every refusal names the file, the line of the offending key, and what was expected.
public sealed class AlarmConfigTests
{
    private const string Head = TestToml.EnvSensorHead + """

        [[sensor]]
        name = "flow"
        chip = "pulse"
        bus = "gpio:0"
        line = 17
        rate_hz = 1

        """;

    private const string Tail = TestToml.Tail;

    // Line numbers below count from the first line of Head: its 15 lines, then the alarm tables.
    private static ApplianceConfig Parse(string alarms) => ConfigLoader.Parse(Head + alarms + Tail, "appliance.toml");

    [Fact]
    public void Parse_EveryKey_ReadsThemAndDefaults()
    {
        var config = Parse("""
            [[alarm]]
            name = "relay"
            bus = "gpio:0"
            line = 4
            sensors = ["env", "flow"]
            active = "low"
            hold = "2.5s"

            [[alarm]]
            name = "lamp"
            bus = "emulated:gpio"
            line = 17
            """);

        Assert.Equal(2, config.Alarms!.Count);
        var relay = config.Alarms[0];
        Assert.Equal(("relay", "gpio:0", 4, true, TimeSpan.FromSeconds(2.5)), (relay.Name, relay.Bus.ToString(), relay.Line, relay.ActiveLow, relay.Hold));
        Assert.Equal(["env", "flow"], relay.Sensors);
        var lamp = config.Alarms[1];
        Assert.Equal((false, TimeSpan.FromSeconds(5)), (lamp.ActiveLow, lamp.Hold));
        Assert.Empty(lamp.Sensors); // absent: alerts from any sensor
    }

    [Fact]
    public void Parse_NoAlarmTable_EmptyList()
    {
        Assert.Empty(Parse(string.Empty).Alarms!);
    }

    [Fact]
    public void Parse_EmbeddedDefault_HasLampOnEmulatedGpioRaisedByEnv()
    {
        var config = ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml");

        var lamp = Assert.Single(config.Alarms!);
        Assert.Equal(("lamp", "emulated:gpio", 17), (lamp.Name, lamp.Bus.ToString(), lamp.Line));
        Assert.Equal(["env"], lamp.Sensors);
    }

    [Theory]
    [InlineData("sensors = [\"env\", \"vib\"]", 20, "sensors", "'vib' is not a configured sensor (expected names of [[sensor]] tables: env, flow)")]
    [InlineData("line = -1", 19, "line", "line = -1: must be between 0 and 1023")]
    [InlineData("line = 1024", 19, "line", "line = 1024: must be between 0 and 1023")]
    [InlineData("hold = \"soon\"", 20, "hold", "'soon' is not a duration")]
    [InlineData("hold = \"5ms\"", 20, "hold", "must be between 10ms and 1d")]
    [InlineData("active = \"on\"", 20, "active", "expected \"high\" or \"low\"")]
    [InlineData("sensors = \"env\"", 20, "sensors", "is not an array")]
    [InlineData("colour = \"red\"", 20, "colour", "unknown key")]
    public void Parse_BadKey_RefusedWithFileLineAndKey(string extra, int line, string key, string expected)
    {
        var body = "[[alarm]]\nname = \"relay\"\nbus = \"emulated:gpio\"\n" + (extra.StartsWith("line", StringComparison.Ordinal) ? extra : "line = 4\n" + extra) + "\n";

        var e = Assert.Throws<ConfigException>(() => Parse(body));

        Assert.StartsWith($"appliance.toml:{line}:", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateName_RefusedAtSecondName()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("""
            [[alarm]]
            name = "relay"
            bus = "emulated:gpio"
            line = 4

            [[alarm]]
            name = "relay"
            bus = "emulated:gpio"
            line = 5
            """));

        Assert.StartsWith("appliance.toml:22:", e.Message, StringComparison.Ordinal);
        Assert.Contains("alarm 'relay' is defined twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("i2c:1", "an alarm drives a GPIO line (expected gpio:N for /dev/gpiochipN, or emulated:gpio)")]
    [InlineData("emulated:bme280", "an alarm drives a GPIO line")]
    [InlineData("gpio", "expected i2c:N, spi:B.C, gpio:N")]
    public void Parse_BusNotGpio_Refused(string bus, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse($"[[alarm]]\nname = \"relay\"\nbus = \"{bus}\"\nline = 4\n"));

        Assert.StartsWith("appliance.toml:18:", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingLine_RefusedNamingKey()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[[alarm]]\nname = \"relay\"\nbus = \"emulated:gpio\"\n"));

        Assert.Contains("alarm 'relay'", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected line = N", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LineOfPulseSensorOrOtherAlarm_Refused()
    {
        var pulse = Assert.Throws<ConfigException>(() => Parse("[[alarm]]\nname = \"relay\"\nbus = \"gpio:0\"\nline = 17\n"));
        var twice = Assert.Throws<ConfigException>(() => Parse("[[alarm]]\nname = \"a\"\nbus = \"gpio:0\"\nline = 4\n[[alarm]]\nname = \"b\"\nbus = \"gpio:0\"\nline = 4\n"));

        Assert.Contains("sensor 'flow' reads that line of gpio:0", pulse.Message, StringComparison.Ordinal);
        Assert.Contains("alarm 'a' drives that line of gpio:0 already", twice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CheckBusesGpioChipAbsent_RefusedNamingDeviceNode()
    {
        // gpiochip977 does not exist on any machine this runs on (the kernel numbers chips from 0, one per controller).
        var text = Head.Replace("bus = \"gpio:0\"", "bus = \"emulated:pulse\"", StringComparison.Ordinal)
            + "[[alarm]]\nname = \"relay\"\nbus = \"gpio:977\"\nline = 4\n" + Tail;

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "appliance.toml", null, null, checkBuses: true));

        Assert.StartsWith("appliance.toml:18:", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/gpiochip977 not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverrideAlarmWithSameName_ReplacesItsKeysOnly()
    {
        var root = Head + "[[alarm]]\nname = \"relay\"\nbus = \"emulated:gpio\"\nline = 4\nhold = \"2s\"\n" + Tail;

        var config = ConfigLoader.Parse(root, "appliance.toml", "[[alarm]]\nname = \"relay\"\nactive = \"low\"\n", "devices/d.toml", checkBuses: false);

        var relay = Assert.Single(config.Alarms!);
        Assert.Equal((4, true, TimeSpan.FromSeconds(2)), (relay.Line, relay.ActiveLow, relay.Hold));
    }
}
