using System.Globalization;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips;

namespace Appliance.Contracts.Config;

/// <summary>
/// Which bus, rate, line and channels suit which chip, checked while <c>appliance.toml</c> is read so that a wrong combination
/// is refused with its file, line and key instead of failing at start-up. Everything chip-specific comes from the chip's
/// <see cref="IChipDescriptor"/>; a null chip stands for <c>chip = "replay"</c> throughout.
/// </summary>
internal static class SensorBusRules
{
    /// <summary>The bus kind the chip is wired to (<see cref="IChipDescriptor.Bus"/>); <c>replay</c> sensors read a file.</summary>
    public static void Check(TableReader s, string name, IChipDescriptor? chip, BusSpec bus)
    {
        string chipName = chip?.Name ?? "replay";
        if (bus.Kind == BusKind.Emulated)
        {
            if (chip is null || bus.Target != chip.Name)
            {
                throw s.Error("bus", $"sensor '{name}' bus = '{bus}': emulates '{bus.Target}' but chip = '{chipName}' (expected emulated:{chipName})");
            }

            return;
        }

        var wanted = chip?.Bus ?? BusKind.Replay;
        if (bus.Kind != wanted)
        {
            throw s.Error("bus", $"sensor '{name}' bus = '{bus}': chip {chipName} is not on that bus (expected {BusSpec.Example(wanted)}{(chip is null ? string.Empty : $" or emulated:{chipName}")})");
        }
    }

    /// <summary>The fastest rate the chip delivers (<see cref="IChipDescriptor.MaxRateHz"/>); a replay at most 10 000 per second.</summary>
    public static void CheckRate(TableReader s, string name, IChipDescriptor? chip, double rate)
    {
        double max = chip?.MaxRateHz ?? 10000;
        if (rate > max)
        {
            throw s.Error("rate_hz", $"sensor '{name}' rate_hz = {rate.ToString(CultureInfo.InvariantCulture)}: a {chip?.Name ?? "replay"} delivers at most {max.ToString(CultureInfo.InvariantCulture)} samples per second");
        }
    }

    /// <summary>A chip on GPIO (a pulse counter) needs its line; other chips take none.</summary>
    public static void CheckLine(TableReader s, string name, IChipDescriptor? chip, int line)
    {
        bool gpio = chip?.Bus == BusKind.Gpio;
        if (gpio && line < 0)
        {
            throw s.Error("line", $"sensor '{name}': a pulse counter needs line = N (the GPIO line offset on the chip, e.g. line = 17)");
        }

        if (!gpio && line >= 0)
        {
            throw s.Error("line", $"sensor '{name}' line = {line}: only pulse sensors (GPIO) take a line");
        }
    }

    /// <summary>The longest debounce a pulse counter takes: 1 s (contact bounce lasts milliseconds).</summary>
    public static readonly TimeSpan MaxDebounce = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Parses a pulse counter's <c>debounce = "2ms"</c> (a positive duration, at most <see cref="MaxDebounce"/>); other chips take none.
    /// A pulse train faster than 1 / debounce loses edges to it: choose it under the shortest pulse period expected.
    /// </summary>
    public static TimeSpan? Debounce(TableReader s, string name, IChipDescriptor? chip)
    {
        var debounce = s.Duration("debounce", required: false);
        if (debounce is not { } d)
        {
            return null;
        }

        var text = s.String("debounce", required: false);
        if (chip?.Bus != BusKind.Gpio)
        {
            throw s.Error("debounce", $"sensor '{name}' debounce = \"{text}\": only pulse sensors (GPIO) take a debounce");
        }

        if (d > MaxDebounce)
        {
            throw s.Error("debounce", $"sensor '{name}' debounce = \"{text}\": must be at most 1s (contact bounce lasts milliseconds)");
        }

        return d;
    }

    /// <summary>Parses <c>channels = "a,b"</c>: a comma-separated list of the chip's <see cref="IChipDescriptor.Inputs"/> (ADS1115
    /// <c>ain0</c>..<c>ain3</c>, <c>ain0-ain1</c>, …; MCP3008 <c>0</c>..<c>7</c>). Chips without inputs take none.</summary>
    public static IReadOnlyList<string> Channels(TableReader s, string name, IChipDescriptor? chip, string? text)
    {
        if (text is null)
        {
            return [];
        }

        if (chip is null || chip.Inputs.Count == 0)
        {
            var takers = ChipRegistry.All.Where(c => c.Inputs.Count > 0).Select(c => c.Name);
            throw s.Error("channels", $"sensor '{name}' channels = '{text}': only {string.Join(" and ", takers)} sensors take channels");
        }

        var list = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (var c in list)
        {
            if (!chip.Inputs.Contains(c, StringComparer.Ordinal))
            {
                throw s.Error("channels", $"sensor '{name}' channels = '{text}': '{c}' is not a {chip.Name} input (expected a comma-separated list of {string.Join(", ", chip.Inputs)})");
            }
        }

        if (list.Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw s.Error("channels", $"sensor '{name}' channels = '{text}': an input is listed twice");
        }

        return list;
    }
}
