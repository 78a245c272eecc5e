namespace Appliance.Device.GitOps;

/// <summary>
/// How much the device takes from its configuration repository: no file of a revision larger than
/// <see cref="MaxFileBytes"/>, no revision whose files add up to more than <see cref="MaxRevisionBytes"/> (both judged from
/// the blobs' sizes in the object database, before any content is read), and no fetch that brings more than
/// <see cref="MaxFetchBytes"/> over the network. The device's own setting (<c>run --max-file-size</c>,
/// <c>--max-revision-size</c>), never the repository's: a revision cannot raise its own limit.
/// </summary>
/// <param name="MaxFileBytes">The largest file of a revision, in bytes (default 64 MiB: a model; <c>.toml</c> files are further held to 1 MiB).</param>
/// <param name="MaxRevisionBytes">The most bytes all files of a revision may hold together (default 128 MiB).</param>
public sealed record RepositoryLimits(long MaxFileBytes = RepositoryLimits.DefaultMaxFileBytes, long MaxRevisionBytes = RepositoryLimits.DefaultMaxRevisionBytes)
{
    /// <summary>The default <see cref="MaxFileBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxFileBytes = 64L << 20;

    /// <summary>The default <see cref="MaxRevisionBytes"/>: 128 MiB.</summary>
    public const long DefaultMaxRevisionBytes = 128L << 20;

    /// <summary>The defaults.</summary>
    public static RepositoryLimits Default { get; } = new();

    /// <summary>The most bytes one fetch may receive: four revisions' worth (a fetch also brings history), at least 1 MiB.</summary>
    public long MaxFetchBytes => Math.Max(1L << 20, MaxRevisionBytes * 4);

    /// <summary>Parses a size as <c>run</c> takes it: bytes, or a number with <c>KiB</c>, <c>MiB</c> or <c>GiB</c>.</summary>
    /// <exception cref="FormatException">Not a size, or not positive.</exception>
    public static long ParseSize(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var (digits, scale) = t.EndsWith("GiB", StringComparison.Ordinal) ? (t[..^3], 1L << 30)
            : t.EndsWith("MiB", StringComparison.Ordinal) ? (t[..^3], 1L << 20)
            : t.EndsWith("KiB", StringComparison.Ordinal) ? (t[..^3], 1L << 10)
            : (t, 1L);
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 && n <= long.MaxValue / scale
            ? n * scale
            : throw new FormatException($"{option} {Appliance.Kernels.Text.QuotedText.Quote(text)}: expected a positive size in bytes, or with KiB, MiB or GiB (e.g. 64MiB)");
    }
}
