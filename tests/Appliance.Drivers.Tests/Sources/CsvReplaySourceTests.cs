namespace Appliance.Drivers.Tests.Sources;

public sealed class CsvReplaySourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("appliance-csv-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Read_NabMachineTemperature_FirstRowAndRowCountMatchFile()
    {
        // numenta/NAB data/realKnownCause/machine_temperature_system_failure.csv: first row "2013-12-02 21:15:00,73.96732207",
        // last row "2014-02-19 15:25:00,96.90386085", 22696 lines = header + 22695 rows (wc -l).
        string path = SharedData.PathTo("nab/data/realKnownCause/machine_temperature_system_failure.csv");
        using var source = new CsvReplaySource("machine", path);
        Span<float> values = stackalloc float[1];

        Assert.Equal(SampleStatus.Ok, source.Read(values, out long firstNs));
        Assert.Equal(1_386_018_900_000_000_000L, firstNs); // 2013-12-02T21:15:00Z
        Assert.Equal(73.96732207f, values[0]);
        int rows = 1;
        long lastNs = firstNs;
        while (source.Read(values, out long ns) == SampleStatus.Ok)
        {
            rows++;
            lastNs = ns;
        }

        Assert.Equal(22695, rows);
        Assert.Equal(1_392_823_500_000_000_000L, lastNs); // 2014-02-19T15:25:00Z
        Assert.Equal(96.90386085f, values[0]);
        Assert.Equal(["value"], source.Channels);
    }

    [Fact]
    public void Read_AfterLastRow_ReturnsEndOfStreamRepeatedly()
    {
        string path = Write("one.csv", "timestamp,value\n2020-01-01 00:00:00,1.5\n");
        using var source = new CsvReplaySource("s", path);
        var values = new float[1];

        Assert.Equal(SampleStatus.Ok, source.Read(values, out _));
        Assert.Equal(SampleStatus.EndOfStream, source.Read(values, out _));
        Assert.Equal(SampleStatus.EndOfStream, source.Read(values, out _));
    }

    [Fact]
    public void Read_IsoAndUnixTimestamps_GiveSameInstantAsNabFormat()
    {
        // 2020-01-01T00:00:00Z is Unix 1577836800 s (RFC 3339 / POSIX time).
        string path = Write(
            "formats.csv",
            "timestamp,value\r\n2020-01-01 00:00:00,1\r\n2020-01-01T00:00:00Z,2\r\n2020-01-01T01:00:00+01:00,3\r\n1577836800,4\r\n1577836800.5,5\r\n");
        using var source = new CsvReplaySource("s", path);
        var values = new float[1];
        var instants = new List<long>();

        while (source.Read(values, out long ns) == SampleStatus.Ok)
        {
            instants.Add(ns);
        }

        Assert.Equal([1_577_836_800_000_000_000L, 1_577_836_800_000_000_000L, 1_577_836_800_000_000_000L, 1_577_836_800_000_000_000L, 1_577_836_800_500_000_000L], instants);
        Assert.Equal(5f, values[0]);
    }

    [Fact]
    public void Read_EmptyValue_IsNaN()
    {
        string path = Write("gap.csv", "timestamp,value\n2020-01-01 00:00:00,\n");
        using var source = new CsvReplaySource("s", path);
        var values = new float[] { 0f };

        Assert.Equal(SampleStatus.Ok, source.Read(values, out _));

        Assert.True(float.IsNaN(values[0]));
    }

    [Fact]
    public void Read_NamedColumn_ReplaysThatColumnAndNamesChannel()
    {
        string path = Write("multi.csv", "timestamp,a,b\n2020-01-01 00:00:00,1,2\n");
        using var source = new CsvReplaySource("s", path, column: "b");
        var values = new float[1];

        Assert.Equal(SampleStatus.Ok, source.Read(values, out _));

        Assert.Equal(2f, values[0]);
        Assert.Equal(["b"], source.Channels);
    }

    [Fact]
    public void Read_ValueNotANumber_MessageNamesPathLineValueAndColumn()
    {
        string path = Write("data.csv", "timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,abc\n");
        using var source = new CsvReplaySource("s", path);
        var values = new float[1];
        source.Read(values, out _);

        var error = Assert.Throws<FormatException>(() => source.Read(values, out _));

        Assert.Equal($"{path}:3: column 'value' = 'abc': expected a number, or empty/NaN/NA for a missing sample", error.Message);
    }

    [Theory]
    [InlineData("1e39")] // above float32's largest finite value, 3.4028235e38 (IEEE 754 binary32)
    [InlineData("-1e400")]
    [InlineData("Infinity")]
    public void Read_ValueOutOfFloat32Range_MessageNamesPathLine(string value)
    {
        string path = Write("data.csv", $"timestamp,value\n2020-01-01 00:00:00,{value}\n");
        using var source = new CsvReplaySource("s", path);

        var error = Assert.Throws<FormatException>(() => source.Read(new float[1], out _));

        Assert.Equal($"{path}:2: column 'value' = '{value}': out of range (expected a finite number, magnitude at most 3.4e38)", error.Message);
    }

    [Fact]
    public void Read_BadTimestamp_MessageNamesPathLineAndFormats()
    {
        string path = Write("data.csv", "timestamp,value\n2020-13-01 00:00:00,1\n");
        using var source = new CsvReplaySource("s", path);

        var error = Assert.Throws<FormatException>(() => source.Read(new float[1], out _));

        Assert.StartsWith($"{path}:2: '2020-13-01 00:00:00' is not a timestamp (expected 'YYYY-MM-DD HH:MM:SS' UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongFieldCount_MessageNamesPathLine()
    {
        string path = Write("data.csv", "timestamp,value\n2020-01-01 00:00:00,1,2\n");
        using var source = new CsvReplaySource("s", path);

        var error = Assert.Throws<FormatException>(() => source.Read(new float[1], out _));

        Assert.StartsWith($"{path}:2: the row has 3 fields, expected 2 as in the header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingColumn_MessageNamesPathAndHeader()
    {
        string path = Write("data.csv", "timestamp,value\n");

        var error = Assert.Throws<FormatException>(() => new CsvReplaySource("s", path, column: "temp"));

        Assert.Equal($"{path}:1: no column 'temp' in the header (columns: timestamp, value)", error.Message);
    }

    [Fact]
    public void Constructor_HeaderWithoutTimestamp_MessageNamesPathLine()
    {
        string path = Write("data.csv", "time,value\n");

        var error = Assert.Throws<FormatException>(() => new CsvReplaySource("s", path));

        Assert.StartsWith($"{path}:1: header 'time,value' has no 'timestamp' column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_EmptyFile_MessageNamesPathLine()
    {
        string path = Write("empty.csv", string.Empty);

        var error = Assert.Throws<FormatException>(() => new CsvReplaySource("s", path));

        Assert.StartsWith($"{path}:1: the file is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        string path = Path.Combine(_directory, "absent.csv");

        var error = Assert.Throws<FileNotFoundException>(() => new CsvReplaySource("s", path));

        Assert.StartsWith($"{path}: no such file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LineLongerThanBuffer_StillParses()
    {
        // The reader's buffer starts at 16 Ki chars; a longer line must grow it rather than split the row.
        string padding = new(' ', 40_000);
        string path = Write("long.csv", $"timestamp,value\n2020-01-01 00:00:00,{padding}7.25\n");
        using var source = new CsvReplaySource("s", path);
        var values = new float[1];

        Assert.Equal(SampleStatus.Ok, source.Read(values, out _));

        Assert.Equal(7.25f, values[0]);
    }
}
