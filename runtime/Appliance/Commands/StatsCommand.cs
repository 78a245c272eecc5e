using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Text;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance stats FILE.csv --column NAME --window N [--json]</c>: the per-window features of one column of a recorded
/// CSV over tumbling windows of N rows (the last, partial window included), computed with the fused window kernel.
/// </summary>
/// <remarks>
/// <para>Input: RFC 4180 comma-separated text with a header row naming the columns; fields may be quoted; the column's
/// values are parsed as invariant-culture doubles. An empty field, <c>NaN</c>, <c>nan</c> or <c>NA</c> is a missing
/// sample (counted in <c>nan_count</c> and skipped, as pandas <c>read_csv</c> and its skipna reductions do); any other
/// unparsable field is bad input (exit code 2, naming file, line and column).</para>
/// <para>Output, one line per window: with <c>--json</c> one JSON object (keys <c>window</c>, <c>start_row</c>,
/// <c>rows</c>, <c>count</c>, <c>nan_count</c>, <c>mean</c>, <c>std</c>, <c>min</c>, <c>max</c>, <c>rms</c>,
/// <c>skewness</c>, <c>kurtosis</c>, <c>sum</c>, <c>peak_to_peak</c>, <c>crest_factor</c>, <c>zero_crossing_rate</c>,
/// <c>first</c>, <c>last</c>); undefined values (for example <c>std</c> of one sample) are JSON <c>null</c>, where pandas
/// gives NaN. <c>std</c> is the sample standard deviation (n-1), <c>skewness</c> and <c>kurtosis</c> the bias-corrected
/// G1 and excess G2 of pandas <c>Series.skew()</c>/<c>Series.kurt()</c> (see <see cref="WindowFeatures"/>). Without
/// <c>--json</c>, the same figures as an aligned table. Doubles print in round-trip form ("R"), so no digit is lost.</para>
/// </remarks>
internal static class StatsCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV file with a header row" };
        var column = new Option<string>("--column") { Description = "Name of the column to summarise", Required = true };
        var window = new Option<int>("--window") { Description = "Rows per tumbling window (the last window may be shorter)", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per line and window" };
        var cmd = new Command("stats", "Per-window statistics of one CSV column over tumbling windows of N rows");
        cmd.Arguments.Add(file);
        cmd.Options.Add(column);
        cmd.Options.Add(window);
        cmd.Options.Add(json);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(file)!, p.GetValue(column)!, p.GetValue(window), p.GetValue(json)))));
        return cmd;
    }

    private static int Run(FileInfo file, string column, int window, bool json)
    {
        using var stdout = Console.OpenStandardOutput();
        Write(file, column, window, json, stdout);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The whole of <c>appliance stats</c> after start-up: reads and parses the column, runs the fused kernel over each
    /// tumbling window of <paramref name="window"/> rows and writes the lines to <paramref name="output"/>
    /// (<c>appliance bench stats</c> times exactly this, in-process).
    /// </summary>
    /// <returns>The numbers of windows written and of data rows read.</returns>
    /// <exception cref="ArgumentException"><paramref name="window"/> is under 1.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The CSV has no such column, or a field is not a number (file:line and column named).</exception>
    internal static (int Windows, int Rows) Write(FileInfo file, string column, int window, bool json, Stream output)
    {
        if (window < 1)
        {
            throw new ArgumentException($"--window {window}: expected a whole number of rows >= 1");
        }

        if (!file.Exists)
        {
            throw new FileNotFoundException($"{file.FullName}: file not found");
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
                WriteJson(w, windows, start, rows, in f);
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

    private static void WriteJson(Utf8JsonWriter w, int window, int start, int rows, in WindowFeatures f)
    {
        w.WriteStartObject();
        w.WriteNumber("window"u8, window);
        w.WriteNumber("start_row"u8, start);
        w.WriteNumber("rows"u8, rows);
        w.WriteNumber("count"u8, f.Count);
        w.WriteNumber("nan_count"u8, f.NanCount);
        Number(w, "mean"u8, f.Mean);
        Number(w, "std"u8, f.StdDev);
        Number(w, "min"u8, f.Min);
        Number(w, "max"u8, f.Max);
        Number(w, "rms"u8, f.Rms);
        Number(w, "skewness"u8, f.Skewness);
        Number(w, "kurtosis"u8, f.Kurtosis);
        Number(w, "sum"u8, f.Sum);
        Number(w, "peak_to_peak"u8, f.PeakToPeak);
        Number(w, "crest_factor"u8, f.CrestFactor);
        Number(w, "zero_crossing_rate"u8, f.ZeroCrossingRate);
        Number(w, "first"u8, f.First);
        Number(w, "last"u8, f.Last);
        w.WriteEndObject();
    }

    /// <summary>JSON has no NaN or infinity (RFC 8259 §6): an undefined or infinite value is written as null.</summary>
    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>Reads one column of the CSV as doubles, missing fields as NaN; throws <see cref="FormatException"/> naming file, line and column.</summary>
    /// <remarks>The file is memory-mapped read-only and parsed in place (no copy into a buffer, no per-row string or list
    /// growth), into one uninitialised array of at most one value per line.</remarks>
    private static ArraySegment<double> ReadColumn(string path, string column)
    {
        long size = new FileInfo(path).Length;
        if (size > int.MaxValue)
        {
            throw new FormatException($"{path}: {size} bytes: expected a CSV file under 2 GiB");
        }

        if (size == 0)
        {
            return ParseColumn([], path, column);
        }

        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
        SafeMemoryMappedViewHandle handle = view.SafeMemoryMappedViewHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            // The view's first byte, as a managed reference to unmanaged memory that stays mapped until the view is disposed.
            ref byte first = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), handle.DangerousGetHandle() + (nint)view.PointerOffset);
            return ParseColumn(MemoryMarshal.CreateReadOnlySpan(ref first, (int)size), path, column);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static ArraySegment<double> ParseColumn(ReadOnlySpan<byte> rest, string path, string column)
    {
        if (rest.StartsWith("\xEF\xBB\xBF"u8))
        {
            rest = rest[3..];
        }

        int lineNo = 1;
        ReadOnlySpan<byte> header = NextLine(ref rest);
        int index = -1, fields = 0;
        bool duplicate = false;
        byte[] name = Encoding.UTF8.GetBytes(column);
        foreach (Range r in new FieldEnumerator(header))
        {
            if (Unquote(header[r]).SequenceEqual(name))
            {
                duplicate |= index >= 0;
                index = index < 0 ? fields : index;
            }

            fields++;
        }

        if (index < 0)
        {
            throw new FormatException($"{path}:1: no column '{column}' in the header (columns: {Encoding.UTF8.GetString(header)})");
        }

        if (duplicate)
        {
            throw new FormatException($"{path}:1: column '{column}' appears more than once in the header (expected one column of that name)");
        }

        // At most one value per remaining line (a last line without its newline included).
        double[] values = GC.AllocateUninitializedArray<double>(rest.Count((byte)'\n') + 1);
        int count = 0;
        while (!rest.IsEmpty)
        {
            lineNo++;
            ReadOnlySpan<byte> line = NextLine(ref rest);
            if (line.IsEmpty)
            {
                continue;
            }

            if (TryFieldWithoutQuotes(line, index, fields, out ReadOnlySpan<byte> plain))
            {
                values[count++] = Parse(plain, path, lineNo, column);
                continue;
            }

            // A quoted line, or one with the wrong number of fields: field by field, and every row must have as many
            // fields as the header (RFC 4180 §2.4), so that a value with an unquoted comma is not silently cut.
            int f = 0;
            Range wanted = default;
            foreach (Range r in new FieldEnumerator(line))
            {
                if (f++ == index)
                {
                    wanted = r;
                }
            }

            if (f != fields)
            {
                throw new FormatException($"{path}:{lineNo}: the row has {f} fields, expected {fields} as in the header (quote a value that holds a comma)");
            }

            values[count++] = Parse(Unquote(line[wanted]), path, lineNo, column);
        }

        return new ArraySegment<double>(values, 0, count);
    }

    /// <summary>
    /// The common case of a line with no quote before the end of the wanted field: the field found by skipping
    /// <paramref name="index"/> commas with vectorised searches instead of the byte-by-byte <see cref="FieldEnumerator"/>.
    /// </summary>
    /// <returns>False when a quote comes first or the line has too few fields (the caller then takes the general path,
    /// which also words the error).</returns>
    private static bool TryFieldWithoutQuotes(ReadOnlySpan<byte> line, int index, int fields, out ReadOnlySpan<byte> field)
    {
        field = default;
        for (int k = 0; k < index; k++)
        {
            int c = line.IndexOfAny((byte)',', (byte)'"');
            if (c < 0 || line[c] == (byte)'"')
            {
                return false;
            }

            line = line[(c + 1)..];
        }

        int end = line.IndexOfAny((byte)',', (byte)'"');
        if (end >= 0 && line[end] == (byte)'"')
        {
            return false;
        }

        field = end < 0 ? line : line[..end];
        if (end < 0)
        {
            return index + 1 == fields;
        }

        // The fields after the wanted one: no quote among them, and the header's count in all.
        ReadOnlySpan<byte> after = line[(end + 1)..];
        return after.IndexOf((byte)'"') < 0 && index + 2 + after.Count((byte)',') == fields;
    }

    private static double Parse(ReadOnlySpan<byte> field, string path, int lineNo, string column)
    {
        field = field.Trim(" \t"u8);
        if (field.IsEmpty || field.SequenceEqual("NaN"u8) || field.SequenceEqual("nan"u8) || field.SequenceEqual("NA"u8))
        {
            return double.NaN;
        }

        // Clinger's exact fast path for plain decimals, the BCL's parser for everything else: the same doubles.
        if (DecimalText.TryParse(field, out double x))
        {
            if (double.IsInfinity(x))
            {
                throw new FormatException($"{path}:{lineNo}: column '{column}' = '{Encoding.UTF8.GetString(field)}': out of range (expected a finite number, magnitude at most 1.8e308)");
            }

            return x;
        }

        throw new FormatException($"{path}:{lineNo}: column '{column}' = '{Encoding.UTF8.GetString(field)}': expected a number, or empty/NaN/NA for a missing sample");
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        int nl = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = nl < 0 ? rest : rest[..nl];
        rest = nl < 0 ? [] : rest[(nl + 1)..];
        return line.EndsWith("\r"u8) ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> field) =>
        field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"' ? field[1..^1] : field;

    /// <summary>Comma-separated fields of one line; commas inside double quotes do not split (RFC 4180 §2.6).</summary>
    private ref struct FieldEnumerator(ReadOnlySpan<byte> line)
    {
        private readonly ReadOnlySpan<byte> _line = line;
        private int _start = -1;
        private int _end = -1;

        public readonly Range Current => new(_start, _end);

        public readonly FieldEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_end >= _line.Length)
            {
                return false;
            }

            _start = _end + 1;
            bool quoted = false;
            int i = _start;
            for (; i < _line.Length; i++)
            {
                byte b = _line[i];
                if (b == (byte)'"')
                {
                    quoted = !quoted;
                }
                else if (b == (byte)',' && !quoted)
                {
                    break;
                }
            }

            _end = i;
            return true;
        }
    }
}
