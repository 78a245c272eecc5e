namespace Appliance.Kernels.Tests.Text;

/// <summary>
/// The one CSV reader's rules (RFC 4180 §2: header, separators, double quotes, equal field counts), through both ways of
/// reading a file (streamed and memory-mapped), which must agree on every row and every error.
/// </summary>
public sealed class CsvReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("appliance-csvreader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static CsvReader Open(string path, bool mapped, CsvFormat? format = null) =>
        mapped ? CsvReader.OpenMapped(path, format) : CsvReader.Open(path, format);

    private static List<string[]> ReadAll(CsvReader reader)
    {
        var rows = new List<string[]>();
        while (reader.ReadRow())
        {
            rows.Add([.. Enumerable.Range(0, reader.Header.Count).Select(reader.Text)]);
        }

        return rows;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadRow_QuotesBomCrlfAndBlankLines_ReadAsRfc4180(bool mapped)
    {
        // RFC 4180 §2.6: a separator inside quotes does not split; §2.7: a doubled quote inside a quoted field is one quote.
        string path = Write("\uFEFFt,\"v\",note\r\n1,\"2.5\",a\r\n\r\n  \t\n2,3.5,\"b,c\"\n\"3,x\",4.5,\"say \"\"hi\"\"\"");
        using CsvReader reader = Open(path, mapped);

        Assert.Equal(["t", "v", "note"], reader.Header);
        List<string[]> rows = ReadAll(reader);

        Assert.Equal([["1", "2.5", "a"], ["2", "3.5", "b,c"], ["3,x", "4.5", "say \"hi\""]], rows);
        Assert.Equal(6, reader.LineNumber);
        Assert.Equal(3, reader.Rows);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadRow_SemicolonSeparator_SplitsOnItAlone(bool mapped)
    {
        // SKAB (waico/SKAB) files: "datetime;Accelerometer1RMS;...", decimal points, ';' between fields.
        string path = Write("datetime;Accelerometer1RMS;Volume Flow RateRMS\n2020-03-09 10:14:33;0.0265;32.0\n");
        using CsvReader reader = Open(path, mapped, new CsvFormat { Separator = ';' });

        Assert.True(reader.ReadRow());

        Assert.Equal(0.0265, reader.Double(reader.Column("Accelerometer1RMS")));
        Assert.Equal(32.0, reader.Double(reader.Column("Volume Flow RateRMS")));
    }

    [Theory]
    [InlineData("t,value\n1,2.5\n2,1,000\n", "{0}:3: the row has 3 fields, expected 2 as in the header (quote a value that holds a comma)")]
    [InlineData("t,value\n1,2.5\n2\n", "{0}:3: the row has 1 fields, expected 2 as in the header (quote a value that holds a comma)")]
    [InlineData("t,value\n\"1,2.5\n", "{0}:2: a quoted field is not closed on its line (expected a closing '\"'; a field cannot hold a line break)")]
    [InlineData("t,value\n1,abc\n", "{0}:2: column 'value' = 'abc': expected a number, or empty/NaN/NA for a missing sample")]
    [InlineData("t,value\n1,1e400\n", "{0}:2: column 'value' = '1e400': out of range (expected a finite number, magnitude at most 1.8e308)")]
    [InlineData("t,value\n", "{0}:2: no data rows after the header (expected at least one row)")]
    [InlineData("t,value\n\n\n", "{0}:4: no data rows after the header (expected at least one row)")]
    public void ReadRow_MalformedFile_SameFileLineErrorStreamedAndMapped(string content, string expected)
    {
        string path = Write(content);
        var format = new CsvFormat { RequireRows = true };
        foreach (bool mapped in new[] { false, true })
        {
            using CsvReader reader = Open(path, mapped, format);
            int column = reader.Column("value");

            var error = Assert.Throws<FormatException>(() =>
            {
                while (reader.ReadRow())
                {
                    reader.Double(column);
                }
            });

            Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, path), error.Message);
        }
    }

    [Fact]
    public void Open_EmptyFile_NamesLine1AndTheExampleHeader()
    {
        string path = Write(string.Empty);

        var streamed = Assert.Throws<FormatException>(() => CsvReader.Open(path, new CsvFormat { ExampleHeader = "timestamp,value" }));
        var mapped = Assert.Throws<FormatException>(() => CsvReader.OpenMapped(path, new CsvFormat { ExampleHeader = "timestamp,value" }));

        Assert.Equal($"{path}:1: the file is empty (expected a header row, such as 'timestamp,value')", streamed.Message);
        Assert.Equal(streamed.Message, mapped.Message);
    }

    [Fact]
    public void Column_MissingOrTwice_NamesLine1()
    {
        string path = Write("t,value,value\n1,2,3\n");
        using CsvReader reader = CsvReader.Open(path);

        Assert.Equal($"{path}:1: no column 'v' in the header (columns: t, value, value)", Assert.Throws<FormatException>(() => reader.Column("v")).Message);
        Assert.Equal($"{path}:1: column 'value' appears more than once in the header (expected one column of that name)",
            Assert.Throws<FormatException>(() => reader.Column("value")).Message);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("NaN", true)]
    [InlineData("nan", true)]
    [InlineData("NA", true)]
    [InlineData(" 12.5 ", false)]
    public void Double_MissingSpellings_NaNOnlyWhereAllowed(string field, bool missing)
    {
        string path = Write($"t,value\n1,{field}\n");
        using CsvReader reader = CsvReader.Open(path);
        reader.ReadRow();

        Assert.Equal(missing ? double.NaN : 12.5, reader.Double(1));
        Assert.Equal(missing ? float.NaN : 12.5f, reader.Single(1));
        if (missing)
        {
            Assert.Equal($"{path}:2: column 'value' = '{field.Trim()}': expected a finite number",
                Assert.Throws<FormatException>(() => reader.Double(1, allowMissing: false)).Message);
        }
    }

    [Fact]
    public void Single_NearAFloatMidpoint_RoundsOnceLikeTheBclAndDoubleAgrees()
    {
        // 1.00000005960464477539062500001 lies just above the midpoint between the floats 1 and 1 + 2^-23: read directly it
        // rounds up; read through a double (which rounds it to exactly the midpoint) and then to float it would round to
        // even, down to 1. Single must not round twice.
        string text = "1.00000005960464477539062500001";
        string path = Write($"t,value\n1,{text}\n");
        using CsvReader reader = CsvReader.Open(path);
        reader.ReadRow();

        Assert.Equal(float.Parse(text, System.Globalization.CultureInfo.InvariantCulture), reader.Single(1));
        Assert.Equal(1f + MathF.Pow(2, -23), reader.Single(1));
        Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), reader.Double(1));
    }

    [Fact]
    public void ReadRow_LineLongerThanTheStreamBuffer_GrowsIt()
    {
        string padding = new(' ', 200_000);
        string path = Write($"t,value\n1,{padding}7.25\n2,8\n");
        using CsvReader reader = CsvReader.Open(path);

        Assert.True(reader.ReadRow());
        Assert.Equal(7.25, reader.Double(1));
        Assert.True(reader.ReadRow());
        Assert.Equal(8, reader.Double(1));
        Assert.False(reader.ReadRow());
    }

    [Fact]
    public void Open_MissingFile_NamesPath()
    {
        string path = Path.Combine(_directory, "absent.csv");

        var error = Assert.Throws<FileNotFoundException>(() => CsvReader.Open(path));

        Assert.StartsWith($"{path}: no such file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    [InlineData('é')]
    public void Open_SeparatorNotAllowed_Throws(char separator) =>
        Assert.Throws<ArgumentException>(() => CsvReader.Open(Write("a,b\n"), new CsvFormat { Separator = separator }));
}
