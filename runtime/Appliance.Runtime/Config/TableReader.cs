using System.Globalization;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Runtime.Config;

/// <summary>
/// Typed, located reads from one TOML table: every error names the file, the line of the key (or of the table)
/// and the key, and says what was expected.
/// </summary>
internal readonly struct TableReader
{
    private readonly string _source;
    private readonly TomlTable? _table;
    private readonly TomlMetadataStore _metadata;
    private readonly string _path;
    private readonly int _line;

    public TableReader(string source, TomlTable? table, TomlMetadataStore metadata, string path, int line = 0)
    {
        _source = source;
        _table = table;
        _metadata = metadata;
        _path = path;
        _line = line;
    }

    public ConfigException Error(string key, string message) => new(_source, LineOf(key), $"{Prefix(key)}{message}");

    public void RejectUnknown(ReadOnlySpan<string> known)
    {
        if (_table is null)
        {
            return;
        }

        foreach (var kv in _table)
        {
            if (!known.Contains(kv.Key))
            {
                throw new ConfigException(_source, LineOf(kv.Key), $"{Prefix(kv.Key)}unknown key (expected one of: {string.Join(", ", known.ToArray())})");
            }
        }
    }

    public TableReader Table(string key, bool required = true)
    {
        if (_table is not null && _table.TryGetValue(key, out var value))
        {
            if (value is TomlTable t)
            {
                return new TableReader(_source, t, _metadata, key, LineOf(key));
            }

            throw Error(key, "expected a table");
        }

        if (required)
        {
            throw new ConfigException(_source, 0, $"[{key}]: missing table (it is required)");
        }

        return new TableReader(_source, null, _metadata, key);
    }

    public IEnumerable<TableReader> TableArray(string key)
    {
        if (_table is null || !_table.TryGetValue(key, out var value))
        {
            return [];
        }

        if (value is not TomlTableArray array)
        {
            throw Error(key, $"expected an array of tables ([[{key}]])");
        }

        var list = new List<TableReader>(array.Count);
        var line = LineOf(key);
        foreach (var t in array)
        {
            list.Add(new TableReader(_source, t, _metadata, key, line));
        }

        return list;
    }

    public string? String(string key, bool required)
    {
        if (!TryGet(key, required, out var v))
        {
            return null;
        }

        return v as string ?? throw Error(key, $"{Show(v)} is not a string (expected a quoted string)");
    }

    public bool Boolean(string key, bool fallback)
    {
        if (!TryGet(key, false, out var v))
        {
            return fallback;
        }

        return v is bool b ? b : throw Error(key, $"{Show(v)} is not a boolean (expected true or false)");
    }

    public long Integer(string key, long fallback, long min, long max)
    {
        if (!TryGet(key, false, out var v))
        {
            return fallback;
        }

        if (v is not long n)
        {
            throw Error(key, $"{Show(v)} is not an integer");
        }

        return n >= min && n <= max ? n : throw Error(key, $"{n}: must be between {min} and {max}");
    }

    public double Number(string key, double? fallback, double min, double max, string context = "")
    {
        if (!TryGet(key, fallback is null, out var v))
        {
            return fallback!.Value;
        }

        var d = v switch
        {
            long n => n,
            double x => x,
            _ => throw Error(key, $"{Show(v)} is not a number"),
        };
        if (!(d >= min && d <= max))
        {
            throw new ConfigException(_source, LineOf(key), $"{context}{key} = {d.ToString(CultureInfo.InvariantCulture)}: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return d;
    }

    public TimeSpan? Duration(string key, bool required)
    {
        var text = String(key, required);
        if (text is null)
        {
            return null;
        }

        return Config.Duration.TryParse(text, out var span, out var error) ? span : throw Error(key, error);
    }

    private bool TryGet(string key, bool required, out object value)
    {
        if (_table is not null && _table.TryGetValue(key, out var v) && v is not null)
        {
            value = v;
            return true;
        }

        if (required)
        {
            throw new ConfigException(_source, _line, $"{Prefix(key)}missing key (it is required)");
        }

        value = null!;
        return false;
    }

    private int LineOf(string key)
    {
        if (_table is not null && _metadata.TryGetProperties(_table, out var props) && props is not null && props.TryGetProperty(key, out var p) && p is not null)
        {
            return p.Span.Start.Line + 1;
        }

        return _line;
    }

    private string Prefix(string key) => _path.Length == 0 ? $"{key}: " : $"[{_path}] {key}: ";

    private static string Show(object v) => v is string s ? $"'{s}'" : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";
}
