using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Contracts.Config;

/// <summary>
/// Where each key of a (possibly merged) TOML document was written: the file and the 1-based line. When
/// <c>devices/ID.toml</c> is merged over <c>appliance.toml</c>, an overridden key keeps the override's file and line,
/// so that errors point at the line that set the value.
/// </summary>
internal sealed class KeyOrigins
{
    private readonly Dictionary<TomlTable, Dictionary<string, (string Source, int Line)>> _map = new(ReferenceEqualityComparer.Instance);

    /// <summary>Records every key of <paramref name="table"/> and its sub-tables, read from <paramref name="source"/>.</summary>
    public void Record(string source, TomlTable table, TomlMetadataStore metadata)
    {
        var keys = Keys(table);
        metadata.TryGetProperties(table, out var props);
        foreach (var kv in table)
        {
            var line = props is not null && props.TryGetProperty(kv.Key, out var p) && p is not null ? p.Span.Start.Line + 1 : 0;
            keys[kv.Key] = (source, line);
            switch (kv.Value)
            {
                case TomlTable t:
                    Record(source, t, metadata);
                    break;
                case TomlTableArray a:
                    foreach (var t in a)
                    {
                        Record(source, t, metadata);
                    }

                    break;
            }
        }
    }

    /// <summary>Where <paramref name="key"/> of <paramref name="table"/> was written, or false when unknown.</summary>
    public bool TryGet(TomlTable table, string key, out (string Source, int Line) origin)
    {
        origin = default;
        return _map.TryGetValue(table, out var keys) && keys.TryGetValue(key, out origin);
    }

    /// <summary>Says that <paramref name="key"/> of <paramref name="table"/> now comes from <paramref name="origin"/>.</summary>
    public void Set(TomlTable table, string key, (string Source, int Line) origin) => Keys(table)[key] = origin;

    private Dictionary<string, (string Source, int Line)> Keys(TomlTable table)
    {
        if (!_map.TryGetValue(table, out var keys))
        {
            keys = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
            _map[table] = keys;
        }

        return keys;
    }
}
