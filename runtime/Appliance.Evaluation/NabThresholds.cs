using System.Text.Json;

namespace Appliance.Evaluation;

/// <summary>Reads NAB's <c>config/thresholds.json</c>: <c>{"detector": {"profile": {"threshold": T, "score": S}}}</c>.</summary>
public static class NabThresholds
{
    /// <summary>The thresholds of <paramref name="detector"/>, one per profile name.</summary>
    /// <param name="path">The thresholds file.</param>
    /// <param name="detector">The detector's name as keyed in the file.</param>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is malformed or has no entry for the detector (the message names file and key).</exception>
    public static IReadOnlyDictionary<string, double> Load(string path, string detector)
    {
        using var doc = NabJson.Parse(path);
        if (!doc.RootElement.TryGetProperty(detector, out var d) || d.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: no entry \"{detector}\" (expected {{\"{detector}\": {{\"standard\": {{\"threshold\": ..}}}}}})");
        }

        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in d.EnumerateObject())
        {
            map[p.Name] = p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("threshold", out var t) && t.ValueKind == JsonValueKind.Number
                ? t.GetDouble()
                : throw new FormatException($"{path}: \"{detector}\".\"{p.Name}\".threshold: expected a number");
        }

        return map;
    }
}
