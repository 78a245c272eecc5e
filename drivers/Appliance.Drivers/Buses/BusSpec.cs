using System.Globalization;

namespace Appliance.Drivers.Buses;

/// <summary>
/// Where a sensor is attached, as written in configuration: <c>i2c:N</c> (<c>/dev/i2c-N</c>), <c>spi:B.C</c>
/// (<c>/dev/spidevB.C</c>, bus B, chip select C), <c>gpio:N</c> (<c>/dev/gpiochipN</c>; the line number is a separate key),
/// <c>emulated:CHIP</c> (an in-process emulator of CHIP, lower case) or <c>replay:PATH</c> (a recorded CSV).
/// </summary>
/// <param name="Kind">The kind of bus.</param>
/// <param name="Bus">The bus number N (I2C, GPIO chip) or B (SPI); -1 for emulated and replay.</param>
/// <param name="ChipSelect">The SPI chip select C; -1 otherwise.</param>
/// <param name="Target">The emulated chip's name (<c>bme280</c>) or the replay path; empty otherwise.</param>
public readonly record struct BusSpec(BusKind Kind, int Bus, int ChipSelect, string Target)
{
    /// <summary>The Linux device node this bus is opened through (<c>/dev/i2c-1</c>, <c>/dev/spidev0.0</c>, <c>/dev/gpiochip0</c>), or null for emulated and replay buses.</summary>
    public string? DevicePath => Kind switch
    {
        BusKind.I2c => $"/dev/i2c-{Bus}",
        BusKind.Spi => $"/dev/spidev{Bus}.{ChipSelect}",
        BusKind.Gpio => $"/dev/gpiochip{Bus}",
        _ => null,
    };

    /// <summary>Parses a bus specification.</summary>
    /// <param name="text">For example <c>i2c:1</c>, <c>spi:0.0</c>, <c>gpio:0</c>, <c>emulated:bme280</c>, <c>replay:/data/x.csv</c>.</param>
    /// <returns>The specification.</returns>
    /// <exception cref="FormatException">The text is none of the forms above; the message says what was expected.</exception>
    public static BusSpec Parse(string text)
    {
        if (!TryParse(text, out BusSpec spec, out string? error))
        {
            throw new FormatException(error);
        }

        return spec;
    }

    /// <summary>Parses a bus specification without throwing.</summary>
    /// <param name="text">The text to parse (see <see cref="Parse"/>).</param>
    /// <param name="spec">The specification when the text is valid.</param>
    /// <param name="error">Why the text is not valid (names the text and the expected forms); null when it is.</param>
    /// <returns>True when <paramref name="text"/> is a valid specification.</returns>
    public static bool TryParse(string? text, out BusSpec spec, out string? error)
    {
        spec = default;
        error = null;
        int colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon <= 0)
        {
            error = $"bus '{text}': expected i2c:N, spi:B.C, gpio:N, emulated:CHIP or replay:PATH";
            return false;
        }

        string kind = text[..colon];
        string rest = text[(colon + 1)..];
        switch (kind)
        {
            case "i2c" when Number(rest, out int n):
                spec = new BusSpec(BusKind.I2c, n, -1, string.Empty);
                return true;
            case "gpio" when Number(rest, out int n):
                spec = new BusSpec(BusKind.Gpio, n, -1, string.Empty);
                return true;
            case "spi":
                int dot = rest.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && Number(rest[..dot], out int b) && Number(rest[(dot + 1)..], out int c))
                {
                    spec = new BusSpec(BusKind.Spi, b, c, string.Empty);
                    return true;
                }

                error = $"bus '{text}': expected spi:B.C, bus and chip select numbers as in /dev/spidevB.C (for example spi:0.0)";
                return false;
            case "emulated" when rest.Length > 0 && rest.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'):
                spec = new BusSpec(BusKind.Emulated, -1, -1, rest);
                return true;
            case "replay" when rest.Length > 0:
                spec = new BusSpec(BusKind.Replay, -1, -1, rest);
                return true;
            case "i2c":
            case "gpio":
                error = $"bus '{text}': expected {kind}:N with N a number as in {(kind == "i2c" ? "/dev/i2c-N" : "/dev/gpiochipN")} (for example {kind}:1)";
                return false;
            case "emulated":
                error = $"bus '{text}': expected emulated:CHIP with CHIP a lower-case chip name (for example emulated:bme280)";
                return false;
            default:
                error = $"bus '{text}': expected i2c:N, spi:B.C, gpio:N, emulated:CHIP or replay:PATH";
                return false;
        }
    }

    /// <summary>An example bus of <paramref name="kind"/> for error messages: <c>i2c:1</c>, <c>spi:0.0</c>, <c>gpio:0</c>,
    /// <c>emulated:CHIP</c>, <c>replay:PATH</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The example.</returns>
    public static string Example(BusKind kind) => kind switch
    {
        BusKind.I2c => "i2c:1",
        BusKind.Spi => "spi:0.0",
        BusKind.Gpio => "gpio:0",
        BusKind.Emulated => "emulated:CHIP",
        _ => "replay:PATH",
    };

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        BusKind.I2c => $"i2c:{Bus}",
        BusKind.Spi => $"spi:{Bus}.{ChipSelect}",
        BusKind.Gpio => $"gpio:{Bus}",
        BusKind.Emulated => $"emulated:{Target}",
        _ => $"replay:{Target}",
    };

    private static bool Number(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 1023;
}
