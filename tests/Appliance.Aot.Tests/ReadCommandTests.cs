namespace Appliance.Aot.Tests;

// `appliance read CHIP --i2cdump FILE [--json]` in the published binary (issue 3, "Must show").
public sealed class ReadCommandTests
{
    private static string DatasheetDump => Path.Combine(PublishedBinary.RepositoryRoot, "drivers", "Appliance.Drivers", "Chips", "Bme280", "samples", "datasheet-example.i2cdump");

    [Fact]
    public void ReadBme280Json_DatasheetDump_PrintsWorkedExampleValues()
    {
        // The dump holds the BST-BMP280-DS001 3.12 calibration and raw codes (0xF7.. = 65 5A C0 | 7E ED 00 | 75 30) and the humidity
        // words H1..H6 = 75, 362, 0, 315, 50, 30: the datasheet's double formulas give 25.08 °C, 100653.27 Pa and 54.29 %RH.
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "read", "bme280", "--i2cdump", DatasheetDump, "--json");

        Assert.True(code == 0, stderr);
        Assert.Equal("{\"temperature_c\":25.08,\"pressure_pa\":100653.27,\"humidity_pct\":54.29}", stdout.Trim());
    }

    [Fact]
    public void ReadBme280_MissingDump_OneLineErrorExitTwo()
    {
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "read", "bme280", "--i2cdump", "/nonexistent/bme280.dump", "--json");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/bme280.dump", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadBme280_DataRegistersAtResetValue_NamesSkippedMeasurementExitTwo()
    {
        // The datasheet dump with 0xF7..0xFE at their reset value 80 00 00 | 80 00 00 | 80 00 (BST-BME280-DS002 table 18), what a
        // chip reads with its measurements skipped: once printed as 26.46 °C, 82044.54 Pa; now refused, naming the skip.
        var text = File.ReadAllText(DatasheetDump).Replace("f0: 00 00 00 00 00 00 00 65 5a c0 7e ed 00 75 30 00", "f0: 00 00 00 00 00 00 00 80 00 00 80 00 00 80 00 00", StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"bme280-reset-{Environment.ProcessId}.i2cdump");
        File.WriteAllText(path, text);
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(30), "read", "bme280", "--i2cdump", path);

            Assert.Equal(2, code);
            Assert.Equal(string.Empty, stdout.Trim());
            Assert.Contains("temperature and pressure measurements skipped", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
