using System.Globalization;
using Tomlyn.Model;

namespace Appliance.Contracts.Config;

/// <summary>
/// Typed, located reads from one TOML table: every error names the file, the line of the key (or of the table)
/// and the key, and says what was expected.
/// </summary>
internal readonly struct TableReader
{
    private readonly string _source;
    private readonly TomlTable? _table;
    private readonly KeyOrigins _origins;
    private readonly string _path;
    private readonly int _line;

    public TableReader(string source, TomlTable? table, KeyOrigins origins, string path, int line = 0)
    {
        _source = source;
        _table = table;
        _origins = origins;
        _path = path;
        _line = line;
    }

    public ConfigException Error(string key, string message) => Located(key, $"{Prefix(key)}{message}");

    /// <summary>An error at the file and line where <paramref name="key"/> was written (the table's, when the key is absent).</summary>
    public ConfigException Located(string key, string message)
    {
        var (source, line) = OriginOf(key);
        return new ConfigException(source, line, message);
    }

    /// <summary>The table's own file and line.</summary>
    public (string Source, int Line) Origin => (_source, _line);

    /// <summary>Whether the table is present in the document.</summary>
    public bool Exists => _table is not null;

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
                throw Located(kv.Key, $"{Prefix(kv.Key)}unknown key (expected one of: {string.Join(", ", known.ToArray())})");
            }
        }
    }

    public TableReader Table(string key, bool required = true)
    {
        if (_table is not null && _table.TryGetValue(key, out var value))
        {
            if (value is TomlTable t)
            {
                var (source, line) = OriginOf(key);
                return new TableReader(source, t, _origins, key, line);
            }

            throw Error(key, "expected a table");
        }

        if (required)
        {
            throw new ConfigException(_source, 0, $"[{key}]: missing table (it is required)");
        }

        return new TableReader(_source, null, _origins, key);
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
        foreach (var t in array)
        {
            // A table of the array: its file and line are those of its first key (it may come from an override file).
            var (source, line) = OriginOf(key);
            foreach (var kv in t)
            {
                if (_origins.TryGet(t, kv.Key, out var o))
                {
                    (source, line) = o;
                    break;
                }
            }

            list.Add(new TableReader(source, t, _origins, key, line));
        }

        return list;
    }

    /// <summary>The raw TOML value of <paramref name="key"/> (a long, double, string, bool, TomlArray or TomlTable), or null when absent.</summary>
    public object? Raw(string key) => TryGet(key, false, out var v) ? v : null;

    /// <summary>The keys set in this table, in document order (none when the table is absent).</summary>
    public IReadOnlyList<string> Keys => _table is null ? [] : [.. _table.Keys];

    /// <summary>Whether <paramref name="key"/> is set in this table.</summary>
    public bool Has(string key) => _table is not null && _table.ContainsKey(key);

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

    /// <summary>A size in bytes: an integer, or a string with a binary unit (<c>"512KiB"</c>, <c>"64MiB"</c>, <c>"1GiB"</c>).</summary>
    public long Size(string key, long fallback, long min, long max)
    {
        if (!TryGet(key, false, out var v))
        {
            return fallback;
        }

        long n;
        if (v is long l)
        {
            n = l;
        }
        else if (v is string text && SizeUnit(text) is { } unit
            && long.TryParse(text.AsSpan(0, text.Length - 3).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long count)
            && count <= long.MaxValue / unit)
        {
            n = count * unit;
        }
        else
        {
            throw Error(key, $"{Show(v)} is not a size (expected bytes, or a number with KiB, MiB or GiB: \"64MiB\")");
        }

        return n >= min && n <= max ? n : throw Error(key, $"{Show(v)}: must be between {min} and {max} bytes");
    }

    private static long? SizeUnit(string text) =>
        text.EndsWith("KiB", StringComparison.Ordinal) ? 1L << 10
        : text.EndsWith("MiB", StringComparison.Ordinal) ? 1L << 20
        : text.EndsWith("GiB", StringComparison.Ordinal) ? 1L << 30
        : null;

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
            throw Located(key, $"{context}{key} = {d.ToString(CultureInfo.InvariantCulture)}: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return d;
    }

    public float[] FloatArray(string key)
    {
        TryGet(key, true, out var v);
        if (v is not TomlArray array)
        {
            throw Error(key, $"{Show(v)} is not an array (expected [n, n, ...])");
        }

        var result = new float[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            result[i] = array[i] switch
            {
                long n => n,
                double x => (float)x,
                _ => throw Error(key, $"item {i + 1} is not a number"),
            };
        }

        return result;
    }

    /// <summary>An array of strings (<c>key = ["a", "b"]</c>), or null when the key is absent.</summary>
    public IReadOnlyList<string>? StringArray(string key)
    {
        if (!TryGet(key, false, out var v))
        {
            return null;
        }

        if (v is not TomlArray array)
        {
            throw Error(key, $"{Show(v)} is not an array (expected [\"a\", \"b\", ...])");
        }

        var result = new string[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            result[i] = array[i] as string ?? throw Error(key, $"item {i + 1} is not a string (expected a quoted string)");
        }

        return result;
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

    private (string Source, int Line) OriginOf(string key) =>
        _table is not null && _origins.TryGet(_table, key, out var origin) ? origin : (_source, _line);

    private string Prefix(string key) => _path.Length == 0 ? $"{key}: " : $"[{_path}] {key}: ";

    private static string Show(object v) => v is string s ? Appliance.Kernels.Text.QuotedText.Quote(s) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "null";
}
