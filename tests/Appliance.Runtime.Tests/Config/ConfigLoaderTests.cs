namespace Appliance.Runtime.Tests.Config;

/// <summary>
/// Schema validation and the devices/ID.toml merge. Expected messages follow the format the GitOps issue specifies
/// (<c>devices/pump-7.toml:12: sensor 'vib' rate_hz = 0: must be between 0.1 and 10000</c>); line numbers are those of
/// the TOML texts below (TOML 1.0: one key/value pair per line).
/// </summary>
public sealed class ConfigLoaderTests
{
    private static readonly string Root = TestToml.EnvSensorHead.Replace("id = \"d\"", "id = \"fleet-default\"", StringComparison.Ordinal)
        .Replace("name = \"env\"", "name = \"vib\"", StringComparison.Ordinal) + TestToml.Tail + "\n";

    [Fact]
    public void Parse_OverrideSetsRateZero_ErrorNamesOverrideFileAndLine()
    {
        // Eleven lines of comments, then the offending key on line 12, as in the example.
        var over = string.Concat(Enumerable.Repeat("# pump 7 override\n", 9)) + "[[sensor]]\nname = \"vib\"\nrate_hz = 0\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Root, "appliance.toml", over, "devices/pump-7.toml", checkBuses: false));
        Assert.Equal("devices/pump-7.toml:12: sensor 'vib' rate_hz = 0: must be between 0.1 and 10000", e.Message);
    }

    [Fact]
    public void Parse_OverrideChangesRate_MergedOverRoot()
    {
        var c = ConfigLoader.Parse(Root, "appliance.toml", "[[sensor]]\nname = \"vib\"\nrate_hz = 25\n[window]\nlength = \"2s\"\n", "devices/pump-7.toml", checkBuses: false);
        Assert.Single(c.Sensors);
        Assert.Equal(25, c.Sensors[0].RateHz);
        Assert.Equal("bme280", c.Sensors[0].ChipName);
        Assert.Equal(TimeSpan.FromSeconds(2), c.Window.Length);
        Assert.Equal(TimeSpan.FromSeconds(30), c.GitOps.Interval);
    }

    [Fact]
    public void Parse_OverrideAddsSensor_Appended()
    {
        var c = ConfigLoader.Parse(Root, "appliance.toml", "[[sensor]]\nname = \"env2\"\nchip = \"bme280\"\nbus = \"emulated:bme280\"\naddress = 0x77\nrate_hz = 5\n", "devices/a.toml", checkBuses: false);
        Assert.Equal(["vib", "env2"], c.Sensors.Select(s => s.Name));
        Assert.Equal(0x77, c.Sensors[1].Address);
    }

    [Fact]
    public void Parse_UnknownKeyInOverride_ErrorNamesOverrideLine()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Root, "appliance.toml", "[window]\nlength = \"1s\"\nlenght = \"2s\"\n", "devices/a.toml", checkBuses: false));
        Assert.StartsWith("devices/a.toml:3: [window] lenght: unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SensorTablesSplitByOtherTable_RefusedNotDropped()
    {
        // Valid TOML 1.0, but Tomlyn 2.10's document model keeps only the last run: refused with the line, never a lost sensor.
        var text = Root + "[[sensor]]\nname = \"vib2\"\nchip = \"bme280\"\nbus = \"emulated:bme280\"\nrate_hz = 1\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "appliance.toml"));
        Assert.StartsWith("appliance.toml:19: [[sensor]]: write the [[sensor]] tables one after another", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateSensorName_ErrorNamesSecond()
    {
        var text = Root.Replace("[window]", "[[sensor]]\nname = \"vib\"\nchip = \"bme280\"\nbus = \"emulated:bme280\"\nrate_hz = 1\n\n[window]", StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "appliance.toml"));
        Assert.Equal("appliance.toml:11: [sensor] name: sensor 'vib' is defined twice (sensor names must be unique)", e.Message);
    }

    [Fact]
    public void Parse_BusAbsentOnDevice_ErrorNamesBus()
    {
        var text = Root.Replace("emulated:bme280", "i2c:97", StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "appliance.toml", null, null, checkBuses: true));
        Assert.Equal("appliance.toml:7: [sensor] bus: sensor 'vib' bus = 'i2c:97': the bus does not exist on this device (/dev/i2c-97 not found)", e.Message);
    }

    [Fact]
    public void Parse_InvalidTomlInOverride_ErrorNamesOverrideLine()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Root, "appliance.toml", "[window]\nlength = \"1s\n", "devices/a.toml", checkBuses: false));
        Assert.StartsWith("devices/a.toml:2: invalid TOML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TenMegabyteFile_Refused()
    {
        var text = Root + "# " + new string('x', 10 << 20) + "\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "appliance.toml"));
        Assert.Contains("larger than the 1048576 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IntervalBelowOneSecond_Refused()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Root.Replace("\"30s\"", "\"10ms\"", StringComparison.Ordinal), "appliance.toml"));
        Assert.Equal("appliance.toml:18: [gitops] interval: 10ms: must be between 1s and 1d", e.Message);
    }

    [Fact]
    public void Parse_DefaultConfig_IsValid()
    {
        var c = ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml");
        Assert.Equal("demo-1", c.Device.Id);
        Assert.Equal(TimeSpan.FromSeconds(30), c.GitOps.Interval);
    }
}
