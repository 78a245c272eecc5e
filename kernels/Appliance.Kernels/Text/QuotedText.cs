using System.Globalization;
using System.Text;

namespace Appliance.Kernels.Text;

/// <summary>
/// Input quoted back in an error message, made safe for a terminal: control characters (C0, DEL, C1), the replacement
/// character of undecodable bytes, lone surrogates and bidirectional overrides are written as <c>\xNN</c> or <c>\uNNNN</c>,
/// and a long value is cut after <see cref="MaxQuoted"/> characters with the count of what was left out. Every message that
/// echoes what a file or the command line held goes through here, so a binary file cannot drive the terminal.
/// </summary>
public static class QuotedText
{
    /// <summary>The most characters of a value quoted in a message.</summary>
    public const int MaxQuoted = 64;

    /// <summary>The most characters of a whole message written to the terminal.</summary>
    public const int MaxMessage = 2000;

    /// <summary><paramref name="value"/> between single quotes, escaped and cut at <see cref="MaxQuoted"/> characters.</summary>
    public static string Quote(string? value) => "'" + Escape(value ?? string.Empty, MaxQuoted) + "'";

    /// <summary>
    /// <paramref name="text"/> with every character a terminal would act on escaped, cut after <paramref name="max"/> characters
    /// (then <c>... (N more characters)</c>).
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The most characters of <paramref name="text"/> kept (at least 1).</param>
    public static string Escape(string text, int max = MaxMessage)
    {
        ArgumentNullException.ThrowIfNull(text);
        max = Math.Max(1, max);
        var kept = Math.Min(text.Length, max);
        if (kept > 0 && kept < text.Length && char.IsHighSurrogate(text[kept - 1]))
        {
            kept--; // never cut a surrogate pair in two
        }

        StringBuilder? sb = null;
        for (var i = 0; i < kept; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var escape = !pair && (char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
            if (escape)
            {
                sb ??= new StringBuilder(text, 0, i, kept + 16);
                sb.Append(c <= '\u00FF' ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
                continue;
            }

            sb?.Append(c);
            if (pair)
            {
                sb?.Append(text[i + 1]);
                i++;
            }
        }

        var result = sb?.ToString() ?? text[..kept];
        return kept < text.Length ? string.Create(CultureInfo.InvariantCulture, $"{result}... ({text.Length - kept} more characters)") : result;
    }

    /// <summary>
    /// <paramref name="e"/>'s message as a person reads it: without the <c> (Parameter 'NAME')</c> that
    /// <see cref="ArgumentException"/> appends (the parameter is a name in the code, not in the input), escaped and capped.
    /// </summary>
    public static string MessageOf(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return Escape(message);
    }
}
