using System.Buffers;
using System.Globalization;
using System.Text;
using Appliance.Kernels.Text;

namespace Appliance.Drivers.Sources;

/// <summary>
/// Replays one numeric column of a <c>timestamp,value</c> CSV file as samples, streaming it line by line.
/// The format is the Numenta Anomaly Benchmark's (numenta/NAB, data/README.md): a header <c>timestamp,value</c>, then rows
/// <c>YYYY-MM-DD HH:MM:SS,number</c> with UTC timestamps. Also accepted: ISO 8601 timestamps (<c>T</c> separator, fractional
/// seconds, <c>Z</c> or an offset) and numeric Unix seconds; extra columns when the header names them.
/// </summary>
/// <remarks>
/// <para>The file is read by the product's one CSV reader (<see cref="CsvReader"/>: its rules for separators, quotes, blank
/// lines, field counts, numbers and errors). A missing value (empty, <c>NaN</c>, <c>nan</c>, <c>NA</c>) reads as NaN.
/// Values must be finite in float32 (a magnitude of at most 3.4e38). Rows out of
/// time order are passed on as they are (NAB's machine_temperature file steps back an hour at line 10151): the window
/// takes one that falls in the open window, and counts one older than that as late.</para>
/// <para>Steady-state <see cref="Read"/> allocates nothing: rows are parsed as spans over the reader's reused buffer. Bad input throws
/// <see cref="FormatException"/> naming <c>path:line</c>, the offending text and what was expected.</para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class CsvReplaySource : ISampleSource
{
    private const string TimestampColumn = "timestamp";

    private static readonly CsvFormat Format = new() { ExampleHeader = "timestamp,value" };

    private readonly CsvReader _reader;
    private readonly string _column;
    private readonly int _timestampIndex;
    private readonly int _valueIndex;

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
        Name = name;
        _reader = CsvReader.Open(path, Format);
        try
        {
            IReadOnlyList<string> header = _reader.Header;
            _timestampIndex = _reader.FindColumn(TimestampColumn, StringComparison.OrdinalIgnoreCase);
            if (_timestampIndex < 0)
            {
                throw _reader.Error(1, $"header '{string.Join(',', header)}' has no 'timestamp' column (expected a header such as 'timestamp,value').");
            }

            _valueIndex = column is null ? FirstValueColumn(header) : _reader.Column(column);
            if (_valueIndex < 0)
            {
                throw _reader.Error(1, $"header '{string.Join(',', header)}' has no value column (expected a header such as 'timestamp,value').");
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
    public int LineNumber => _reader.LineNumber;

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

        if (!_reader.ReadRow())
        {
            timestampNs = 0; // values are left as they are: no sample was read
            return SampleStatus.EndOfStream;
        }

        timestampNs = ParseTimestamp(_reader.Field(_timestampIndex));
        values[0] = _reader.Single(_valueIndex);
        return SampleStatus.Ok;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _reader.Dispose();

    private static int FirstValueColumn(IReadOnlyList<string> header)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (header[i].Length > 0 && !string.Equals(header[i], TimestampColumn, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private long ParseTimestamp(ReadOnlySpan<byte> field)
    {
        // Timestamps are ASCII; the BCL's parsers below take UTF-16, converted here on the stack.
        Span<char> text = stackalloc char[64];
        if (field.Length > text.Length || Ascii.ToUtf16(field, text, out int written) != OperationStatus.Done)
        {
            throw NotATimestamp(Encoding.UTF8.GetString(field));
        }

        text = text[..written];
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

        throw NotATimestamp(text.ToString());
    }

    private FormatException NotATimestamp(string text) =>
        _reader.Error($"'{text}' is not a timestamp (expected 'YYYY-MM-DD HH:MM:SS' UTC, ISO 8601, or Unix seconds in column 'timestamp').");

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
}
