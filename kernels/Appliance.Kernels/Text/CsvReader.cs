using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace Appliance.Kernels.Text;

/// <summary>
/// The one reader of every CSV the product reads (<c>appliance stats</c>, replayed recordings, training input, the NAB
/// corpus): UTF-8 text, a header row naming the columns, then one record per line, read row by row from the file.
/// </summary>
/// <remarks>
/// <para>Rules, the same for every caller: fields are split on <see cref="CsvFormat.Separator"/>; a separator inside
/// double quotes does not split and a quoted field's outer quotes are not part of its value (RFC 4180 §2.5-2.7; a quoted
/// field may not hold a line break). Lines end in LF or CRLF; a UTF-8 byte order mark is skipped; blank lines (empty, or
/// only spaces and tabs) are skipped. Every row has exactly as many fields as the header (RFC 4180 §2.4), so a value with
/// an unquoted separator is an error rather than a silently shifted row. An empty file is an error; a file with only a
/// header is one when <see cref="CsvFormat.RequireRows"/> is set.</para>
/// <para>Numbers (<see cref="Double"/>, <see cref="Single"/>): spaces and tabs around the value are ignored; an empty
/// field, <c>NaN</c>, <c>nan</c> or <c>NA</c> is a missing value (as pandas <c>read_csv</c> reads them); anything else is
/// read with <see cref="NumberStyles.Float"/> in the invariant culture and correctly rounded to the type asked for
/// (<see cref="DecimalText"/> for doubles); a value beyond the type's finite range is an error.</para>
/// <para>Every error is a <see cref="FormatException"/> whose message is <c>file:line: what was found, what was
/// expected</c> (lines count from 1, the header being line 1).</para>
/// <para>The file is either streamed through one reused buffer (<see cref="Open"/>; it grows only for a line longer
/// than itself) or memory-mapped whole (<see cref="OpenMapped"/>, for a file read at once, as <c>appliance stats</c>
/// does). After the header, <see cref="ReadRow"/> and the field accessors allocate nothing. Not thread-safe.</para>
/// </remarks>
public sealed unsafe class CsvReader : IDisposable
{
    private const int InitialBuffer = 64 * 1024;

    private readonly CsvFormat _format;
    private readonly byte _separator;
    private readonly FileStream? _stream;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _mapped;
    private readonly int _mappedLength;
    private readonly int[] _starts;
    private readonly int[] _ends;
    private byte[] _buffer = [];
    private int _length;
    private int _position;
    private bool _endOfFile;
    private int _lineStart;
    private int _count;
    private readonly int _fieldCount;
    private bool _disposed;

    private CsvReader(string path, CsvFormat? format, bool mapped)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _format = format ?? CsvFormat.Default;
        _format.Validate();
        _separator = (byte)_format.Separator;
        Path = path;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file (expected a CSV file with a header row{Example()})", path);
        }

        try
        {
            if (mapped)
            {
                long size = new FileInfo(path).Length;
                if (size > int.MaxValue)
                {
                    throw Error(1, $"{size} bytes: expected a CSV file under 2 GiB");
                }

                if (size > 0)
                {
                    _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                    _view = _map.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
                    byte* first = null;
                    _view.SafeMemoryMappedViewHandle.AcquirePointer(ref first);
                    _mapped = first + _view.PointerOffset;
                    _mappedLength = (int)size;
                }

                _endOfFile = true;
            }
            else
            {
                // No FileStream buffer: reads go straight into this reader's own buffer.
                _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
                _buffer = new byte[InitialBuffer];
            }

            if (!NextLine(out ReadOnlySpan<byte> header))
            {
                throw Error(1, $"the file is empty (expected a header row{Example()})");
            }

            int bound = header.Count(_separator) + 1;
            _starts = new int[bound];
            _ends = new int[bound];
            int count = Split(header);
            if (count < 0)
            {
                throw Error(UnclosedQuote);
            }

            var names = new string[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = Decode(Field(i));
            }

            Header = Array.AsReadOnly(names);
            _fieldCount = count; // per row, without an interface call through Header
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file, as given; every error message starts with it.</summary>
    public string Path { get; }

    /// <summary>The column names of the header row, trimmed of spaces and tabs, without quotes.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The 1-based number of the line read last (the header is line 1).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Data rows read so far.</summary>
    public int Rows { get; private set; }

    /// <summary>Opens <paramref name="path"/>, streamed through a reused buffer, and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The rules; <see cref="CsvFormat.Default"/> when null.</param>
    /// <returns>The reader, positioned after the header.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist (the message starts with <c>path: no such file</c>).</exception>
    /// <exception cref="FormatException">The file is empty, or a quote in the header is not closed (<c>path:1: ...</c>).</exception>
    /// <exception cref="ArgumentException">The format's separator is not allowed (<see cref="CsvFormat.Separator"/>).</exception>
    public static CsvReader Open(string path, CsvFormat? format = null) => new(path, format, mapped: false);

    /// <summary>Opens <paramref name="path"/> memory-mapped whole (read-only, under 2 GiB) and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The rules; <see cref="CsvFormat.Default"/> when null.</param>
    /// <returns>The reader, positioned after the header.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is empty, 2 GiB or more, or a quote in the header is not closed.</exception>
    /// <exception cref="ArgumentException">The format's separator is not allowed.</exception>
    public static CsvReader OpenMapped(string path, CsvFormat? format = null) => new(path, format, mapped: true);

    /// <summary>The index of the column named <paramref name="name"/> (ordinal comparison).</summary>
    /// <param name="name">The column's name.</param>
    /// <returns>The 0-based field index.</returns>
    /// <exception cref="FormatException">No column, or more than one, has that name (<c>path:1: ...</c>).</exception>
    public int Column(string name)
    {
        int index = FindColumn(name, StringComparison.Ordinal);
        if (index < 0)
        {
            throw Error(1, $"no column '{name}' in the header (columns: {string.Join(", ", Header)})");
        }

        for (int i = index + 1; i < Header.Count; i++)
        {
            if (string.Equals(Header[i], name, StringComparison.Ordinal))
            {
                throw Error(1, $"column '{name}' appears more than once in the header (expected one column of that name)");
            }
        }

        return index;
    }

    /// <summary>The index of the first column named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="comparison">How names are compared.</param>
    /// <returns>The 0-based field index, or -1 when no column has that name.</returns>
    public int FindColumn(string name, StringComparison comparison)
    {
        for (int i = 0; i < Header.Count; i++)
        {
            if (string.Equals(Header[i], name, comparison))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// An upper bound on the data rows still to read: the line breaks left plus one. Only for a reader from
    /// <see cref="OpenMapped"/>, so that a caller can size its arrays once.
    /// </summary>
    /// <returns>The bound.</returns>
    /// <exception cref="InvalidOperationException">The reader streams its file.</exception>
    public int RemainingLinesBound()
    {
        if (_stream is not null)
        {
            throw new InvalidOperationException("RemainingLinesBound needs a reader from OpenMapped");
        }

        return Window[_position..].Count((byte)'\n') + 1;
    }

    /// <summary>Reads the next data row (blank lines skipped).</summary>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="FormatException">The row has a different number of fields than the header, or a quote is not closed,
    /// or (with <see cref="CsvFormat.RequireRows"/>) the file has no data row.</exception>
    public bool ReadRow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (NextLine(out ReadOnlySpan<byte> line))
        {
            // Blank: empty, or (checked only when it starts with one) nothing but spaces and tabs.
            if (line.IsEmpty || (line[0] is (byte)' ' or (byte)'\t' && line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0))
            {
                continue;
            }

            int count = Split(line);
            if (count < 0)
            {
                throw Error(UnclosedQuote);
            }

            if (count != _fieldCount)
            {
                throw Error($"the row has {count} fields, expected {_fieldCount} as in the header (quote a value that holds a {SeparatorName()})");
            }

            Rows++;
            return true;
        }

        if (Rows == 0 && _format.RequireRows)
        {
            throw Error(LineNumber + 1, "no data rows after the header (expected at least one row)");
        }

        return false;
    }

    /// <summary>Field <paramref name="column"/> of the current row (or of the header before the first row): trimmed of
    /// spaces and tabs, its outer quotes removed (a doubled quote inside stays doubled; <see cref="Text"/> undoes it).
    /// Valid until the next <see cref="ReadRow"/>.</summary>
    /// <param name="column">0-based field index, below <see cref="Header"/>'s count.</param>
    /// <returns>The field's UTF-8 bytes.</returns>
    public ReadOnlySpan<byte> Field(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, _count);
        ReadOnlySpan<byte> field = Window.Slice(_lineStart + _starts[column], _ends[column] - _starts[column]);
        if (field.IsEmpty || (field[0] > (byte)'"' && field[^1] > (byte)'"'))
        {
            return field; // the common case: no space, tab or quote at either end (all three sort at or below '"')
        }

        field = field.Trim(" \t"u8);
        return field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"' ? field[1..^1].Trim(" \t"u8) : field;
    }

    /// <summary>Field <paramref name="column"/> of the current row as a string (doubled quotes read as one).</summary>
    /// <param name="column">0-based field index.</param>
    /// <returns>The text; allocates.</returns>
    public string Text(int column) => Decode(Field(column));

    /// <summary>Field <paramref name="column"/> of the current row as a double (rules in the remarks of <see cref="CsvReader"/>).</summary>
    /// <param name="column">0-based field index.</param>
    /// <param name="allowMissing">True: a missing value reads as NaN. False: it is an error.</param>
    /// <returns>The double nearest the decimal value, or NaN for a missing value.</returns>
    /// <exception cref="FormatException">The field is not a number, is beyond ±1.8e308, or is missing where not allowed;
    /// the message is <c>path:line: column 'NAME' = 'TEXT': ...</c>.</exception>
    public double Double(int column, bool allowMissing = true)
    {
        ReadOnlySpan<byte> field = Field(column);
        if (IsMissing(field) || !DecimalText.TryParse(field, out double value) || double.IsNaN(value))
        {
            return Missing(column, field, allowMissing);
        }

        return double.IsInfinity(value) ? throw OutOfRange(column, field, "1.8e308") : value;
    }

    /// <summary>Field <paramref name="column"/> of the current row as a float (binary32), read directly (not through a
    /// double, which could round twice); otherwise as <see cref="Double"/>.</summary>
    /// <param name="column">0-based field index.</param>
    /// <param name="allowMissing">True: a missing value reads as NaN. False: it is an error.</param>
    /// <returns>The float nearest the decimal value, or NaN for a missing value.</returns>
    /// <exception cref="FormatException">The field is not a number, is beyond ±3.4e38, or is missing where not allowed.</exception>
    public float Single(int column, bool allowMissing = true)
    {
        ReadOnlySpan<byte> field = Field(column);
        if (IsMissing(field) || !float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || float.IsNaN(value))
        {
            return (float)Missing(column, field, allowMissing);
        }

        return float.IsInfinity(value) ? throw OutOfRange(column, field, "3.4e38") : value;
    }

    /// <summary>True for the spellings of a missing value: empty, <c>NaN</c>, <c>nan</c>, <c>NA</c>.</summary>
    /// <param name="field">A trimmed field.</param>
    /// <returns>Whether the field is a missing value.</returns>
    public static bool IsMissing(ReadOnlySpan<byte> field) =>
        field.Length <= 3 && (field.IsEmpty || field.SequenceEqual("NaN"u8) || field.SequenceEqual("nan"u8) || field.SequenceEqual("NA"u8));

    /// <summary>An error at the current line: <c>path:line: message</c>.</summary>
    /// <param name="message">What was found and what was expected.</param>
    /// <returns>The exception, for the caller to throw.</returns>
    public FormatException Error(string message) => Error(LineNumber, message);

    /// <summary>An error at line <paramref name="line"/>: <c>path:line: message</c>.</summary>
    /// <param name="line">The 1-based line.</param>
    /// <param name="message">What was found and what was expected.</param>
    /// <returns>The exception, for the caller to throw.</returns>
    public FormatException Error(int line, string message) => new($"{Path}:{line.ToString(CultureInfo.InvariantCulture)}: {message}");

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_mapped != null)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        _view?.Dispose();
        _map?.Dispose();
        _stream?.Dispose();
    }

    private const string UnclosedQuote = "a quoted field is not closed on its line (expected a closing '\"'; a field cannot hold a line break)";

    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private ReadOnlySpan<byte> Window => _mapped != null ? new ReadOnlySpan<byte>(_mapped, _mappedLength) : _buffer.AsSpan(0, _length);

    private double Missing(int column, ReadOnlySpan<byte> field, bool allowMissing)
    {
        if (allowMissing && IsMissing(field))
        {
            return double.NaN;
        }

        throw Error(allowMissing
            ? $"column '{Header[column]}' = '{Encoding.UTF8.GetString(field)}': expected a number, or empty/NaN/NA for a missing sample"
            : $"column '{Header[column]}' = '{Encoding.UTF8.GetString(field)}': expected a finite number");
    }

    private FormatException OutOfRange(int column, ReadOnlySpan<byte> field, string limit) =>
        Error($"column '{Header[column]}' = '{Encoding.UTF8.GetString(field)}': out of range (expected a finite number, magnitude at most {limit})");

    private string Example() => _format.ExampleHeader is { } example ? $", such as '{example}'" : string.Empty;

    private string SeparatorName() => _format.Separator switch { ',' => "comma", ';' => "semicolon", '\t' => "tab", char c => $"'{c}'" };

    private static string Decode(ReadOnlySpan<byte> field)
    {
        string text = Encoding.UTF8.GetString(field);
        return text.Contains("\"\"", StringComparison.Ordinal) ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    /// <summary>Splits <paramref name="line"/> (at <see cref="_lineStart"/> of the window) into the field bounds.</summary>
    /// <returns>The number of fields (bounds kept for the first <see cref="_starts"/>.Length), or -1 for an unclosed quote.</returns>
    private int Split(ReadOnlySpan<byte> line)
    {
        int count = 0;
        int pos = 0;
        while (true)
        {
            // The common case, a field without quotes, is one vectorised search for the separator or a quote.
            int next = line[pos..].IndexOfAny(_separator, (byte)'"');
            int end;
            if (next >= 0 && line[pos + next] == (byte)'"')
            {
                bool quoted = false;
                end = pos + next;
                for (; end < line.Length; end++)
                {
                    byte b = line[end];
                    if (b == (byte)'"')
                    {
                        quoted = !quoted;
                    }
                    else if (b == _separator && !quoted)
                    {
                        break;
                    }
                }

                if (quoted)
                {
                    _count = 0;
                    return -1;
                }
            }
            else
            {
                end = next < 0 ? line.Length : pos + next;
            }

            if (count < _starts.Length)
            {
                _starts[count] = pos;
                _ends[count] = end;
            }

            count++;
            if (end >= line.Length)
            {
                _count = Math.Min(count, _starts.Length);
                return count;
            }

            pos = end + 1;
        }
    }

    /// <summary>The next line without its LF or CRLF (and without a leading byte order mark), as a span over the window,
    /// valid until the next call.</summary>
    private bool NextLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            ReadOnlySpan<byte> window = Window;
            int newline = window[_position..].IndexOf((byte)'\n');
            int start = _position, length;
            if (newline >= 0)
            {
                length = newline;
                _position += newline + 1;
            }
            else if (_endOfFile)
            {
                if (_position >= window.Length)
                {
                    line = default;
                    return false;
                }

                length = window.Length - _position;
                _position = window.Length;
            }
            else
            {
                Fill();
                continue;
            }

            // The UTF-8 byte order mark, as bytes: "\xEF\xBB\xBF"u8 would be the UTF-8 of U+00EF U+00BB U+00BF instead.
            if (LineNumber == 0 && length >= 3 && window[start..].StartsWith(ByteOrderMark))
            {
                start += 3;
                length -= 3;
            }

            if (length > 0 && window[start + length - 1] == (byte)'\r')
            {
                length--;
            }

            LineNumber++;
            _lineStart = start;
            line = window.Slice(start, length);
            return true;
        }
    }

    private void Fill()
    {
        int remaining = _length - _position;
        if (_position > 0)
        {
            Buffer.BlockCopy(_buffer, _position, _buffer, 0, remaining);
            _position = 0;
            _length = remaining;
        }

        if (_length == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        }

        int read = _stream!.Read(_buffer, _length, _buffer.Length - _length);
        if (read == 0)
        {
            _endOfFile = true;
        }

        _length += read;
    }
}
