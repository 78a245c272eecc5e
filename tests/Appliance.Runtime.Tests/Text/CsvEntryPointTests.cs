namespace Appliance.Runtime.Tests.Text;

/// <summary>
/// Every CSV the product reads goes through <see cref="CsvReader"/>: the same malformed file gives the same
/// <c>file:line: message</c> through each entry point (replay source, trainer on features and on a series, NAB corpus
/// reader; <c>appliance stats</c> in the published binary is checked in Appliance.Aot.Tests/StatsCommandTests).
/// </summary>
public sealed class CsvEntryPointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("appliance-csv-entry-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        string path = Path.Combine(_directory, $"bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The message of the <see cref="FormatException"/> that reading the whole file through one entry point throws.</summary>
    private Dictionary<string, string> Errors(string path)
    {
        string Catch(Action read) => Assert.Throws<FormatException>(read).Message;
        return new()
        {
            ["replay"] = Catch(() =>
            {
                using var source = new CsvReplaySource("s", path);
                var value = new float[1];
                while (source.Read(value, out _) == SampleStatus.Ok)
                {
                }
            }),
            ["train features"] = Catch(() => ModelTrainer.Train(path, Path.Combine(_directory, "features"))),
            ["train series"] = Catch(() => ModelTrainer.Train(path, Path.Combine(_directory, "series"), window: TimeSpan.FromHours(1))),
            ["nab"] = Catch(() => NabCorpus.ReadCsv(path, "value")),
        };
    }

    [Theory]
    [InlineData("timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,2,3\n", ":3: the row has 3 fields, expected 2 as in the header (quote a value that holds a comma)")]
    [InlineData("timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00\n", ":3: the row has 1 fields, expected 2 as in the header (quote a value that holds a comma)")]
    [InlineData("timestamp,value\n\"2020-01-01 00:00:00,1\n", ":2: a quoted field is not closed on its line (expected a closing '\"'; a field cannot hold a line break)")]
    [InlineData("timestamp,value\n2020-01-01 00:00:00,1e400\n", ":2: column 'value' = '1e400': out of range (expected a finite number, magnitude at most ")]
    [InlineData("timestamp,value\n2020-01-01 00:00:00,abc\n", ":2: column 'value' = 'abc': expected a ")]
    [InlineData("", ":1: the file is empty (expected a header row")]
    public void Read_MalformedFile_SameFileLineErrorThroughEveryEntryPoint(string content, string expected)
    {
        string path = Write(content);

        Dictionary<string, string> errors = Errors(path);

        Assert.All(errors, e => Assert.StartsWith(path + expected, e.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_HeaderOnly_AnErrorWhereRowsAreNeeded()
    {
        // The trainer and the NAB reader need rows; a replay of no rows simply ends (appliance demo then says so itself).
        string path = Write("timestamp,value\n");
        string expected = $"{path}:2: no data rows after the header (expected at least one row)";

        Assert.Equal(expected, Assert.Throws<FormatException>(() => ModelTrainer.Train(path, Path.Combine(_directory, "o"))).Message);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => NabCorpus.ReadCsv(path, "value")).Message);
        using var source = new CsvReplaySource("s", path);
        Assert.Equal(SampleStatus.EndOfStream, source.Read(new float[1], out _));
    }
}
