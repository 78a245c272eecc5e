using System.Globalization;

namespace Appliance.Contracts.Config;

/// <summary>
/// Durations as people write them in configuration and on the command line: a decimal number followed by
/// <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (for example <c>500ms</c>, <c>15s</c>, <c>2m</c>, <c>1.5h</c>).
/// </summary>
public static class Duration
{
    /// <summary>The longest duration accepted, in days (100 years).</summary>
    public const int MaxDays = 36_500;

    /// <summary>Parses <paramref name="text"/>; returns false (and a reason) when it is not a positive duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = default;
        error = string.Empty;
        var s = (text ?? string.Empty).Trim();
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(s.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{text}' is not a duration (expected a number and a unit: ms, s, m, h or d, e.g. 15s)";
            return false;
        }

        double? ms = s[split..] switch
        {
            "ms" => number,
            "s" => number * 1e3,
            "m" => number * 60e3,
            "h" => number * 3600e3,
            "d" => number * 86400e3,
            _ => null,
        };
        if (ms is null || ms <= 0 || ms > TimeSpan.MaxValue.TotalMilliseconds)
        {
            error = $"'{text}' is not a duration (expected a positive number and a unit: ms, s, m, h or d, e.g. 15s)";
            return false;
        }

        if (ms > MaxDays * 86400e3)
        {
            // Window arithmetic is in Unix nanoseconds (a long holds about 292 years of them).
            error = $"'{text}' is longer than {MaxDays}d (100 years), the longest duration accepted";
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }

    /// <summary>The text <see cref="TryParse"/> reads back as <paramref name="value"/> (whole milliseconds): <c>Ns</c> when a
    /// whole number of seconds, <c>Nms</c> otherwise.</summary>
    /// <param name="value">A positive duration.</param>
    public static string Format(TimeSpan value)
    {
        long ms = (long)Math.Round(value.TotalMilliseconds);
        return ms % 1000 == 0
            ? (ms / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
