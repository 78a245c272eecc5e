using System.Globalization;

namespace Appliance.Drivers.Sources;

/// <summary>
/// Replays one numeric column of a <c>timestamp,value</c> CSV file as samples, streaming it line by line.
/// The format is the Numenta Anomaly Benchmark's (numenta/NAB, data/README.md): a header <c>timestamp,value</c>, then rows
/// <c>YYYY-MM-DD HH:MM:SS,number</c> with UTC timestamps. Also accepted: ISO 8601 timestamps (<c>T</c> separator, fractional
/// seconds, <c>Z</c> or an offset) and numeric Unix seconds; extra columns when the header names them.
/// </summary>
/// <remarks>
/// <para>Fields are split on commas; quoted fields are not supported (NAB has none). Blank lines are skipped. An empty value
/// field is a missing sample and reads as NaN. Values must be finite in float32 (a magnitude of at most 3.4e38). Rows out of
/// time order are passed on as they are (NAB's machine_temperature file steps back an hour at line 10151): the window
/// takes one that falls in the open window, and counts one older than that as late.</para>
/// <para>Steady-state <see cref="Read"/> allocates nothing: lines are parsed as spans over one reused buffer. Bad input throws
/// <see cref="FormatException"/> naming <c>path:line</c>, the offending text and what was expected.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class CsvReplaySource : ISampleSource
{
    private const string TimestampColumn = "timestamp";

    private readonly StreamReader _reader;
    private readonly string _path;
    private readonly string _column;
    private readonly int _timestampIndex;
    private readonly int _valueIndex;
    private readonly int _fieldCount;
    private char[] _buffer = new char[16 * 1024];
    private int _position;
    private int _length;
    private bool _endOfFile;
    private int _lineNumber;

    /// <summary>Opens the file and reads its header.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="path">The CSV file.</param>
    /// <param name="column">The value column to replay; when null, the first column that is not <c>timestamp</c>.
    /// The channel is named after the column.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The header is missing, has no <c>timestamp</c> column, or lacks <paramref name="column"/>;
    /// the message names <c>path:1</c>.</exception>
    public CsvReplaySource(string name, string path, string? column = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file (expected a CSV with a header 'timestamp,value').", path);
        }

        Name = name;
        _path = path;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        _reader = new StreamReader(stream);
        try
        {
            if (!NextLine(out ReadOnlySpan<char> headerLine))
            {
                throw new FormatException($"{path}:1: the file is empty (expected a header such as 'timestamp,value').");
            }

            string[] header = headerLine.ToString().Split(',');
            for (int i = 0; i < header.Length; i++)
            {
                header[i] = header[i].Trim();
            }

            _fieldCount = header.Length;
            _timestampIndex = Array.FindIndex(header, h => string.Equals(h, TimestampColumn, StringComparison.OrdinalIgnoreCase));
            if (_timestampIndex < 0)
            {
                throw new FormatException($"{path}:1: header '{headerLine.ToString()}' has no 'timestamp' column (expected a header such as 'timestamp,value').");
            }

            _valueIndex = column is null
                ? Array.FindIndex(header, h => !string.Equals(h, TimestampColumn, StringComparison.OrdinalIgnoreCase) && h.Length > 0)
                : Array.IndexOf(header, column);
            if (_valueIndex < 0)
            {
                throw new FormatException(column is null
                    ? $"{path}:1: header '{headerLine.ToString()}' has no value column (expected a header such as 'timestamp,value')."
                    : $"{path}:1: column '{column}' not found (header has: {string.Join(", ", header)}).");
            }

            _column = header[_valueIndex];
            Channels = Array.AsReadOnly([_column]);
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The 1-based number of the last line read (the header is line 1).</summary>
    public int LineNumber => _lineNumber;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    /// <exception cref="FormatException">A row has the wrong number of fields, an unparsable timestamp or an unparsable value;
    /// the message names <c>path:line</c>.</exception>
    /// <exception cref="ObjectDisposedException">The source was disposed.</exception>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"source '{Name}': values is empty; expected at least 1 element (channel '{_column}').", nameof(values));
        }

        ReadOnlySpan<char> line;
        do
        {
            if (!NextLine(out line))
            {
                timestampNs = 0; // values are left as they are: no sample was read
                return SampleStatus.EndOfStream;
            }
        }
        while (line.IsWhiteSpace());

        ReadOnlySpan<char> timestampField = default;
        ReadOnlySpan<char> valueField = default;
        int field = 0;
        ReadOnlySpan<char> rest = line;
        while (true)
        {
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> current = comma < 0 ? rest : rest[..comma];
            if (field == _timestampIndex)
            {
                timestampField = current.Trim();
            }

            if (field == _valueIndex)
            {
                valueField = current.Trim();
            }

            field++;
            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        if (field != _fieldCount)
        {
            throw new FormatException($"{_path}:{_lineNumber}: '{line.ToString()}' has {field} fields (expected {_fieldCount}, as in the header).");
        }

        timestampNs = ParseTimestamp(timestampField);
        if (valueField.IsEmpty)
        {
            values[0] = float.NaN;
        }
        else if (float.TryParse(valueField, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && (float.IsFinite(value) || float.IsNaN(value)))
        {
            values[0] = value;
        }
        else if (float.IsInfinity(value))
        {
            throw new FormatException($"{_path}:{_lineNumber}: '{valueField.ToString()}' is out of range for a float32 sample (expected a finite value of magnitude at most 3.4e38 in column '{_column}').");
        }
        else
        {
            throw new FormatException($"{_path}:{_lineNumber}: '{valueField.ToString()}' is not a number (expected a decimal value in column '{_column}').");
        }

        return SampleStatus.Ok;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _reader.Dispose();

    private long ParseTimestamp(ReadOnlySpan<char> text)
    {
        // NAB's "YYYY-MM-DD HH:MM:SS" (or with 'T', optionally 'Z'), parsed by hand: it is every row of every NAB file.
        if ((text.Length == 19 || (text.Length == 20 && text[19] == 'Z'))
            && text[4] == '-' && text[7] == '-' && (text[10] == ' ' || text[10] == 'T') && text[13] == ':' && text[16] == ':'
            && TryDigits(text[..4], out int year) && TryDigits(text.Slice(5, 2), out int month) && TryDigits(text.Slice(8, 2), out int day)
            && TryDigits(text.Slice(11, 2), out int hour) && TryDigits(text.Slice(14, 2), out int minute) && TryDigits(text.Slice(17, 2), out int second)
            && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year == 0 ? 1 : year, month)
            && year >= 1 && hour < 24 && minute < 60 && second < 60)
        {
            var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
            return (utc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double unixSeconds) && double.IsFinite(unixSeconds)
            && Math.Abs(unixSeconds) < 9.2e9)
        {
            return (long)Math.Round(unixSeconds * 1e9);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            return (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        }

        throw new FormatException(
            $"{_path}:{_lineNumber}: '{text.ToString()}' is not a timestamp (expected 'YYYY-MM-DD HH:MM:SS' UTC, ISO 8601, or Unix seconds in column 'timestamp').");
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    // Returns the next line (without '\n' or '\r\n') as a span over the reused buffer, valid until the next call.
    private bool NextLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_position, _length - _position).IndexOf('\n');
            if (newline >= 0)
            {
                line = TrimCarriageReturn(_buffer.AsSpan(_position, newline));
                _position += newline + 1;
                _lineNumber++;
                return true;
            }

            if (_endOfFile)
            {
                if (_position < _length)
                {
                    line = TrimCarriageReturn(_buffer.AsSpan(_position, _length - _position));
                    _position = _length;
                    _lineNumber++;
                    return true;
                }

                line = default;
                return false;
            }

            int remaining = _length - _position;
            if (_position > 0)
            {
                Array.Copy(_buffer, _position, _buffer, 0, remaining);
                _position = 0;
                _length = remaining;
            }

            if (_length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
            }

            int read = _reader.Read(_buffer, _length, _buffer.Length - _length);
            if (read == 0)
            {
                _endOfFile = true;
            }
            else
            {
                _length += read;
            }
        }
    }

    private static ReadOnlySpan<char> TrimCarriageReturn(ReadOnlySpan<char> line) =>
        line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
}
