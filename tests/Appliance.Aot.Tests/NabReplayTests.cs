namespace Appliance.Aot.Tests;

/// <summary>
/// The demo's replay of NAB's <c>realKnownCause/machine_temperature_system_failure.csv</c> (Numenta Anomaly Benchmark,
/// numenta/NAB at ea702d7; 22,695 rows of 5-minute readings) through the published binary: every window summarised is
/// stored, and the alerts fall inside, or shortly before, the windows NAB labels in <c>labels/combined_windows.json</c>.
/// </summary>
public sealed partial class NabReplayTests
{
    private const string File = "realKnownCause/machine_temperature_system_failure.csv";

    [Fact]
    public void DemoReplay_MachineTemperature_StoresAllAndAlertsInLabelledWindows()
    {
        var data = PublishedBinary.SharedData;
        var csv = Path.Combine(data, "nab", "data", File);
        var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "demo", "--replay", csv, "--speed", "max", "--window", "3h");
        var final = FinalLine().Match(stdout);
        Assert.True(final.Success, $"no final demo line:\n{stderr}");
        Assert.Equal(0, code);
        var windows = long.Parse(final.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(windows, long.Parse(final.Groups[2].Value, CultureInfo.InvariantCulture));

        // Tumbling 3 h windows aligned to the epoch: one window per 3 h slot that holds at least one row of the file.
        var slots = System.IO.File.ReadLines(csv).Skip(1)
            .Select(l => DateTime.ParseExact(l[..19], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal))
            .Select(t => (t - DateTime.UnixEpoch).Ticks / TimeSpan.FromHours(3).Ticks)
            .Distinct()
            .Count();
        Assert.Equal(slots, windows);

        // An alert's time is its window's end (start + 3 h).
        var alerts = AlertLine().Matches(stdout)
            .Select(m => DateTime.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).AddHours(3))
            .ToList();
        Assert.NotEmpty(alerts);

        using var labels = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(data, "nab", "labels", "combined_windows.json")));
        var labelled = labels.RootElement.GetProperty(File).EnumerateArray()
            .Select(w => (Start: ParseNab(w[0].GetString()!), End: ParseNab(w[1].GetString()!)))
            .ToList();
        Assert.Equal(4, labelled.Count);

        // "Near": up to 12 h before a window opens counts as an early warning for it.
        var hit = labelled.Count(w => alerts.Any(a => a >= w.Start.AddHours(-12) && a <= w.End));
        Assert.True(hit >= 3, $"alerts at {string.Join(", ", alerts.Select(a => a.ToString("u", CultureInfo.InvariantCulture)))} cover {hit} of the 4 labelled windows");
    }

    [Fact]
    public void DemoReplay_BadRow_ExitCode2AfterStoringTheRowsBeforeIt()
    {
        // Rows 2 and 3 are good (one 3 h window), row 4 is not a number: the replay stops there with exit code 2 and a
        // message naming file and line, and the window of the rows already read is still summarised and stored.
        string csv = Path.Combine(Path.GetTempPath(), $"appliance-badrow-{Environment.ProcessId}.csv");
        System.IO.File.WriteAllText(csv, "timestamp,value\n2024-01-01 00:00:00,1.5\n2024-01-01 00:05:00,2.5\n2024-01-01 00:10:00,abc\n2024-01-01 00:15:00,3.5\n");
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "demo", "--replay", csv, "--speed", "max", "--window", "3h");
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains($"{csv}:4", stderr);
            var final = FinalLine().Match(stdout);
            Assert.True(final.Success, $"no final demo line:\n{stdout}");
            Assert.Equal("1", final.Groups[1].Value);
            Assert.Equal("1", final.Groups[2].Value);
        }
        finally
        {
            System.IO.File.Delete(csv);
        }
    }

    [Fact]
    public void DemoReplay_HeaderOnly_ExitCode2SayingNoRows()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"appliance-header-only-{Environment.ProcessId}.csv");
        System.IO.File.WriteAllText(csv, "timestamp,value\n");
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "demo", "--replay", csv, "--speed", "max");
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains($"--replay {csv}: no data rows", stderr, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.File.Delete(csv);
        }
    }

    internal static DateTime ParseNab(string s) =>
        DateTime.ParseExact(s, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(@"demo: (\d+) windows summarised, (\d+) summaries stored, (\d+) alerts")]
    internal static partial Regex FinalLine();

    [GeneratedRegex(@"^window (\S+) replay:.*ALERT", RegexOptions.Multiline)]
    private static partial Regex AlertLine();
}
