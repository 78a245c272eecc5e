namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance train</c> and <c>appliance demo --model</c> through the published binary, on NAB's
/// <c>realKnownCause/machine_temperature_system_failure.csv</c> (numenta/NAB at ea702d7): the trainer cuts the series into
/// the device's own 3 h windows, fits the PCA reconstruction model (Jackson &amp; Mudholkar 1979) with the threshold at
/// the 99th percentile of the held-out windows' scores, checks ONNX Runtime against its own arithmetic, and the demo
/// replays the same series with every window scored by that model: the alerts come from the onnx detector and fall in, or
/// shortly after, the windows NAB labels in <c>labels/combined_windows.json</c>.
/// </summary>
public sealed partial class TrainedModelDemoTests
{
    private const string File = "realKnownCause/machine_temperature_system_failure.csv";

    [Fact]
    public void TrainThenDemo_MachineTemperature_OnnxDetectorAlertsInLabelledWindows()
    {
        var data = PublishedBinary.SharedData;
        var csv = Path.Combine(data, "nab", "data", File);
        var dir = Directory.CreateTempSubdirectory("appliance-aot-train-").FullName;
        try
        {
            var model = Path.Combine(dir, "machine-temperature");
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "train", "--input", csv, "--out", model, "--window", "3h", "--quantile", "0.99");
            Assert.True(code == 0, stderr);
            var train = TrainLine().Match(stdout);
            Assert.True(train.Success, stdout);
            Assert.Equal("4", train.Groups[1].Value); // mean, std, min, max of each window
            Assert.True(double.Parse(train.Groups[2].Value, CultureInfo.InvariantCulture) <= 1e-5, stdout); // issue 5: ORT equals the trainer within 1e-5 relative
            foreach (var file in new[] { "model.onnx", "selftest.json", "selftest.toml", "model-card.md", "SHA256SUMS" })
            {
                Assert.True(System.IO.File.Exists(Path.Combine(model, file)), file);
            }

            (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(120), "demo", "--replay", csv, "--speed", "max", "--window", "3h", "--model", model, "--state", Path.Combine(dir, "demo"));
            var final = NabReplayTests.FinalLine().Match(stdout);
            Assert.True(final.Success && code == 0, $"{stdout}\n{stderr}");
            Assert.Equal(final.Groups[1].Value, final.Groups[2].Value); // every window stored
            Assert.Contains("detector onnx", stdout, StringComparison.Ordinal);

            var alertLines = AlertLine().Matches(stdout).ToList();
            Assert.NotEmpty(alertLines);
            Assert.All(alertLines, m => Assert.Equal("onnx", m.Groups[2].Value));
            Assert.Equal(alertLines.Count, int.Parse(final.Groups[3].Value, CultureInfo.InvariantCulture));

            // An alert's time is its window's end (start + 3 h); "near": up to 12 h after a labelled window closes.
            var alerts = alertLines.Select(m => DateTime.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal).AddHours(3)).ToList();
            using var labels = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(data, "nab", "labels", "combined_windows.json")));
            var labelled = labels.RootElement.GetProperty(File).EnumerateArray()
                .Select(w => (Start: NabReplayTests.ParseNab(w[0].GetString()!), End: NabReplayTests.ParseNab(w[1].GetString()!)))
                .ToList();
            var hit = labelled.Count(w => alerts.Any(a => a >= w.Start && a <= w.End.AddHours(12)));
            Assert.True(hit >= 2, $"alerts at {string.Join(", ", alerts.Select(a => a.ToString("u", CultureInfo.InvariantCulture)))} cover {hit} of the 4 labelled windows");

            // The bundle is verified as a pushed model folder is: a file changed after training no longer matches its
            // SHA-256 line in SHA256SUMS (FIPS 180-4), and the demo refuses the model as bad input.
            System.IO.File.AppendAllText(Path.Combine(model, "model-card.md"), "\nedited after training\n");
            (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "demo", "--replay", csv, "--speed", "max", "--window", "3h", "--model", model, "--state", Path.Combine(dir, "demo2"));
            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("SHA256SUMS", stderr, StringComparison.Ordinal);
            Assert.Contains("model-card.md: SHA-256 is", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--explained", "2", "--explained 2: expected a variance fraction in (0, 1]")]
    [InlineData("--features", "mean,mean,std", "--features: 'mean' is named twice")]
    public void Train_BadOption_ExitCode2NamingIt(string option, string value, string expected)
    {
        var csv = Path.Combine(PublishedBinary.SharedData, "nab", "data", File);
        var (code, _, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), "train", "--input", csv, "--out", Path.Combine(Path.GetTempPath(), $"appliance-train-bad-{Environment.ProcessId}"), "--window", "3h", option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^train: (\d+) features, .* ORT vs C# max relative difference (\S+);", RegexOptions.Multiline)]
    private static partial Regex TrainLine();

    [GeneratedRegex(@"^window (\S+) replay:.*ALERT\((?:warning|critical), (\S+)\)", RegexOptions.Multiline)]
    private static partial Regex AlertLine();
}
