using System.CommandLine;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Emulation;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance read CHIP --i2cdump FILE [--json]</c>: one reading through the real driver against a register image, the text
/// that <c>i2cdump -y BUS ADDR</c> prints (the format people attach to bug reports). With <c>--json</c> it prints one object,
/// <c>{"temperature_c":..,"pressure_pa":..,"humidity_pct":..}</c> for a BME280; otherwise one line with units.
/// Exit 2 for a missing or malformed file, a chip id that is not the chip's, an unreadable register in the dump, a skipped
/// temperature or pressure measurement (data registers at their reset value), or a reading the sampling path would refuse as
/// implausible; a skipped humidity measurement reads "humidity skipped" (null in JSON).
/// </summary>
internal static class ReadCommand
{
    public static Command Create()
    {
        var chip = new Argument<string>("chip") { Description = "The chip the dump was taken from: bme280" };
        var dump = new Option<string>("--i2cdump") { Description = "A register dump as printed by 'i2cdump -y BUS ADDR'", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("read", "Read a chip once through its driver, from an i2cdump register image") { chip, dump, json };
        cmd.SetAction((p, _) => Cli.Guard(() => Task.FromResult(Run(p.GetValue(chip)!, p.GetValue(dump)!, p.GetValue(json)))));
        return cmd;
    }

    private static int Run(string chip, string path, bool json)
    {
        if (chip != "bme280")
        {
            throw new ArgumentException($"read {chip}: no i2cdump image for this chip (expected bme280; the ADS1115 has 16-bit registers and the MCP3008 and ADXL345 are SPI chips)");
        }

        Bme280Reading reading;
        try
        {
            using var emulator = Bme280Emulator.FromI2cDump(path);
            reading = Bme280Sensor.ReadOnce(emulator);
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            Console.Error.WriteLine($"appliance: {path}: {e.Message}");
            return ExitCodes.BadInput;
        }

        Console.WriteLine(json
            ? reading.ToJson()
            : FormattableString.Invariant($"bme280: temperature {reading.TemperatureC:F2} °C, pressure {reading.PressurePa:F2} Pa, humidity {(double.IsNaN(reading.HumidityPct) ? "skipped (adc_H at its reset value 0x8000)" : FormattableString.Invariant($"{reading.HumidityPct:F2} %RH"))}"));
        return ExitCodes.Ok;
    }
}
