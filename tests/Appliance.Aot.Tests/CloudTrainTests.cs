namespace Appliance.Aot.Tests;

/// <summary>
/// <c>appliance cloud train</c> and <c>cloud alerts label</c> through the published binary (issue 18 items 1 and 5): a short
/// live demo fills a SQLite store through the real path (emulated BME280, device, uplink, collector), then the trainer reads
/// its windows back and writes a bundle that a device would load (threshold in the ONNX metadata, SHA256SUMS), and the
/// refusals are one line and exit 2.
/// </summary>
public sealed class CloudTrainTests
{
    [Fact]
    public void CloudTrain_DemoStore_WritesBundleAndRefusesBadInputWithExit2()
    {
        string dir = Directory.CreateTempSubdirectory("appliance-aot-cloud-train-").FullName;
        try
        {
            var (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(90), "demo", "--duration", "7s", "--state", Path.Combine(dir, "demo"));
            Assert.True(code == 0, $"{stdout}\n{stderr}");
            string db = Path.Combine(dir, "demo", "cloud.db");
            Assert.True(File.Exists(db), $"no {db}:\n{stdout}");
            string model = Path.Combine(dir, "model");
            // --since in Unix seconds, --until in ISO 8601: both forms the verb documents. "demo-1": the embedded default's [device] id.
            string[] train = ["cloud", "train", "--db", db, "--devices", "demo-1", "--since", "0", "--until", "2100-01-01T00:00:00Z", "--sensor", "env",
                "--features", "mean,std", "--components", "1", "--holdout", "0.25", "--alpha", "0.1", "--out", model];
            (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), [.. train, "--json"]);
            Assert.True(code == 0, $"{stdout}\n{stderr}");
            using (var doc = JsonDocument.Parse(stdout))
            {
                var r = doc.RootElement;
                Assert.True(r.GetProperty("windows").GetInt32() >= 6, stdout); // 3 channels x at least 2 one-second windows
                Assert.Equal(r.GetProperty("windows").GetInt32(), r.GetProperty("training_windows").GetInt32() + r.GetProperty("held_out_windows").GetInt32());
                Assert.Equal("demo-1", r.GetProperty("devices")[0].GetString());
                Assert.True(r.GetProperty("threshold").GetDouble() > 0, stdout);
                Assert.True(r.GetProperty("ort_max_relative_difference").GetDouble() <= 1e-5, stdout);
            }

            foreach (var file in new[] { "model.onnx", "selftest.toml", "SHA256SUMS", "model-card.md" })
            {
                Assert.True(File.Exists(Path.Combine(model, file)), file);
            }

            (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), train);
            Assert.True(code == 0, stderr);
            Assert.Matches(@"^cloud train: \d+ windows used from 1 of 1 devices \(\d+ fitted, \d+ held out\); 1 components of mean,std; threshold \S+ \(0\.9 quantile of held-out scores\); held-out would-alert rate \S+ %; 0 windows left out around 0 alerts labelled true; wrote .*/model\.onnx\n$", stdout);

            foreach (var (args, expected) in new (string[], string)[]
            {
                ([.. train[..5], "nope", .. train[6..]], "--devices: device 'nope' is unknown"),
                ([.. train[..7], "4102444800", .. train[8..]], "is not before --until"),
                ([.. train[..7], "1", "--until", "2", .. train[10..]], "no windows in range"),
                ([.. train[..2], "--db", "postgresql://appliance:x@127.0.0.1:1/none", .. train[4..]], "--db: cannot open the collector store"),
                (["cloud", "alerts", "label", "demo-1:999999", "true", "--db", db], "alert demo-1:999999: no such alert"),
                (["cloud", "alerts", "label", "demo-1:1", "maybe", "--db", db], "label 'maybe': expected true or false"),
            })
            {
                (code, stdout, stderr) = PublishedBinary.Run(TimeSpan.FromSeconds(60), args);
                Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
                Assert.Contains(expected, stderr, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', stderr.TrimEnd('\n'));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
