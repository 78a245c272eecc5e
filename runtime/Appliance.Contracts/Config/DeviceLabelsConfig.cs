using Appliance.Contracts.Wire;
using Tomlyn.Model;

namespace Appliance.Contracts.Config;

/// <summary>Reads <c>[device] labels = { site = "...", line = "..." }</c>: errors name the file, line and key.</summary>
internal static class DeviceLabelsConfig
{
    /// <summary>The <c>[device] labels</c> table (string values, keys and values as <see cref="DeviceLabels.Problem"/> allows); null when absent.</summary>
    public static Dictionary<string, string>? Read(TableReader device)
    {
        if (device.Has("labels") && device.Raw("labels") is not TomlTable)
        {
            throw device.Error("labels", "expected a table of strings, for example labels = { site = \"plant-a\", line = \"3\" }");
        }

        var table = device.Table("labels", required: false);
        if (!table.Exists)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in table.Keys)
        {
            string value = table.String(key, required: true)!;
            if (DeviceLabels.Problem(key, value) is { } problem)
            {
                throw table.Error(key, problem);
            }

            labels[key] = value;
        }

        return labels.Count > DeviceLabels.MaxLabels
            ? throw device.Error("labels", $"{labels.Count} labels, expected at most {DeviceLabels.MaxLabels}")
            : labels;
    }
}
