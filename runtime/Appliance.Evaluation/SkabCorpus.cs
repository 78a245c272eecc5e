using System.Globalization;
using Appliance.Kernels.Text;

namespace Appliance.Evaluation;

/// <summary>
/// One SKAB experiment (waico/SKAB, <c>data/&lt;group&gt;/&lt;n&gt;.csv</c>): ';'-separated, header
/// <c>datetime;&lt;sensor columns&gt;;anomaly;changepoint</c>, one row per second.
/// </summary>
/// <param name="RelativePath"><c>group/n.csv</c> under the corpus directory, '/'-separated.</param>
/// <param name="Timestamps">Row timestamps (UTC as written).</param>
/// <param name="Channels">The sensor column names, in file order.</param>
/// <param name="Rows">One float array of the sensor values per row.</param>
/// <param name="Anomaly">The <c>anomaly</c> label per row (0 or 1): the outlier markup.</param>
/// <param name="Changepoint">The <c>changepoint</c> label per row (0 or 1): the start and end of the fault.</param>
public sealed record SkabFile(string RelativePath, DateTime[] Timestamps, string[] Channels, float[][] Rows, byte[] Anomaly, byte[] Changepoint)
{
    /// <summary>Number of rows.</summary>
    public int Length => Rows.Length;
}

/// <summary>
/// The labelled SKAB files under a directory: every <c>*.csv</c> below it whose header has <c>anomaly</c> and
/// <c>changepoint</c> columns (files without both, such as <c>anomaly-free/anomaly-free.csv</c>, are not benchmark files and are
/// listed in <see cref="Unlabelled"/>), ordered by folder and then by the number in the file name.
/// </summary>
/// <param name="Root">The corpus directory.</param>
/// <param name="Files">The labelled files.</param>
/// <param name="Unlabelled">Relative paths of the CSV files left out for having no labels.</param>
public sealed record SkabCorpus(string Root, IReadOnlyList<SkabFile> Files, IReadOnlyList<string> Unlabelled)
{
    /// <summary>The CSV format of SKAB's files.</summary>
    public static CsvFormat Format { get; } = new() { Separator = ';', ExampleHeader = "datetime;Accelerometer1RMS;...;anomaly;changepoint", RequireRows = true };

    /// <summary>Reads every labelled file under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory is missing.</exception>
    /// <exception cref="FormatException">A file is malformed (file and line named), or no file is labelled.</exception>
    public static SkabCorpus Load(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: no such directory (expected SKAB's layout: <group>/<n>.csv, ';'-separated, with datetime, sensor, anomaly and changepoint columns)");
        }

        var files = new List<SkabFile>();
        var unlabelled = new List<string>();
        foreach (var path in Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories).OrderBy(p => SortKey(root, p), StringComparer.Ordinal))
        {
            var file = Read(path, Path.GetRelativePath(root, path).Replace('\\', '/'));
            if (file is null)
            {
                unlabelled.Add(Path.GetRelativePath(root, path));
            }
            else
            {
                files.Add(file);
            }
        }

        return files.Count > 0
            ? new SkabCorpus(root, files, unlabelled)
            : throw new FormatException($"{root}: no SKAB file with 'anomaly' and 'changepoint' columns below it");
    }

    /// <summary>Reads one SKAB file; null when its header has no <c>anomaly</c> or no <c>changepoint</c> column.</summary>
    /// <exception cref="FormatException">The file is malformed (file, line and column named).</exception>
    public static SkabFile? Read(string path, string relativePath)
    {
        using var reader = CsvReader.Open(path, Format);
        var header = reader.Header;
        if (header[0] != "datetime")
        {
            throw reader.Error(1, $"header '{string.Join(';', header)}': expected 'datetime' first (SKAB layout, ';'-separated)");
        }

        var anomaly = reader.FindColumn("anomaly", StringComparison.Ordinal);
        var changepoint = reader.FindColumn("changepoint", StringComparison.Ordinal);
        if (anomaly < 0 || changepoint < 0)
        {
            return null;
        }

        var sensors = Enumerable.Range(1, header.Count - 1).Where(c => c != anomaly && c != changepoint).ToArray();
        var times = new List<DateTime>(2048);
        var rows = new List<float[]>(2048);
        var a = new List<byte>(2048);
        var cp = new List<byte>(2048);
        while (reader.ReadRow())
        {
            times.Add(NabCorpus.RowTime(reader, 0));
            var row = new float[sensors.Length];
            for (var j = 0; j < sensors.Length; j++)
            {
                row[j] = reader.Single(sensors[j], allowMissing: false);
            }

            rows.Add(row);
            a.Add(Label(reader, anomaly));
            cp.Add(Label(reader, changepoint));
        }

        return new SkabFile(relativePath, [.. times], [.. sensors.Select(c => header[c])], [.. rows], [.. a], [.. cp]);
    }

    private static byte Label(CsvReader reader, int column)
    {
        var v = reader.Double(column, allowMissing: false);
        return v switch
        {
            0 => 0,
            1 => 1,
            _ => throw reader.Error($"column '{reader.Header[column]}' = '{reader.Text(column)}': expected 0 or 1"),
        };
    }

    // Folder, then the file name's number padded (valve1/2.csv before valve1/10.csv), then the name.
    private static string SortKey(string root, string path)
    {
        var rel = Path.GetRelativePath(root, path).Replace('\\', '/');
        var name = Path.GetFileNameWithoutExtension(rel);
        var number = long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n.ToString("D12", CultureInfo.InvariantCulture) : name;
        return $"{Path.GetDirectoryName(rel)}/{number}/{name}";
    }
}
