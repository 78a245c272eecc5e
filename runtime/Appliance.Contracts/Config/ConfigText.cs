using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Appliance.Contracts.Config;

/// <summary>
/// The one way a TOML file of the configuration (or a model's <c>selftest.toml</c>) becomes a document: its bytes decoded
/// as strict UTF-8 (TOML 1.0: "A TOML file must be a valid UTF-8 encoded Unicode document"), then parsed by Tomlyn, every
/// error naming the file and the one line it is on, without Tomlyn's internals.
/// </summary>
public static partial class ConfigText
{
    private static readonly UTF8Encoding s_strict = new(false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/> (a leading byte order mark is dropped).</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="source">The file's path in errors.</param>
    /// <exception cref="ConfigException">A byte sequence is not UTF-8 (the line and column of the first one named).</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        try
        {
            return s_strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            var bad = FirstInvalid(bytes);
            var before = bytes[..bad];
            var line = before.Count((byte)'\n') + 1;
            var column = bad - (before.LastIndexOf((byte)'\n') + 1) + 1;
            throw new ConfigException(source, line, string.Create(CultureInfo.InvariantCulture, $"byte 0x{bytes[bad]:X2} at column {column} is not UTF-8 (TOML files are UTF-8 text)"));
        }
    }

    /// <summary>Reads and decodes the file at <paramref name="path"/>, refusing one over <see cref="ConfigLoader.MaxBytes"/>.</summary>
    /// <exception cref="ConfigException">The file is missing, too large or not UTF-8.</exception>
    public static string Read(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ConfigException(path, 0, "file not found (expected an appliance.toml)");
        }

        if (file.Length > ConfigLoader.MaxBytes)
        {
            throw new ConfigException(path, 0, $"file is {file.Length} bytes: larger than the {ConfigLoader.MaxBytes} bytes a configuration may have");
        }

        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses <paramref name="text"/> into a document, recording where each key was written.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="source">The file's path in errors.</param>
    /// <param name="origins">Where the keys' lines are recorded.</param>
    /// <param name="expected">What the file should hold, said when it holds nothing (only comments or blanks); null when an empty file is fine.</param>
    /// <exception cref="ConfigException">Invalid TOML (the first error, at its line and column), or an empty document.</exception>
    internal static TomlTable Parse(string text, string source, KeyOrigins origins, string? expected)
    {
        var metadata = new TomlMetadataStore();
        TomlTable? root;
        try
        {
            var options = new TomlSerializerOptions { SourceName = source, MetadataStore = metadata, MaxDepth = 16 };
            root = TomlSerializer.Deserialize(text, TomlModelTypes.Table(options));
        }
        catch (TomlException e)
        {
            throw Invalid(e.Message, source);
        }

        root ??= new TomlTable();
        if (root.Count == 0 && expected is not null)
        {
            throw new ConfigException(source, 0, $"empty: no keys or tables (expected {expected})");
        }

        origins.Record(source, root, metadata);
        return root;
    }

    /// <summary>Tomlyn's message, possibly wrapped ("Exception while trying to convert ... Reason: SOURCE(L,C) : error : WHAT",
    /// one such line per error): the first error's line, column and words.</summary>
    private static ConfigException Invalid(string message, string source)
    {
        // A wrapped error carries its own position first ("SOURCE(L,C) : error : Exception while trying to convert ..."):
        // the first real error is the first one after "Reason:".
        var reason = message.IndexOf("Reason:", StringComparison.Ordinal);
        var m = TomlError().Match(message, Math.Max(0, reason));
        if (!m.Success)
        {
            return new ConfigException(source, 0, "invalid TOML: " + message.Split('\n')[0].Trim());
        }

        var line = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return new ConfigException(source, line, $"invalid TOML at column {m.Groups[2].Value}: {m.Groups[3].Value.Trim()}");
    }

    private static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return Math.Max(0, bytes.Length - 1);
    }

    [GeneratedRegex(@"\((\d+),(\d+)\)\s*:\s*error\s*:([^\r\n]*)")]
    private static partial Regex TomlError();
}
