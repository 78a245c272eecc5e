using System.Text.Json;

namespace Appliance.Evaluation;

/// <summary>
/// One NAB application profile: the weights of its cost matrix (NAB <c>config/profiles.json</c>, "CostMatrix";
/// Lavin &amp; Ahmad 2015, "Evaluating real-time anomaly detection algorithms – the Numenta Anomaly Benchmark", §III).
/// </summary>
/// <param name="Name">Profile name, for example <c>standard</c>, <c>reward_low_FP_rate</c>, <c>reward_low_FN_rate</c>.</param>
/// <param name="TpWeight">Weight of the earliest detection in a window (A_TP).</param>
/// <param name="FpWeight">Weight of a detection outside every window (A_FP).</param>
/// <param name="FnWeight">Cost of a window with no detection (A_FN).</param>
public sealed record NabProfile(string Name, double TpWeight, double FpWeight, double FnWeight)
{
    /// <summary>The three published profiles, in NAB's order, when no profiles file is given.</summary>
    public static IReadOnlyList<NabProfile> Published { get; } =
    [
        new("standard", 1.0, 0.11, 1.0),
        new("reward_low_FP_rate", 1.0, 0.22, 1.0),
        new("reward_low_FN_rate", 1.0, 0.11, 2.0),
    ];

    /// <summary>Reads NAB's <c>profiles.json</c>: <c>{"name": {"CostMatrix": {"tpWeight":..,"fpWeight":..,"fnWeight":..}}}</c>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FormatException">The file is not JSON of that shape (the message names the file and key).</exception>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    public static IReadOnlyList<NabProfile> Load(string path)
    {
        using var doc = NabJson.Parse(path);
        var list = new List<NabProfile>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (!p.Value.TryGetProperty("CostMatrix", out var cm) || cm.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{path}: profile '{p.Name}': expected an object with \"CostMatrix\"");
            }

            list.Add(new NabProfile(p.Name, Weight(path, p.Name, cm, "tpWeight"), Weight(path, p.Name, cm, "fpWeight"), Weight(path, p.Name, cm, "fnWeight")));
        }

        return list.Count > 0 ? list : throw new FormatException($"{path}: no profiles");
    }

    private static double Weight(string path, string profile, JsonElement cm, string key) =>
        cm.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() >= 0
            ? v.GetDouble()
            : throw new FormatException($"{path}: profile '{profile}' CostMatrix.{key}: expected a number ≥ 0");
}
