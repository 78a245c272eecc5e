using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Control;

/// <summary>
/// Which devices a fleet-wide verb takes (<c>appliance cloud train --devices</c>): a comma-separated list of terms, each a
/// device id, a label selector <c>label:KEY=VALUE</c> (the syntax of <c>cloud pull-config --selector</c> and rollups,
/// parsed by <see cref="DeviceLabels.TryParseSelector"/>, matched against the labels of the devices' heartbeats), or
/// <c>*</c> for every device the store has seen. The selection is the union of the terms, in device id order.
/// </summary>
public static class DeviceSelector
{
    /// <summary>Resolves <paramref name="selector"/> against the store's devices and their labels.</summary>
    /// <param name="selector">Terms, comma-separated: <c>pump-7</c>, <c>label:site=plant-a</c>, <c>*</c>.</param>
    /// <param name="devices">The device ids the store has seen.</param>
    /// <param name="labels">Each device's labels (<see cref="IFleetReader.GetDeviceLabels"/>).</param>
    /// <returns>The selected device ids, ordinal order, at least one.</returns>
    /// <exception cref="ArgumentException">An empty selector or term, a malformed label selector, a device id the store
    /// has never seen, or a label selector that matches no device (ParamName <c>selector</c>; the message names the term).</exception>
    public static IReadOnlyList<string> Resolve(string selector, IReadOnlyCollection<string> devices, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> labels)
    {
        var terms = (selector ?? "").Split(',', StringSplitOptions.TrimEntries);
        if (terms.Any(t => t.Length == 0))
        {
            throw new ArgumentException($"--devices '{selector}': expected device ids, label:KEY=VALUE or * separated by commas", nameof(selector));
        }

        var known = new HashSet<string>(devices, StringComparer.Ordinal);
        var selected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string term in terms)
        {
            if (term == "*")
            {
                selected.UnionWith(known);
            }
            else if (term.StartsWith("label:", StringComparison.Ordinal))
            {
                if (!DeviceLabels.TryParseSelector(term, out string key, out string? value) || value is null)
                {
                    throw new ArgumentException($"--devices: '{term}' is not a label selector (expected label:KEY=VALUE, for example label:site=plant-a)", nameof(selector));
                }

                var matched = labels.Where(kv => known.Contains(kv.Key) && kv.Value.TryGetValue(key, out string? v) && v == value).Select(kv => kv.Key).ToList();
                selected.UnionWith(matched.Count > 0 ? matched
                    : throw new ArgumentException($"--devices: {term} matches no device (no stored heartbeat carries that label)", nameof(selector)));
            }
            else if (known.Contains(term))
            {
                selected.Add(term);
            }
            else
            {
                throw new ArgumentException($"--devices: device '{term}' is unknown (the store has {known.Count} device{(known.Count == 1 ? "" : "s")}: {string.Join(", ", known.Order(StringComparer.Ordinal).Take(10))}{(known.Count > 10 ? ", ..." : "")})", nameof(selector));
            }
        }

        return selected.Count > 0 ? [.. selected] : throw new ArgumentException($"--devices '{selector}': selects no device (the store has none)", nameof(selector));
    }

    /// <summary>Resolves <paramref name="selector"/> against the devices <paramref name="store"/> has seen.</summary>
    /// <param name="store">The collector store.</param>
    /// <param name="selector">As <see cref="Resolve(string, IReadOnlyCollection{string}, IReadOnlyDictionary{string, IReadOnlyDictionary{string, string}})"/>.</param>
    /// <returns>The selected device ids.</returns>
    /// <exception cref="ArgumentException">As the other overload.</exception>
    public static IReadOnlyList<string> Resolve(IFleetReader store, string selector) =>
        Resolve(selector, [.. store.GetDevices().Select(d => d.DeviceId)], store.GetDeviceLabels());
}
