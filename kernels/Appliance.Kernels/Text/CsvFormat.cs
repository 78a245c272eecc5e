namespace Appliance.Kernels.Text;

/// <summary>
/// The rules a <see cref="CsvReader"/> reads a file by. Everything else is fixed for every CSV the product reads: a header
/// row naming the columns, one record per line, RFC 4180 double quotes, every row as many fields as the header.
/// </summary>
public sealed record CsvFormat
{
    /// <summary>Comma-separated values with a header row, no rows required (RFC 4180).</summary>
    public static CsvFormat Default { get; } = new();

    /// <summary>
    /// The field separator: <c>','</c> (RFC 4180, NAB), or for example <c>';'</c> (SKAB) or <c>'\t'</c>. An ASCII character
    /// other than a double quote, a line break or a space.
    /// </summary>
    public char Separator { get; init; } = ',';

    /// <summary>An example header named in the empty-file error, for example <c>timestamp,value</c>; null names none.</summary>
    public string? ExampleHeader { get; init; }

    /// <summary>A file with a header and no data row is an error (<c>file:2: no data rows after the header</c>), for readers
    /// that need rows to give any answer.</summary>
    public bool RequireRows { get; init; }

    /// <summary>Checks <see cref="Separator"/>.</summary>
    /// <exception cref="ArgumentException">The separator is not ASCII, or is a double quote, a line break or a space.</exception>
    internal void Validate()
    {
        if (Separator > 127 || Separator is '"' or '\r' or '\n' or ' ')
        {
            throw new ArgumentException($"CSV separator '{Separator}': expected an ASCII character other than '\"', a space or a line break", nameof(Separator));
        }
    }
}
