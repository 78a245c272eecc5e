namespace Appliance.Runtime.Tests.Pipeline;

/// <summary>
/// The pipeline's ONNX scoring: windows of all sensors that close together in one Run, models swapped between batches
/// (each window scored exactly once), bad models refused with the previous one kept, the onnx detector's alerts.
/// The models are the trainer's own (PCA reconstruction, Jackson &amp; Mudholkar 1979 Q statistic), trained on the
/// device's windows of the same kind of series.
/// </summary>
public sealed class ModelScoringTests : IDisposable
{
    private const int Hours = 48;
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-scoring-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Replay_TwoSensorsSameTimes_OneRunPerWindowBoundary()
    {
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var b = Series("b.csv", seed: 2, stepAt: -1);
        var model = Train(Series("train.csv", seed: 3, stepAt: -1), "m");
        var (pipeline, uplink) = Build(Toml(a, b, "onnx"), a, b);
        using (uplink)
        using (pipeline)
        {
            Assert.True(pipeline.StageModel("m", File.ReadAllBytes(Path.Combine(model, "model.onnx")), ModelSelfTest.Load(Path.Combine(model, ModelSelfTest.FileName))));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            // 48 hourly windows per sensor; both sensors' windows of one hour share a batch: 48 runs, not 96.
            Assert.Equal(2 * Hours, pipeline.Counters.WindowsSummarised);
            Assert.Equal(2 * Hours, pipeline.ScoredWindows);
            Assert.Equal(Hours, pipeline.Counters.InferenceRuns);
            Assert.Equal("m", pipeline.ActiveModel);
            Assert.Null(pipeline.LastModelRejection);
        }
    }

    [Fact]
    public async Task StageModel_MidReplay_EveryWindowScoredExactlyOnceAcrossTheSwap()
    {
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var b = Series("b.csv", seed: 2, stepAt: -1);
        var first = Train(Series("train1.csv", seed: 3, stepAt: -1), "first");
        var second = Train(Series("train2.csv", seed: 4, stepAt: -1), "second", features: "mean,std");
        var (pipeline, uplink) = Build(Toml(a, b, "onnx"), a, b);
        var scored = new List<(string Sensor, long Start, string Model)>();
        using (uplink)
        using (pipeline)
        {
            pipeline.WindowScored = (sensor, _, start, _, model) =>
            {
                scored.Add((sensor, start, model));
                if (scored.Count == 20)
                {
                    // Staged from the pipeline thread in the middle of a batch: the swap waits for the next batch.
                    Assert.True(pipeline.StageModel("second", File.ReadAllBytes(Path.Combine(second, "model.onnx"))));
                }
            };
            Assert.True(pipeline.StageModel("first", File.ReadAllBytes(Path.Combine(first, "model.onnx"))));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            foreach (var sensor in new[] { "a", "b" })
            {
                var starts = scored.Where(s => s.Sensor == sensor).Select(s => s.Start).ToList();
                Assert.Equal(Hours, starts.Count);
                Assert.Equal(Hours, starts.Distinct().Count()); // none scored twice
                Assert.Equal(Enumerable.Range(0, Hours).Select(h => T0.AddHours(h).ToUnixTimeMilliseconds() * 1_000_000), starts); // none lost, in order
            }

            // One swap: the first model until a batch boundary, then the second, never back; both sensors of a batch by the same one.
            var models = scored.Select(s => s.Model).ToList();
            var firstCount = models.TakeWhile(m => m == "first").Count();
            Assert.Equal(20, firstCount); // 10 batches of 2 windows; the 20th window completed the 10th batch
            Assert.All(models.Skip(firstCount), m => Assert.Equal("second", m));
            Assert.Equal(2, pipeline.ModelSwaps);
            Assert.Equal("second", pipeline.ActiveModel);
        }
    }

    [Fact]
    public async Task Replay_SensorEndsMidWindow_OtherSensorScoredAlone()
    {
        // b ends after 6 hours, its last hour's window still open (its samples held in its ring until the replay ends):
        // a's later windows must not wait for b. Hours 0-4 pair a's and b's windows in one run each; hours 5-46 are a's
        // alone; at the end a's hour 47 and b's hour 5 are flushed together: 48 runs for 48 + 6 windows.
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var b = Series("b.csv", seed: 2, stepAt: -1, hours: 6);
        var model = Train(Series("train.csv", seed: 3, stepAt: -1), "m");
        var (pipeline, uplink) = Build(Toml(a, b, "onnx"), a, b);
        using (uplink)
        using (pipeline)
        {
            Assert.True(pipeline.StageModel("m", File.ReadAllBytes(Path.Combine(model, "model.onnx"))));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(Hours + 6, pipeline.Counters.WindowsSummarised);
            Assert.Equal(Hours + 6, pipeline.ScoredWindows);
            Assert.Equal(Hours, pipeline.Counters.InferenceRuns);
        }
    }

    [Theory]
    [InlineData("garbage", "does not load")]
    [InlineData("unknown-feature", "'slope' is not a window feature")]
    [InlineData("nan", "NaN")]
    [InlineData("wrong-shape", "expected one input")]
    public async Task StageModel_BadModel_RefusedAndPreviousKeepsScoring(string kind, string reason)
    {
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var good = Train(Series("train.csv", seed: 3, stepAt: -1), "good");
        var (pipeline, uplink) = Build(Toml(a, null, "onnx"), a);
        using (uplink)
        using (pipeline)
        {
            Assert.True(pipeline.StageModel("good", File.ReadAllBytes(Path.Combine(good, "model.onnx"))));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("good", pipeline.ActiveModel);

            Assert.False(pipeline.StageModel(kind, BadModel(kind)));

            Assert.StartsWith(kind + ": ", pipeline.LastModelRejection, StringComparison.Ordinal);
            Assert.Contains(reason, pipeline.LastModelRejection, StringComparison.Ordinal);
            Assert.Equal("good", pipeline.ActiveModel);
            Assert.Equal(Hours, pipeline.ScoredWindows);
        }
    }

    // A +20 step for 6 of the 48 hours in a series with noise ±0.5 (the DevicePipelineTests series): the hour windows of the
    // step have a mean and range far outside the trained windows' subspace, so their Q statistic is orders of magnitude over
    // the threshold chosen on normal windows; the onnx detector's hysteresis makes the 6-hour step one alert.
    [Fact]
    public async Task Replay_StepWithTrainedModel_OneOnnxAlert()
    {
        var a = Series("a.csv", seed: 1, stepAt: 36);
        var model = Train(Series("train.csv", seed: 3, stepAt: -1, hours: 30 * 24), "m");
        var lines = new List<string>();
        var (pipeline, uplink) = Build(Toml(a, null, "onnx"), a, lines: lines);
        using (uplink)
        using (pipeline)
        {
            Assert.True(pipeline.StageModel("m", File.ReadAllBytes(Path.Combine(model, "model.onnx"))));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(pipeline.Counters.Alerts == 1, string.Join("\n", lines));
            Assert.Contains(lines, l => l.StartsWith("window 2024-01-02T12:00:00.000Z", StringComparison.Ordinal) && l.Contains("ALERT(critical, onnx)", StringComparison.Ordinal));
        }
    }

    // A model that passes its checks but overflows on live data: window means of 1e20 give z² ≈ 1e40, beyond float32's
    // largest value (3.4e38, IEEE 754 binary32), so the score is +∞. Such batches are counted as faults and their windows
    // left unscored (no alert from a meaningless score), and the model keeps scoring the windows it can.
    [Fact]
    public async Task Replay_ModelOverflowsOnSomeWindows_CountedAsFaultsWindowsUnscored()
    {
        var path = Path.Combine(_dir, "huge.csv");
        var sb = new StringBuilder("timestamp,value\n");
        for (var i = 0; i < 12 * 4; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{T0.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{(i >= 24 ? "1e20" : "1")}\n");
        }

        File.WriteAllText(path, sb.ToString());
        var (pipeline, uplink) = Build(Toml(path, null, "onnx"), path);
        using (uplink)
        using (pipeline)
        {
            Assert.True(pipeline.StageModel("overflow", StandardScoreModel.Fit([[0f, 1f], [1f, 2f]], 1, 2).ToOnnx()));
            pipeline.Start();
            await pipeline.Completion.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(4, pipeline.Counters.WindowsSummarised);
            Assert.Equal(2, pipeline.ScoredWindows);
            Assert.Equal(2, pipeline.InferenceFaults);
            Assert.Equal(0, pipeline.Counters.Alerts);
            Assert.Equal("overflow", pipeline.ActiveModel);
        }
    }

    [Fact]
    public void Constructor_GpuRequiredWithoutCuda_CleanErrorElseStarts()
    {
        var a = Series("a.csv", seed: 1, stepAt: -1);
        var toml = Toml(a, null, "onnx").Replace("gpu = \"off\"", "gpu = \"required\"", StringComparison.Ordinal);
        using var probe = new OnnxScorer(ModelBundlesFit(), 1, 2, GpuPolicy.Auto);
        if (probe.ExecutionProvider == "CPU")
        {
            var e = Assert.Throws<InferenceException>(() => Build(toml, a));
            Assert.StartsWith("[inference] gpu = \"required\": the CUDA execution provider is not available", e.Message, StringComparison.Ordinal);
        }
        else
        {
            var (pipeline, uplink) = Build(toml, a);
            pipeline.Dispose();
            uplink.Dispose();
        }
    }

    private static byte[] ModelBundlesFit() => StandardScoreModel.Fit([[0f, 1f], [1f, 2f]], 1, 2).ToOnnx();

    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private byte[] BadModel(string kind)
    {
        var rows = Enumerable.Range(0, 50).Select(i => new[] { i % 7f, i % 5f, i % 3f }).ToList();
        return kind switch
        {
            "garbage" => "not a model"u8.ToArray(),
            "unknown-feature" => PcaReconstructionModel.Fit(rows, 2).ToOnnx(new Dictionary<string, string> { [OnnxScorer.FeaturesKey] = "mean,std,slope" }),
            // μ = NaN: every score NaN (StandardScoreModel over one stream of mean, std)
            "nan" => StandardScoreModel.Fit([[float.NaN, float.NaN]], 1, 2).ToOnnx(),
            // three inputs per row, while (without metadata) the pipeline sends mean and std
            _ => PcaReconstructionModel.Fit(rows, 2).ToOnnx(),
        };
    }

    private string Train(string series, string name, string features = "mean,std,min,max")
    {
        var dir = Path.Combine(_dir, name);
        ModelTrainer.Train(series, dir, components: Math.Min(2, features.Split(',').Length - 1), heldOut: 0.25, quantile: 1, window: TimeSpan.FromHours(1), features: features.Split(','));
        return dir;
    }

    private string Series(string file, int seed, int stepAt, int hours = Hours) => StepSeries(_dir, file, seed, stepAt, hours);

    /// <summary>Writes <paramref name="dir"/>/<paramref name="file"/>: 48 hours (or <paramref name="hours"/>) of 5-minute samples from
    /// 2024-01-01 UTC: 50 plus uniform noise ±0.5 (fixed seed); +20 for 6 hours from hour <paramref name="stepAt"/> (none when negative).</summary>
    internal static string StepSeries(string dir, string file, int seed, int stepAt, int hours = Hours)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("timestamp,value\n");
        for (var i = 0; i < hours * 12; i++)
        {
            var v = 50 + (rng.NextDouble() - 0.5) + (stepAt >= 0 && i >= stepAt * 12 && i < (stepAt + 6) * 12 ? 20 : 0);
            sb.Append(CultureInfo.InvariantCulture, $"{T0.AddMinutes(5 * i):yyyy-MM-dd HH:mm:ss},{v:F3}\n");
        }

        var path = Path.Combine(dir, file);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static string Toml(string a, string? b, string detector)
    {
        var sb = new StringBuilder("[device]\nid = \"t\"\n");
        foreach (var (name, path) in new[] { ("a", a), ("b", b) })
        {
            if (path is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"[[sensor]]\nname = \"{name}\"\nchip = \"replay\"\nbus = 'replay:{path}'\nrate_hz = 1\ndetector = \"{detector}\"\n");
            }
        }

        sb.Append("[window]\nlength = \"1h\"\n[inference]\nenabled = true\ngpu = \"off\"\nmodel = \"m\"\n[uplink]\nendpoint = \"tcp://127.0.0.1:5556\"\n[gitops]\nbranch = \"main\"\ninterval = \"30s\"\n");
        return sb.ToString();
    }

    private static (DevicePipeline Pipeline, UplinkClient Uplink) Build(string toml, string a, string? b = null, List<string>? lines = null)
    {
        var config = ConfigLoader.Parse(toml, "appliance.toml");
        var uplink = new UplinkClient(new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", DeviceId = "t" }, new MemoryOutbox(1 << 16, TimeSpan.FromSeconds(5)));
        var sensors = new List<SensorBinding> { new(new CsvReplaySource("a", a), 1, IsReplay: true) };
        if (b is not null)
        {
            sensors.Add(new(new CsvReplaySource("b", b), 1, IsReplay: true));
        }

        try
        {
            return (new DevicePipeline(config, sensors, uplink, new PipelineOptions { LiveLine = lines is null ? null : l => { lock (lines) { lines.Add(l); } } }, NullLogger.Instance), uplink);
        }
        catch
        {
            uplink.Dispose();
            throw;
        }
    }
}
