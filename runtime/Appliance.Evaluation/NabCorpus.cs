using System.Buffers;
using System.Globalization;
using System.Text;
using Appliance.Kernels.Text;
using System.Text.Json;

namespace Appliance.Evaluation;

/// <summary>
/// The Numenta Anomaly Benchmark corpus on disk (numenta/NAB layout): <c>data/&lt;category&gt;/&lt;name&gt;.csv</c>
/// (<c>timestamp,value</c>, timestamps <c>yyyy-MM-dd HH:mm:ss</c>), <c>labels/combined_windows.json</c> (windows per file)
/// and <c>config/profiles.json</c> (cost matrices).
/// </summary>
public sealed class NabCorpus
{
    private const string RowTimeFormat = "yyyy-MM-dd HH:mm:ss";

    private NabCorpus(string root, IReadOnlyList<NabSeries> series, IReadOnlyList<NabProfile> profiles, int labelledWindows)
    {
        Root = root;
        Series = series;
        Profiles = profiles;
        LabelledWindows = labelledWindows;
    }

    /// <summary>The corpus directory.</summary>
    public string Root { get; }

    /// <summary>The series, in the order of <c>combined_windows.json</c>.</summary>
    public IReadOnlyList<NabSeries> Series { get; }

    /// <summary>The profiles of <c>config/profiles.json</c>.</summary>
    public IReadOnlyList<NabProfile> Profiles { get; }

    /// <summary>Number of labelled windows in all files: NAB's "tpCount", the perfect detector's number of detections.</summary>
    public int LabelledWindows { get; }

    /// <summary>Loads the corpus under <paramref name="root"/>.</summary>
    /// <param name="root">Directory holding <c>data/</c>, <c>labels/</c> and <c>config/</c>.</param>
    /// <param name="progress">Called after each file with (files read, files in all); may be null.</param>
    /// <exception cref="DirectoryNotFoundException">root or root/data is missing.</exception>
    /// <exception cref="FileNotFoundException">A labels, profiles or data file is missing.</exception>
    /// <exception cref="FormatException">A file is malformed (the message names file, line and what was expected).</exception>
    public static NabCorpus Load(string root, Action<int, int>? progress = null)
    {
        if (!Directory.Exists(Path.Combine(root, "data")))
        {
            throw new DirectoryNotFoundException($"{root}: not a NAB corpus (expected {Path.Combine(root, "data")}/<category>/<name>.csv)");
        }

        var profiles = NabProfile.Load(Path.Combine(root, "config", "profiles.json"));
        var labelsPath = Path.Combine(root, "labels", "combined_windows.json");
        using var labels = NabJson.Parse(labelsPath);
        var entries = new List<(string Path, (DateTime, DateTime)[] Limits)>();
        foreach (var file in labels.RootElement.EnumerateObject())
        {
            if (file.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{labelsPath}: \"{file.Name}\": expected an array of [start, end] pairs");
            }

            var limits = new List<(DateTime, DateTime)>();
            foreach (var pair in file.Value.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                {
                    throw new FormatException($"{labelsPath}: \"{file.Name}\": expected [start, end] timestamps");
                }

                limits.Add((LabelTime(labelsPath, file.Name, pair[0]), LabelTime(labelsPath, file.Name, pair[1])));
            }

            entries.Add((file.Name, [.. limits]));
        }

        var series = new NabSeries[entries.Count];
        var done = 0;
        Parallel.For(0, entries.Count, i =>
        {
            var (rel, limits) = entries[i];
            var (times, values) = ReadCsv(Path.Combine(root, "data", rel), "value");
            series[i] = new NabSeries(rel, times, values, ToWindows(rel, times, limits));
            progress?.Invoke(Interlocked.Increment(ref done), entries.Count);
        });
        return new NabCorpus(root, series, profiles, entries.Sum(e => e.Limits.Length));
    }

    /// <summary>
    /// Reads a detector's published per-row scores for every series: <c>RESULTS/&lt;category&gt;/&lt;detector&gt;_&lt;name&gt;.csv</c>
    /// with a header naming an <c>anomaly_score</c> column (NAB results layout).
    /// </summary>
    /// <param name="resultsDir">The detector's results directory (for example <c>nab/results/windowedGaussian</c>).</param>
    /// <param name="detector">The detector's name, the file-name prefix.</param>
    /// <returns>One score array per series, in <see cref="Series"/> order.</returns>
    /// <exception cref="FileNotFoundException">A series has no score file.</exception>
    /// <exception cref="FormatException">A score file is malformed or its row count or timestamps differ from the data file.</exception>
    public double[][] ReadScores(string resultsDir, string detector)
    {
        var scores = new double[Series.Count][];
        Parallel.For(0, Series.Count, i =>
        {
            var s = Series[i];
            var category = Path.GetDirectoryName(s.RelativePath) ?? string.Empty;
            var path = Path.Combine(resultsDir, category, detector + "_" + Path.GetFileName(s.RelativePath));
            var (times, values) = ReadCsv(path, "anomaly_score", allowMissing: true);
            if (times.Length != s.Length)
            {
                throw new FormatException($"{path}: {times.Length} rows, but {s.RelativePath} has {s.Length}");
            }

            for (var r = 0; r < times.Length; r++)
            {
                if (times[r] != s.Timestamps[r])
                {
                    throw new FormatException($"{path}:{r + 2}: timestamp {times[r]:yyyy-MM-dd HH:mm:ss} differs from the data file's {s.Timestamps[r]:yyyy-MM-dd HH:mm:ss}");
                }
            }

            scores[i] = values;
        });
        return scores;
    }

    /// <summary>
    /// Writes per-row scores in NAB's results layout, as NAB's runner writes a detector's results:
    /// <c>DIR/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;name&gt;.csv</c> with the header
    /// <c>timestamp,value,anomaly_score,label</c> (label 1 on the rows inside a labelled window), values in round-trip ("R")
    /// form, so that <see cref="ReadScores"/> on <c>DIR/&lt;detector&gt;</c> gives back the same doubles.
    /// </summary>
    /// <param name="dir">The results directory.</param>
    /// <param name="detector">The detector's name (folder and file prefix).</param>
    /// <param name="scores">One score array per series, in <see cref="Series"/> order.</param>
    public void WriteScores(string dir, string detector, IReadOnlyList<double[]> scores)
    {
        var ci = CultureInfo.InvariantCulture;
        Parallel.For(0, Series.Count, i =>
        {
            var s = Series[i];
            var path = Path.Combine(dir, detector, Path.GetDirectoryName(s.RelativePath) ?? string.Empty, detector + "_" + Path.GetFileName(s.RelativePath));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var label = new byte[s.Length];
            foreach (var w in s.Windows)
            {
                label.AsSpan(w.Start, w.Length).Fill(1);
            }

            var sb = new StringBuilder("timestamp,value,anomaly_score,label\n");
            for (var r = 0; r < s.Length; r++)
            {
                sb.Append(s.Timestamps[r].ToString(RowTimeFormat, ci)).Append(',').Append(s.Values[r].ToString("R", ci)).Append(',')
                    .Append(scores[i][r].ToString("R", ci)).Append(',').Append(label[r]).Append('\n');
            }

            File.WriteAllText(path, sb.ToString());
        });
    }

    /// <summary>Reads a <c>timestamp,...</c> CSV with <see cref="CsvReader"/>, returning the timestamps and the column named
    /// <paramref name="column"/>; at least one row, every value a number (NaN is not accepted: NAB files have none).</summary>
    /// <param name="path">The file.</param>
    /// <param name="column">The value column's name.</param>
    /// <param name="allowMissing">Read a missing value (<c>NaN</c>, empty) as NaN: a detector's score file may hold rows it did not score.</param>
    internal static (DateTime[] Times, double[] Values) ReadCsv(string path, string column, bool allowMissing = false)
    {
        var times = new List<DateTime>(4096);
        var values = new List<double>(4096);
        using var reader = CsvReader.Open(path, new CsvFormat { ExampleHeader = $"timestamp,{column}", RequireRows = true });
        if (reader.Header[0] != "timestamp")
        {
            throw reader.Error(1, $"header '{string.Join(',', reader.Header)}': expected 'timestamp' first and a '{column}' column");
        }

        var col = reader.Column(column);
        while (reader.ReadRow())
        {
            times.Add(RowTime(reader, 0));
            values.Add(reader.Double(col, allowMissing));
        }

        return ([.. times], [.. values]);
    }

    /// <summary>The row's timestamp in column <paramref name="column"/>, <c>yyyy-MM-dd HH:mm:ss</c> read as UTC (NAB's and SKAB's format).</summary>
    /// <exception cref="FormatException">The field is not such a timestamp (file, line and column named).</exception>
    internal static DateTime RowTime(CsvReader reader, int column)
    {
        Span<char> text = stackalloc char[RowTimeFormat.Length];
        var field = reader.Field(column);
        if (field.Length != text.Length || Ascii.ToUtf16(field, text, out _) != OperationStatus.Done
            || !DateTime.TryParseExact(text, RowTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            throw reader.Error($"column '{reader.Header[column]}' = '{reader.Text(column)}': expected a timestamp 'yyyy-MM-dd HH:mm:ss'");
        }

        return t;
    }

    private static DateTime LabelTime(string path, string file, JsonElement e)
    {
        var s = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return s is not null && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw new FormatException($"{path}: \"{file}\": window limit {e}: expected a timestamp 'yyyy-MM-dd HH:mm:ss.ffffff'");
    }

    // scorer.Window: the rows with t1 <= timestamp <= t2, from the first such row to the last. The published files are
    // not strictly ordered (realAdExchange/exchange-2_cpm_results.csv repeats a timestamp; realKnownCause/
    // machine_temperature_system_failure.csv steps back at row 10151), so rows are taken in file order, as NAB does.
    private static NabWindow[] ToWindows(string rel, DateTime[] times, (DateTime Start, DateTime End)[] limits)
    {
        var windows = new NabWindow[limits.Length];
        for (var w = 0; w < limits.Length; w++)
        {
            var start = Array.FindIndex(times, t => t >= limits[w].Start);
            var end = Array.FindLastIndex(times, t => t <= limits[w].End);
            if (start < 0 || start > end || (w > 0 && start <= windows[w - 1].End))
            {
                throw new FormatException($"labels/combined_windows.json: \"{rel}\" window {w} [{limits[w].Start:O}, {limits[w].End:O}] holds no rows or overlaps the previous window");
            }

            windows[w] = new NabWindow(start, end);
        }

        return windows;
    }
}
