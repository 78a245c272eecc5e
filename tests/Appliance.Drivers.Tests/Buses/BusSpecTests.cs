namespace Appliance.Drivers.Tests.Buses;

public sealed class BusSpecTests
{
    [Theory]
    [InlineData("i2c:1", BusKind.I2c, 1, -1, "", "/dev/i2c-1")]
    [InlineData("spi:0.1", BusKind.Spi, 0, 1, "", "/dev/spidev0.1")]
    [InlineData("gpio:0", BusKind.Gpio, 0, -1, "", "/dev/gpiochip0")]
    [InlineData("emulated:adxl345", BusKind.Emulated, -1, -1, "adxl345", null)]
    [InlineData("replay:/data/a:b.csv", BusKind.Replay, -1, -1, "/data/a:b.csv", null)]
    public void Parse_EachForm_GivesKindNumbersAndDeviceNode(string text, BusKind kind, int bus, int cs, string target, string? node)
    {
        // Device nodes as the Linux kernel names them: Documentation/i2c/dev-interface.rst (/dev/i2c-N),
        // Documentation/spi/spidev.rst (/dev/spidevB.C), the GPIO character device (/dev/gpiochipN).
        BusSpec spec = BusSpec.Parse(text);

        Assert.Equal(new BusSpec(kind, bus, cs, target), spec);
        Assert.Equal(node, spec.DevicePath);
        Assert.Equal(text, spec.ToString());
    }

    [Theory]
    [InlineData("i2c:x", "expected i2c:N")]
    [InlineData("spi:0", "expected spi:B.C")]
    [InlineData("usb:1", "expected i2c:N, spi:B.C, gpio:N, emulated:CHIP or replay:PATH")]
    [InlineData("emulated:BME280", "lower-case")]
    [InlineData("i2c", "expected i2c:N, spi:B.C")]
    public void TryParse_Malformed_ErrorNamesTextAndExpectedForm(string text, string expected)
    {
        Assert.False(BusSpec.TryParse(text, out _, out string? error));
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void List_DevDirectory_FindsNodesOfEachKindSorted()
    {
        string dir = Path.Combine(Path.GetTempPath(), "appliance-dev-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (string name in new[] { "spidev0.1", "i2c-1", "gpiochip0", "spidev0.0", "i2c-0", "tty0" })
            {
                File.WriteAllText(Path.Combine(dir, name), string.Empty);
            }

            Assert.Equal(["i2c:0", "i2c:1", "spi:0.0", "spi:0.1", "gpio:0"], BusInventory.List(dir).Select(b => b.ToString()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
