using System.Globalization;

namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// Issue 19 items 1 and 5 on the device: <c>[[multivariate]]</c> scores the windows of several sensors that close together as
/// one channel-major row in one ONNX run, alerts once per incident by the model's threshold, and allocates nothing per row.
/// The model is a standardised squared norm written by <see cref="StandardScoreModel"/> (OnnxGraphWriter), fitted on
/// normal rows of the same generator: Σ ((x − μ)/σ)², χ² with 4 degrees of freedom for normal rows.
/// </summary>
public sealed class MultivariateStageTests : IDisposable
{
    private const int Hours = 48;
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-multivariate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Two sensors, 5-minute rows, hour windows; sensor a steps +20 for hours 36–41. 48 hour rows [a.mean, a.std, b.mean, b.std]
    // are scored (one run each); the step's 6 rows score far above the threshold (the largest training score × 4) and
    // make one incident: one alert, sensor "a+b", channel "*", at the end of hour 36.
    [Fact]
    public async Task Replay_TwoSensorsWithModel_OneRowPerHourAndOneAlertForTheStep()
    {
        var a = Series("a.csv", seed: 1, stepAt: 36);
        var b = Series("b.csv", seed: 2, stepAt: -1);
        var onnx = Model(out var threshold);
        var config = ConfigLoader.Parse(Toml(a, b, "features = [\"mean\", \"std\"]\n"), "appliance.toml");
        var outbox = new MemoryOutbox(1 << 16, TimeSpan.FromSeconds(5));
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", DeviceId = "t" }, outbox);
        using var pipeline = new DevicePipeline(config, [new(new CsvReplaySource("a", a), 1, IsReplay: true), new(new CsvReplaySource("b", b), 1, IsReplay: true)], uplink, new PipelineOptions(), NullLogger.Instance);
        Assert.True(pipeline.StageMultivariate("models/m", "m", onnx), pipeline.LastModelRejection);
        pipeline.Start();
        await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Hours, pipeline.MultivariateRows);
        Assert.Equal(Hours, pipeline.Counters.InferenceRuns);
        Assert.Equal(1, pipeline.Counters.Alerts);
        Assert.True(threshold > 0);
    }

    [Fact]
    public void StageMultivariate_ModelOfOtherWidth_RefusedWithReason()
    {
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var config = ConfigLoader.Parse(Toml(a, a, "features = [\"mean\"]\n"), "appliance.toml");
        using var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", DeviceId = "t" }, new MemoryOutbox(1 << 16, TimeSpan.FromSeconds(5)));
        using var pipeline = new DevicePipeline(config, [new(new CsvReplaySource("a", a), 1, IsReplay: true), new(new CsvReplaySource("b", a), 1, IsReplay: true)], uplink, new PipelineOptions(), NullLogger.Instance);

        Assert.False(pipeline.StageMultivariate("models/m", "m", Model(out _)));
        Assert.Contains("expected one input [1,2]", pipeline.LastModelRejection, StringComparison.Ordinal);
    }

    // Allocation-free per row: set 8 channels' windows and score, 1,000 times, after 100 warm-up rows.
    [Fact]
    public void Score_SteadyState_AllocatesNothing()
    {
        var rows = Enumerable.Range(0, 50).Select(i => Enumerable.Range(0, 16).Select(j => (float)((i * 7 + j) % 5)).ToArray()).ToList();
        var onnx = StandardScoreModel.Fit(rows, 1, 16).ToOnnx(new Dictionary<string, string> { [OnnxScorer.ThresholdKey] = "100" });
        using var scorer = new MultivariateScorer(onnx, 8, features: null, threshold: null, GpuPolicy.Off);
        var window = WindowStatistics.Compute([1f, 2f, 3f, 4f]);
        for (var i = 0; i < 100; i++)
        {
            _ = Row(scorer, window); // past tiered JIT, whose call counting and rejit allocate on this thread
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = Row(scorer, window);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(["mean", "std"], scorer.Names);
        Assert.Equal(100, scorer.Threshold);
    }

    // Configuration: every refusal names the file, line and key.
    [Theory]
    [InlineData("model = \"m\"\nsensors = [\"a\", \"z\"]", "sensors", "'z' is not a configured sensor")]
    [InlineData("model = \"m\"\nsensors = [\"a\", \"a\"]", "sensors", "'a' is listed twice")]
    [InlineData("model = \"m\"\nsensors = [\"a\"]\nfeatures = [\"median\"]", "features", "feature 'median' is not a window feature")]
    [InlineData("sensors = [\"a\"]", "model", "missing key")]
    [InlineData("model = \"m\"\nsensors = []", "sensors", "expected the names of one or more")]
    public void Parse_BadMultivariate_RefusedWithKey(string body, string key, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Toml("x.csv", "y.csv", string.Empty).Replace("[[multivariate]]\nmodel = \"m\"\nsensors = [\"a\", \"b\"]\n", "[[multivariate]]\n" + body + "\n", StringComparison.Ordinal), "appliance.toml"));

        Assert.Contains("appliance.toml:", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static float Row(MultivariateScorer scorer, in WindowFeatures window)
    {
        for (var c = 0; c < scorer.Channels; c++)
        {
            scorer.Set(c, window);
        }

        return scorer.Score();
    }

    // Training rows: 200 normal hours of each sensor (seeds 10.., no step); threshold = largest training score × 4.
    private static byte[] Model(out double threshold)
    {
        var rows = new List<float[]>();
        for (var h = 0; h < 200; h++)
        {
            var wa = WindowStatistics.Compute(Samples(new Random(1000 + h)));
            var wb = WindowStatistics.Compute(Samples(new Random(5000 + h)));
            rows.Add([(float)wa.Mean, (float)wa.StdDev, (float)wb.Mean, (float)wb.StdDev]);
        }

        var model = StandardScoreModel.Fit(rows, 1, 4);
        var scores = new float[1];
        threshold = rows.Max(r => { model.Score(r, scores); return scores[0]; }) * 4;
        return model.ToOnnx(new Dictionary<string, string> { [OnnxScorer.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture) });
    }

    private static double[] Samples(Random rng) => [.. Enumerable.Range(0, 12).Select(_ => 50 + (rng.NextDouble() - 0.5))];

    private string Series(string file, int seed, int stepAt) => ModelScoringTests.StepSeries(_dir, file, seed, stepAt, Hours);

    private static string Toml(string a, string b, string extra) =>
        $"[device]\nid = \"t\"\n[[sensor]]\nname = \"a\"\nchip = \"replay\"\nbus = 'replay:{a}'\nrate_hz = 1\n[[sensor]]\nname = \"b\"\nchip = \"replay\"\nbus = 'replay:{b}'\nrate_hz = 1\n"
        + $"[[multivariate]]\nmodel = \"m\"\nsensors = [\"a\", \"b\"]\n{extra}"
        + "[detector]\nthreshold = 1000\n[inference]\nenabled = false\n[window]\nlength = \"1h\"\n[uplink]\nendpoint = \"tcp://127.0.0.1:5556\"\n[gitops]\nbranch = \"main\"\ninterval = \"30s\"\n";
}
