using System.Text;
using System.Text.Json;

namespace Appliance.Contracts.Wire;

/// <summary>
/// A device's labels (<c>[device] labels = { site = "...", line = "..." }</c>): the JSON object the collector stores in
/// <c>devices.labels</c> (keys in ordinal order, so one set of labels is one text), and the label selectors
/// (<c>label:site=X</c>) that group rollups and address commands.
/// </summary>
public static class DeviceLabels
{
    /// <summary>Most labels a device carries (a site, a line, a cell: a handful).</summary>
    public const int MaxLabels = 16;

    /// <summary>Longest label key or value, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The labels as a compact JSON object, keys in ordinal order.</summary>
    /// <param name="labels">The labels.</param>
    /// <returns>The text, <c>{}</c> for none.</returns>
    public static string ToJson(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (key, value) in labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; null or empty text is no labels.</summary>
    /// <param name="json">The text, or null.</param>
    /// <returns>The labels (empty when none or unreadable: a stored row is never a reason to fail a query).</returns>
    public static IReadOnlyDictionary<string, string> Parse(string? json)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return labels;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        labels[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            labels.Clear();
        }

        return labels;
    }

    /// <summary>What is wrong with one label, or null: keys are 1 to <see cref="MaxLength"/> letters, digits, '-', '_' or '.';
    /// values 0 to <see cref="MaxLength"/> characters without control characters.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The problem, or null.</returns>
    public static string? Problem(string key, string value)
    {
        if (key.Length is 0 or > MaxLength || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return $"label key \"{key}\": expected 1 to {MaxLength} letters, digits, '-', '_' or '.'";
        }

        return value.Length > MaxLength || value.Any(char.IsControl)
            ? $"label {key}: value of {value.Length} characters, expected at most {MaxLength} and no control characters"
            : null;
    }

    /// <summary>
    /// Parses a selector <c>label:KEY=VALUE</c> (devices whose label KEY is VALUE) or <c>label:KEY</c> (devices grouped by
    /// their label KEY, for rollups).
    /// </summary>
    /// <param name="selector">The text.</param>
    /// <param name="key">The label key.</param>
    /// <param name="value">The value, or null when the selector has none.</param>
    /// <returns>True when the text is a selector.</returns>
    public static bool TryParseSelector(string selector, out string key, out string? value)
    {
        key = "";
        value = null;
        if (selector is null || !selector.StartsWith("label:", StringComparison.Ordinal))
        {
            return false;
        }

        string rest = selector["label:".Length..];
        int eq = rest.IndexOf('=', StringComparison.Ordinal);
        key = eq < 0 ? rest : rest[..eq];
        value = eq < 0 ? null : rest[(eq + 1)..];
        return Problem(key, value ?? "") is null;
    }
}
