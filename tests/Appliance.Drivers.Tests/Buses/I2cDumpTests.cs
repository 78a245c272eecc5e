namespace Appliance.Drivers.Tests.Buses;

public sealed class I2cDumpTests
{
    // The text i2cdump (i2c-tools) prints in byte mode: a header, then rows "00: xx xx ... xx    ascii".
    private static string Dump(ReadOnlySpan<byte> registers, Func<int, string>? cell = null)
    {
        var text = new StringBuilder("     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\n");
        for (int row = 0; row < 256; row += 16)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row:x2}:");
            var ascii = new StringBuilder();
            for (int i = 0; i < 16; i++)
            {
                byte b = registers[row + i];
                text.Append(' ').Append(cell?.Invoke(row + i) ?? b.ToString("x2", CultureInfo.InvariantCulture));
                ascii.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
            }

            text.Append("    ").Append(ascii).Append('\n');
        }

        return text.ToString();
    }

    // A register image holding the datasheet calibration (table 16) and the raw codes of BST-BMP280-DS001 3.12 in the data registers.
    private static byte[] DatasheetImage()
    {
        var image = new byte[256];
        Bme280Calibration.DatasheetExample.WriteTo(image);
        image[0xD0] = 0x60;
        ReadOnlySpan<byte> data = [0x65, 0x5A, 0xC0, 0x7E, 0xED, 0x00, 0x75, 0x30];
        data.CopyTo(image.AsSpan(0xF7));
        return image;
    }

    [Fact]
    public void FromI2cDump_DatasheetImage_ReadsBackDatasheetValues()
    {
        // A dump is a static snapshot: the data registers hold adc_P = 415148, adc_T = 519888, adc_H = 30000, so a reading
        // returns the worked example: 25.08 °C, 100653.27 Pa (double formula), 54.29 %RH (BST-BMP280-DS001 3.12, BST-BME280-DS002 8.1).
        using var emulator = Bme280Emulator.FromI2cDump(new StringReader(Dump(DatasheetImage())), "bme280.dump");

        Bme280Reading reading = Bme280Sensor.ReadOnce(emulator);

        Assert.InRange(reading.TemperatureC, 25.075, 25.085);
        Assert.InRange(reading.PressurePa, 100653.26, 100653.28);
        Assert.InRange(reading.HumidityPct, 54.285, 54.295);
    }

    [Fact]
    public void ToJson_ReadingFromDatasheetDump_PrintsTheIssueValues()
    {
        // What `appliance read bme280 --i2cdump F --json` prints for this dump: the worked example's 25.08 °C, 100653.27 Pa and
        // 54.29 %RH (BST-BMP280-DS001 3.12 double formulas with unrounded t_fine; BST-BME280-DS002 8.1), 2 decimals each.
        using var emulator = Bme280Emulator.FromI2cDump(new StringReader(Dump(DatasheetImage())), "bme280.dump");

        string json = Bme280Sensor.ReadOnce(emulator).ToJson();

        Assert.Equal("{\"temperature_c\":25.08,\"pressure_pa\":100653.27,\"humidity_pct\":54.29}", json);
    }

    [Fact]
    public void Parse_SampleDumpFile_IsTheDatasheetImage()
    {
        // drivers/.../Chips/Bme280/samples/datasheet-example.i2cdump (used by the published-binary test of `appliance read`)
        // must hold the same registers as DatasheetImage(), so the CLI check and this suite check the same values.
        string file = FindUp(Path.Combine("drivers", "Appliance.Drivers", "Chips", "Bme280", "samples", "datasheet-example.i2cdump"));

        I2cDump dump = I2cDump.Parse(file);

        Assert.Equal(DatasheetImage(), dump.Registers.ToArray());
    }

    [Fact]
    public void ToJson_NaNChannel_IsNull()
    {
        Assert.Equal("{\"temperature_c\":-3.50,\"pressure_pa\":null,\"humidity_pct\":0.00}", new Bme280Reading(-3.5, double.NaN, 0).ToJson());
    }

    [Fact]
    public void Parse_DatasheetImage_RoundTripsCalibration()
    {
        I2cDump dump = I2cDump.Parse(new StringReader(Dump(DatasheetImage())), "bme280.dump");

        Assert.Equal(Bme280Calibration.DatasheetExample, Bme280Calibration.ReadFrom(dump.Registers));
        Assert.True(dump.Readable[0xD0]);
    }

    [Fact]
    public void Parse_MalformedCell_NamesSourceLineAndRegister()
    {
        // Line 1 is the header, so row a0 is line 12.
        string text = Dump(DatasheetImage(), address => address == 0xA3 ? "zz" : null!);

        var error = Assert.Throws<FormatException>(() => I2cDump.Parse(new StringReader(text), "bme280.dump"));

        Assert.StartsWith("bme280.dump:12: 'zz' at register 0xa3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RowWithoutAddress_NamesLine()
    {
        string text = "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\nhello world\n";

        var error = Assert.Throws<FormatException>(() => I2cDump.Parse(new StringReader(text), "x.dump"));

        Assert.StartsWith("x.dump:2: 'hello world' is not an i2cdump row", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ShortRow_NamesLineAndCount()
    {
        string text = "00: 00 01 02\n";

        var error = Assert.Throws<FormatException>(() => I2cDump.Parse(new StringReader(text), "x.dump"));

        Assert.StartsWith("x.dump:1: row 00 has 3 cells", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromI2cDump_UnreadableChipId_ReadFailsWithIOException()
    {
        // i2cdump prints XX where the read failed; that register must not read as a made-up value.
        string text = Dump(DatasheetImage(), address => address == 0xD0 ? "XX" : null!);
        using var emulator = Bme280Emulator.FromI2cDump(new StringReader(text), "bme280.dump");

        var error = Assert.Throws<IOException>(() => Bme280Sensor.ReadOnce(emulator));

        Assert.Contains("0xd0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromI2cDump_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Bme280Emulator.FromI2cDump(Path.Combine(Path.GetTempPath(), "no-such-bme280.dump")));
    }

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{relative} not found above {AppContext.BaseDirectory}");
        return string.Empty;
    }
}
