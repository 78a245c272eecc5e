using System.Globalization;
using Appliance.Drivers.Buses;

namespace Appliance.Contracts.Config;

/// <summary>
/// Which bus, rate, line and channels suit which chip, checked while <c>appliance.toml</c> is read so that a wrong combination
/// is refused with its file, line and key instead of failing at start-up.
/// </summary>
internal static class SensorBusRules
{
    /// <summary>The bus kind each chip is wired to; <c>replay</c> sensors read a file.</summary>
    public static void Check(TableReader s, string name, string chip, BusSpec bus)
    {
        var wanted = chip switch
        {
            "bme280" or "ads1115" => BusKind.I2c,
            "mcp3008" or "adxl345" => BusKind.Spi,
            "pulse" => BusKind.Gpio,
            _ => BusKind.Replay,
        };
        if (bus.Kind == BusKind.Emulated)
        {
            if (chip == "replay" || bus.Target != chip)
            {
                throw s.Error("bus", $"sensor '{name}' bus = '{bus}': emulates '{bus.Target}' but chip = '{chip}' (expected emulated:{chip})");
            }

            return;
        }

        if (bus.Kind != wanted)
        {
            var example = wanted switch
            {
                BusKind.I2c => "i2c:1",
                BusKind.Spi => "spi:0.0",
                BusKind.Gpio => "gpio:0",
                _ => "replay:PATH",
            };
            throw s.Error("bus", $"sensor '{name}' bus = '{bus}': chip {chip} is not on that bus (expected {example}{(chip == "replay" ? string.Empty : $" or emulated:{chip}")})");
        }
    }

    /// <summary>The fastest rate each chip can deliver: BME280 forced mode at x1 oversampling converts for up to 9.3 ms
    /// (BST-BME280-DS002 Appendix B); ADS1115 860 SPS shared by its inputs (SBAS444D 8.3.6); ADXL345 3200 Hz (table 7).</summary>
    public static void CheckRate(TableReader s, string name, string chip, double rate)
    {
        double max = chip switch
        {
            "bme280" => 100,
            "ads1115" => 860,
            "adxl345" => 3200,
            "pulse" => 1000,
            _ => 10000,
        };
        if (rate > max)
        {
            throw s.Error("rate_hz", $"sensor '{name}' rate_hz = {rate.ToString(CultureInfo.InvariantCulture)}: a {chip} delivers at most {max.ToString(CultureInfo.InvariantCulture)} samples per second");
        }
    }

    /// <summary>A pulse counter needs its GPIO line; other chips take none.</summary>
    public static void CheckLine(TableReader s, string name, string chip, int line)
    {
        if (chip == "pulse" && line < 0)
        {
            throw s.Error("line", $"sensor '{name}': a pulse counter needs line = N (the GPIO line offset on the chip, e.g. line = 17)");
        }

        if (chip != "pulse" && line >= 0)
        {
            throw s.Error("line", $"sensor '{name}' line = {line}: only pulse sensors (GPIO) take a line");
        }
    }

    /// <summary>Parses <c>channels = "a,b"</c>: ADS1115 inputs <c>ain0</c>..<c>ain3</c>, <c>ain0-ain1</c>, <c>ain0-ain3</c>,
    /// <c>ain1-ain3</c>, <c>ain2-ain3</c>; MCP3008 inputs <c>0</c>..<c>7</c>. Other chips take none.</summary>
    public static IReadOnlyList<string> Channels(TableReader s, string name, string chip, string? text)
    {
        if (text is null)
        {
            return [];
        }

        if (chip is not ("ads1115" or "mcp3008"))
        {
            throw s.Error("channels", $"sensor '{name}' channels = '{text}': only ads1115 and mcp3008 sensors take channels");
        }

        var list = text.Split(',', StringSplitOptions.TrimEntries);
        string[] known = chip == "ads1115"
            ? ["ain0", "ain1", "ain2", "ain3", "ain0-ain1", "ain0-ain3", "ain1-ain3", "ain2-ain3"]
            : ["0", "1", "2", "3", "4", "5", "6", "7"];
        foreach (var c in list)
        {
            if (Array.IndexOf(known, c) < 0)
            {
                throw s.Error("channels", $"sensor '{name}' channels = '{text}': '{c}' is not a {chip} input (expected a comma-separated list of {string.Join(", ", known)})");
            }
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw s.Error("channels", $"sensor '{name}' channels = '{text}': an input is listed twice");
        }

        return list;
    }
}
