namespace Appliance.Contracts.Config;

/// <summary>
/// A configuration that cannot be used. <see cref="Exception.Message"/> names the file, the line (1-based, when known)
/// and the key, and says what was expected, for example
/// <c>appliance.toml:12: sensor 'vib' rate_hz = 0: must be between 0.1 and 10000</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the error for <paramref name="source"/> at <paramref name="line"/> (1-based; 0 when unknown).</summary>
    public ConfigException(string source, int line, string message)
        : base(line > 0 ? $"{source}:{line}: {message}" : $"{source}: {message}")
    {
        Source = source;
        Line = line;
    }

    /// <summary>The file (a path inside the configuration repository) that holds the error.</summary>
    public new string Source { get; }

    /// <summary>The 1-based line of the error, or 0 when unknown.</summary>
    public int Line { get; }
}
