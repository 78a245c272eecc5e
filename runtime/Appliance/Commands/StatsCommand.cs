using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Kernels.Statistics;
using Appliance.Kernels.Text;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance stats FILE.csv --column NAME --window N [--json]</c>: the per-window features of one column of a recorded
/// CSV over tumbling windows of N rows (the last, partial window included), computed with the fused window kernel.
/// </summary>
/// <remarks>
/// <para>Input: RFC 4180 comma-separated text with a header row naming the columns and at least one data row, read by the
/// product's one CSV reader (<see cref="CsvReader"/>, its rules and its <c>file:line</c> errors); fields may be quoted; the
/// column's values are parsed as invariant-culture doubles. An empty field, <c>NaN</c>, <c>nan</c> or <c>NA</c> is a missing
/// sample (counted in <c>nan_count</c> and skipped, as pandas <c>read_csv</c> and its skipna reductions do); any other
/// unparsable field is bad input (exit code 2, naming file, line and column).</para>
/// <para>Output, one line per window: with <c>--json</c> one JSON object (keys <c>window</c>, <c>start_row</c>,
/// <c>rows</c>, <c>count</c>, <c>nan_count</c>, <c>mean</c>, <c>std</c>, <c>min</c>, <c>max</c>, <c>rms</c>,
/// <c>skewness</c>, <c>kurtosis</c>, <c>sum</c>, <c>peak_to_peak</c>, <c>crest_factor</c>, <c>zero_crossing_rate</c>,
/// <c>first</c>, <c>last</c>); undefined values (for example <c>std</c> of one sample) are JSON <c>null</c>, where pandas
/// gives NaN. <c>std</c> is the sample standard deviation (n-1), <c>skewness</c> and <c>kurtosis</c> the bias-corrected
/// G1 and excess G2 of pandas <c>Series.skew()</c>/<c>Series.kurt()</c> (see <see cref="WindowFeatures"/>). Without
/// <c>--json</c>, the same figures as an aligned table. Doubles print in round-trip form ("R"), so no digit is lost.</para>
/// <para>With <c>--spectral --rate HZ [--bands ..] [--size N] [--window-fn hann|none] [--envelope-hz F]</c> (JSON only) each
/// line adds the Welch spectral features of its window (<see cref="StatsSpectral"/>, docs/spectral.md).</para>
/// </remarks>
internal static class StatsCommand
{
    private static readonly CsvFormat Format = new() { RequireRows = true };

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV file with a header row" };
        var column = new Option<string>("--column") { Description = "Name of the column to summarise", Required = true };
        var window = new Option<int>("--window") { Description = "Rows per tumbling window (the last window may be shorter)", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per line and window" };
        var spectral = new Option<bool>("--spectral") { Description = "Add each window's Welch spectral features (needs --rate and --json)" };
        var rate = new Option<double?>("--rate") { Description = "Sample rate of the rows in Hz (with --spectral)" };
        var bands = new Option<string?>("--bands") { Description = "Bands for band_rms as LOW-HIGH in Hz, comma-separated (e.g. 10-100,100-500)" };
        var size = new Option<int>("--size") { Description = "Samples per FFT frame, a power of two (frames overlap by half)", DefaultValueFactory = _ => 4096 };
        var windowFn = new Option<string>("--window-fn") { Description = "Window function of each frame: hann or none", DefaultValueFactory = _ => "hann" };
        var envelopeHz = new Option<double?>("--envelope-hz") { Description = "Characteristic frequency in Hz of the envelope line (adds envelope_amplitude)" };
        var cmd = new Command("stats", "Per-window statistics of one CSV column over tumbling windows of N rows");
        cmd.Arguments.Add(file);
        cmd.Options.Add(column);
        cmd.Options.Add(window);
        cmd.Options.Add(json);
        cmd.Options.Add(spectral);
        cmd.Options.Add(rate);
        cmd.Options.Add(bands);
        cmd.Options.Add(size);
        cmd.Options.Add(windowFn);
        cmd.Options.Add(envelopeHz);
        cmd.SetAction(p => Cli.Guard(() =>
        {
            StatsSpectral? analysis = null;
            if (p.GetValue(spectral))
            {
                if (!p.GetValue(json))
                {
                    throw new ArgumentException("--spectral: writes JSON lines only (add --json)");
                }

                analysis = StatsSpectral.Create(p.GetValue(rate), p.GetValue(bands), p.GetValue(size), p.GetValue(windowFn)!, p.GetValue(envelopeHz), Math.Max(p.GetValue(window), 1));
            }
            else if (p.GetValue(rate) is not null || p.GetValue(bands) is not null || p.GetValue(envelopeHz) is not null)
            {
                throw new ArgumentException("--rate, --bands and --envelope-hz go with --spectral");
            }

            return Task.FromResult(Run(p.GetValue(file)!, p.GetValue(column)!, p.GetValue(window), p.GetValue(json), analysis));
        }));
        return cmd;
    }

    private static int Run(FileInfo file, string column, int window, bool json, StatsSpectral? spectral)
    {
        using var stdout = Console.OpenStandardOutput();
        Write(file, column, window, json, stdout, spectral);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The whole of <c>appliance stats</c> after start-up: reads and parses the column, runs the fused kernel over each
    /// tumbling window of <paramref name="window"/> rows (with <c>--spectral</c>, <paramref name="spectral"/> adds the Welch
    /// features to each JSON line) and writes the lines to <paramref name="output"/>
    /// (<c>appliance bench stats</c> times exactly this, in-process).
    /// </summary>
    /// <returns>The numbers of windows written and of data rows read.</returns>
    /// <exception cref="ArgumentException"><paramref name="window"/> is under 1.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The CSV is empty, has no data row or no such column, a row has another number of
    /// fields than the header, or a field is not a number (file:line and column named).</exception>
    internal static (int Windows, int Rows) Write(FileInfo file, string column, int window, bool json, Stream output, StatsSpectral? spectral = null)
    {
        if (window < 1)
        {
            throw new ArgumentException($"--window {window}: expected a whole number of rows >= 1");
        }

        ArraySegment<double> values = ReadColumn(file.FullName, column);
        Stream stdout = output;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        // Validation off: the writer is driven by the fixed code below, which always writes whole, well-formed objects.
        using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        int windows = 0;
        for (int start = 0; start < values.Count; start += window)
        {
            int rows = Math.Min(window, values.Count - start);
            WindowFeatures f = WindowStatistics.Compute(values.AsSpan(start, rows));
            if (json)
            {
                WriteJson(w, windows, start, rows, in f, spectral, values.AsSpan(start, rows));
                w.Flush();
                w.Reset();
                buffer.Write("\n"u8);
            }
            else
            {
                if (windows == 0)
                {
                    buffer.Write(Encoding.UTF8.GetBytes("window start_row rows count nan_count mean std min max rms skewness kurtosis\n"));
                }

                buffer.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                    $"{windows} {start} {rows} {f.Count} {f.NanCount} {f.Mean:R} {f.StdDev:R} {f.Min:R} {f.Max:R} {f.Rms:R} {f.Skewness:R} {f.Kurtosis:R}\n")));
            }

            windows++;
            if (buffer.WrittenCount > 60 * 1024)
            {
                stdout.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        stdout.Write(buffer.WrittenSpan);
        stdout.Flush();
        return (windows, values.Count);
    }

    private static void WriteJson(Utf8JsonWriter w, int window, int start, int rows, in WindowFeatures f, StatsSpectral? spectral, ReadOnlySpan<double> values)
    {
        w.WriteStartObject();
        w.WriteNumber("window"u8, window);
        w.WriteNumber("start_row"u8, start);
        w.WriteNumber("rows"u8, rows);
        Appliance.Contracts.Wire.WindowFeaturesJson.WriteShape(w, f);
        Number(w, "sum"u8, f.Sum);
        Number(w, "peak_to_peak"u8, f.PeakToPeak);
        Number(w, "crest_factor"u8, f.CrestFactor);
        Number(w, "zero_crossing_rate"u8, f.ZeroCrossingRate);
        Number(w, "first"u8, f.First);
        Number(w, "last"u8, f.Last);
        spectral?.Write(w, values);
        w.WriteEndObject();
    }

    /// <summary>JSON has no NaN or infinity (RFC 8259 §6): an undefined or infinite value is written as null.</summary>
    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value) => Appliance.Contracts.Wire.WindowFeaturesJson.Number(w, name, value);

    /// <summary>Reads one column of the CSV as doubles, missing values as NaN; throws <see cref="FormatException"/> naming file, line and column.</summary>
    /// <remarks>The file is memory-mapped read-only and parsed in place by <see cref="CsvReader"/> (no copy into a buffer, no
    /// per-row string or list growth), into one uninitialised array of at most one value per line.</remarks>
    private static ArraySegment<double> ReadColumn(string path, string column)
    {
        using CsvReader reader = CsvReader.OpenMapped(path, Format);
        int index = reader.Column(column);
        double[] values = GC.AllocateUninitializedArray<double>(reader.RemainingLinesBound());
        int count = 0;
        while (reader.ReadRow())
        {
            values[count++] = reader.Double(index);
        }

        return new ArraySegment<double>(values, 0, count);
    }
}
