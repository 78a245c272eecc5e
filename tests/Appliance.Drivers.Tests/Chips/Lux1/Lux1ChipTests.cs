namespace Appliance.Drivers.Tests.Chips.Lux1;

// "Adding a chip touches one folder": the lux1 chip of this folder is known by name to the configuration loader, the sensor
// factory and the probe without any other file naming it. Expected values: lux = code / 2 (the chip's definition above);
// 1000 → 500 lx, 0x1234 = 4660 → 2330 lx.
public sealed class Lux1ChipTests
{
    private const string Tail = "\n[window]\nlength = \"1s\"\n\n[uplink]\nendpoint = \"tcp://127.0.0.1:5556\"\n\n[gitops]\nbranch = \"main\"\ninterval = \"30s\"\n";

    private static ApplianceConfig Parse(string sensor) =>
        ConfigLoader.Parse("[device]\nid = \"d\"\n[[sensor]]\nname = \"light\"\nchip = \"lux1\"\n" + sensor + Tail, "appliance.toml");

    [Fact]
    public void Registry_Lux1_KnownByNameWithItsBusAndChannel()
    {
        Assert.True(ChipRegistry.TryGet("lux1", out var chip));
        Assert.Same(Lux1Chip.Instance, chip);
        Assert.Equal(BusKind.I2c, chip.Bus);
        Assert.Equal(["illuminance_lx"], chip.ChannelsFor([]));
        Assert.Contains("lux1", ChipRegistry.Names, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_Lux1OnI2c_ParsedToItsDescriptorWithDefaultAddress()
    {
        var config = Parse("bus = \"i2c:1\"\nrate_hz = 5\n");

        var s = config.Sensors[0];
        Assert.Same(Lux1Chip.Instance, s.Chip);
        Assert.Equal(new BusSpec(BusKind.I2c, 1, -1, string.Empty), s.Bus);
        Assert.Equal(0x23, s.Address);
    }

    [Theory]
    [InlineData("bus = \"spi:0.0\"\nrate_hz = 5\n", 6, "bus", "expected i2c:1 or emulated:lux1")]
    [InlineData("bus = \"i2c:1\"\nrate_hz = 20\n", 7, "rate_hz", "a lux1 delivers at most 10 samples per second")]
    [InlineData("bus = \"i2c:1\"\nrate_hz = 5\nchannels = \"0\"\n", 8, "channels", "only ads1115 and mcp3008 sensors take channels")]
    [InlineData("bus = \"i2c:1\"\nrate_hz = 5\nfault = \"nack:1s+1s\"\n", 8, "fault", "emulated chips only")]
    public void Loader_Lux1WrongCombination_RefusedWithLineAndKey(string body, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(body));

        Assert.Contains($"appliance.toml:{line}", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_EmulatedLux1FromConfig_ReadsCodeOverTwo()
    {
        var config = Parse("bus = \"emulated:lux1\"\nrate_hz = 5\n");
        var emulated = new EmulatedBuses();
        emulated.UseSignal("light", (ushort)0x1234);

        using var sensor = new SensorFactory(emulated: emulated).Create(config.Sensors[0].ToDescriptor());
        var values = new float[1];

        Assert.Equal(SampleStatus.Ok, sensor.Read(values, out _));
        Assert.Equal(["illuminance_lx"], sensor.Channels);
        Assert.Equal(2330f, values[0]);
    }

    [Fact]
    public void Probe_EmulatedLux1WithScheduledNack_DoesNotAnswer()
    {
        var emulated = new EmulatedBuses();
        emulated.ScheduleFault("light", BusFaultKind.Nack, TimeSpan.Zero, TimeSpan.FromHours(1));
        var descriptor = new SensorDescriptor("light", Lux1Chip.Instance, BusSpec.Parse("emulated:lux1"), 0x23, -1, [], 5);

        var ok = SensorProbe.Probe(descriptor with { Name = "other" }, new SensorFactory(emulated: emulated));
        var nack = SensorProbe.Probe(descriptor, new SensorFactory(emulated: emulated));

        Assert.True(ok.Answers, ok.Detail);
        Assert.Equal("answers; read illuminance_lx=500", ok.Detail);
        Assert.False(nack.Answers);
    }
}
