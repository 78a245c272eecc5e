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
}
