namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A model push end to end: the device of <c>appliance run</c> (<see cref="DeviceRuntime"/>, an emulated BME280 sampled
/// live) follows a real repository through the real <see cref="Reconciler"/>, with signed commits pushed by the git CLI.
/// Revision A runs model 1; revision B changes only the model's bytes (model 2, both written by <see cref="ModelTrainer"/>);
/// revision C brings a model the running pipeline refuses. The pipeline must be kept across B (same object, every window
/// once, consecutive), B's windows scored by model 2 exactly as model 2's own C# computation
/// (<see cref="PcaReconstructionModel.Score"/>, the reference the trainer checks ONNX Runtime against), and C refused
/// with model 2 still scoring.
/// </summary>
[Collection(LiveDeviceCollection.Name)]
public sealed class ModelPushTests : IDisposable
{
    private static readonly long WindowNs = 500 * 1_000_000L;
    private readonly GitWorkspace _ws = new();
    private readonly string _key;
    private readonly string _trust;

    public ModelPushTests()
    {
        _key = _ws.Key("operator");
        _trust = _ws.AllowedSigners(_key);
    }

    public void Dispose() => _ws.Dispose();

    /// <summary>The device pump-7: one emulated BME280 at 20 Hz, 500 ms windows, <c>[inference] model</c> = <paramref name="model"/>.</summary>
    internal static string Toml(string model = "pump") => $$"""
        [device]
        id = "pump-7"

        [[sensor]]
        name = "env"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = 20

        [window]
        length = "500ms"

        [inference]
        enabled = true
        gpu = "off"
        model = "{{model}}"

        [uplink]
        endpoint = "tcp://127.0.0.1:1"

        [gitops]
        branch = "main"
        interval = "1s"
        health_grace = "5s"

        """;

    [Fact]
    public async Task ReconcileOnce_OnlyModelBytesChange_SwappedInPlaceEveryWindowOnceScoredByNewModel()
    {
        var model1 = Train("model1", seed: 1, level: 20);
        var model2 = Train("model2", seed: 2, level: 30);
        Copy(model1.Dir, "pump");
        var revA = _ws.Commit(_key, "appliance.toml", Toml());

        var id1 = Id("pump", model1.Dir);
        var id2 = Id("pump", model2.Dir);
        Assert.NotEqual(id1, id2);
        var (seen, samplesRead) = await RunDeviceAsync(async (r, device, scored) =>
        {
            Assert.Equal((ConfigState.Applied, revA), (r.ConfigState, r.ConfigRevision));
            var pipeline = device.Pipeline!;
            await WaitAsync(() => Count(scored, id1) >= 3 * 3, "model 1 scores three windows");
            Assert.Equal(id1, await StatusAsync("active_model", id1));

            // B: the same appliance.toml, other model bytes in models/pump.
            Copy(model2.Dir, "pump");
            var revB = _ws.Commit(_key, new Dictionary<string, string?>(), "model 2");
            await r.ReconcileOnceAsync(CancellationToken.None);

            Assert.Equal((ConfigState.Applied, revB, (string?)null), (r.ConfigState, r.ConfigRevision, r.ConfigError));
            Assert.Same(pipeline, device.Pipeline);
            Assert.Equal(id2, pipeline.ActiveModel);
            Assert.Equal(id2, await StatusAsync("active_model", id2));
            await WaitAsync(() => Count(scored, id2) >= 3 * 3, "model 2 scores three windows");

            // C: a model that passes its own self-test (2 rows) but not the running pipeline's batch of 3 rows
            // (one per BME280 channel): the apply fails, the reconciler keeps B, model 2 keeps scoring.
            var bad = BadModelFiles("pump");
            var revC = _ws.Commit(_key, bad.Files, "model with a fixed batch of 2");
            var before = Count(scored, id2);
            await r.ReconcileOnceAsync(CancellationToken.None);

            var badId = "models/pump@sha256:" + bad.Sha256[..12];
            Assert.Equal((ConfigState.RolledBack, revB, revC), (r.ConfigState, r.ConfigRevision, r.Status.FailedRevision));
            Assert.Contains("apply failed: the running pipeline refused " + badId, r.ConfigError, StringComparison.Ordinal);
            Assert.StartsWith(badId + ": ", pipeline.LastModelRejection, StringComparison.Ordinal);
            Assert.Same(pipeline, device.Pipeline);
            Assert.Equal(id2, pipeline.ActiveModel);
            Assert.StartsWith(badId, await StatusAsync("last_model_rejection", badId), StringComparison.Ordinal);
            await WaitAsync(() => Count(scored, id2) >= before + (2 * 3), "model 2 scores on after C");
        });

        var (summaries, heartbeats) = ReadJournal(Path.Combine(_ws.State, "outbox"));

        AssertEveryWindowOnce(summaries, seen, samplesRead);

        // Model 1 until one batch boundary and model 2 from it, never back.
        foreach (var channel in seen.Select(s => s.Channel).Distinct())
        {
            var mine = seen.Where(s => s.Channel == channel).ToList();
            var firstCount = mine.TakeWhile(s => s.Model == id1).Count();
            Assert.InRange(firstCount, 3, mine.Count - 1);
            Assert.All(mine.Skip(firstCount), s => Assert.Equal(id2, s.Model));
        }

        // Model 2's windows score as model 2's own C# computation on the features the device sent (within 1e-5 relative,
        // the trainer's own agreement bound between ONNX Runtime and its C# reference).
        var columns = WindowFeatureColumns.Resolve(ModelTrainer.DefaultSeriesFeatures);
        var byWindow = summaries.ToDictionary(s => (s.Channel, s.WindowStartNs));
        var checkedScores = 0;
        foreach (var s in seen.Where(s => s.Model == id2))
        {
            var f = byWindow[(s.Channel, s.Start)].Features;
            var row = columns.Select(c => WindowFeatureColumns.Value(f, c)).ToArray();
            var expected = new float[1];
            model2.Pca.Score(row, expected);
            Assert.True(Math.Abs(s.Score - expected[0]) <= 1e-5 * Math.Max(1e-30, Math.Abs(expected[0])), $"{s.Channel} {s.Start}: device {s.Score:R}, model 2 in C# {expected[0]:R}");
            checkedScores++;
        }

        Assert.True(checkedScores >= 5 * 3, $"{checkedScores} scores checked");

        // Heartbeats (one at each apply, one when the pushed model scores) name the active model and the last refusal.
        Assert.Contains(heartbeats, h => h.ModelId == id1);
        Assert.Contains(heartbeats, h => h.ModelId == id2);
        Assert.Contains(heartbeats, h => h.ModelId == id2 && h.ModelRejection.StartsWith("models/pump@sha256:", StringComparison.Ordinal));
    }

    // A model that passes every check before it scores (its self-test's pressures of 60 000 score finite) but gives NaN on
    // the device's own windows (log of a negative number, IEEE 754 §9.2: log(x) is NaN for x < 0): it is swapped in, scores
    // nothing, and fails the health check; the reconciler rolls back to A, whose model is swapped back into the same pipeline.
    [Fact]
    public async Task ReconcileOnce_PushedModelNaNOnLiveWindows_HealthFailsAndPreviousModelSwappedBackInPlace()
    {
        var model1 = Train("model1", seed: 1, level: 20);
        Copy(model1.Dir, "pump");
        var revA = _ws.Commit(_key, "appliance.toml", Toml());
        var id1 = Id("pump", model1.Dir);
        var (seen, samplesRead) = await RunDeviceAsync(async (r, device, scored) =>
        {
            var pipeline = device.Pipeline!;
            await WaitAsync(() => Count(scored, id1) >= 2 * 3, "model 1 scores two windows");
            var (files, sha) = NaNOnLiveModelFiles("pump");
            var revD = _ws.Commit(_key, files, "model that is NaN below 50 000");
            await r.ReconcileOnceAsync(CancellationToken.None);

            Assert.Equal((ConfigState.RolledBack, revA, revD), (r.ConfigState, r.ConfigRevision, r.Status.FailedRevision));
            Assert.Contains("health check failed", r.ConfigError, StringComparison.Ordinal);
            Assert.Contains($"model models/pump@sha256:{sha[..12]} scored no window", r.ConfigError, StringComparison.Ordinal);
            Assert.Same(pipeline, device.Pipeline);
            Assert.True(pipeline.InferenceFaults > 0);
            var before = Count(scored, id1);
            await WaitAsync(() => Count(scored, id1) >= before + (2 * 3), "model 1 scores again");
            Assert.Equal(id1, pipeline.ActiveModel);
        });

        Assert.All(seen, s => Assert.Equal(id1, s.Model)); // the pushed model scored no window
        var (summaries, _) = ReadJournal(Path.Combine(_ws.State, "outbox"));
        AssertEveryWindowOnce(summaries, [], samplesRead); // the pushed model's windows went unscored (NaN): summaries only
    }

    /// <summary>
    /// No window lost or produced twice: per channel, window starts strictly increase on the 500 ms grid, and the windows'
    /// sample counts add up to every sample the pipeline read but for one in flight at stop (so a window missing from the grid is
    /// one in which the sampling loop read nothing, as when a loaded machine delays it past a whole window, never one the
    /// pipeline dropped);
    /// every window summarised since the first recorded score was scored exactly once, in order.
    /// </summary>
    private static void AssertEveryWindowOnce(List<Summary> summaries, List<(string Channel, long Start, double Score, string Model)> scored, long samplesRead)
    {
        foreach (var channel in summaries.Select(s => s.Channel).Distinct())
        {
            var mine = summaries.Where(s => s.Channel == channel).ToList();
            Assert.All(mine.Zip(mine.Skip(1)), p => Assert.True(p.Second.WindowStartNs > p.First.WindowStartNs && (p.Second.WindowStartNs - p.First.WindowStartNs) % WindowNs == 0, $"{channel}: window {p.Second.WindowStartNs} after {p.First.WindowStartNs}"));
            Assert.Equal(samplesRead, mine.Sum(s => s.Features.Count)); // every sample read is in a window (a lost 500 ms window at 20 Hz would be ~10)
            var scoredStarts = scored.Where(s => s.Channel == channel).Select(s => s.Start).ToList();
            if (scoredStarts.Count > 0)
            {
                Assert.Equal(mine.Select(s => s.WindowStartNs).Where(t => t >= scoredStarts[0]), scoredStarts);
            }
        }
    }

    /// <summary>
    /// Runs the device of <c>appliance run</c> on this repository's branch through the reconciler: starts it (the first
    /// revision applied), records every window a model scores (channel, window start, score, model id) from then on, runs
    /// <paramref name="body"/>, stops and disposes the device (its journal stays in the state directory).
    /// </summary>
    private async Task<(List<(string Channel, long Start, double Score, string Model)> Scored, long SamplesRead)> RunDeviceAsync(
        Func<Reconciler, DeviceRuntime, List<(string Channel, long Start, double Score, string Model)>, Task> body)
    {
        var scored = new List<(string Channel, long Start, double Score, string Model)>();
        var samplesRead = 0L;
        var device = new DeviceRuntime(NullLoggerFactory.Instance, new PipelineOptions(), _ws.State);
        using (var r = new Reconciler(Options(), device, NullLogger.Instance))
        {
            try
            {
                device.GitOpsStatus = () => r.Status;
                await r.StartAsync(CancellationToken.None);
                device.Pipeline!.WindowScored = (_, channel, start, score, model) =>
                {
                    lock (scored)
                    {
                        scored.Add((channel, start, score, model));
                    }
                };
                await body(r, device, scored);
            }
            finally
            {
                await device.StopAsync(TimeSpan.Zero);
                // Samples that are in no window: late ones (counted). At stop the worker waits for the sampling loops to
                // end before its last drain, so a sample read as the device stops still reaches a window.
                samplesRead = device.Pipeline is { } p ? p.Counters.SamplesRead - p.Counters.LateSamples : 0;
                device.Dispose();
            }
        }

        lock (scored)
        {
            return ([.. scored], samplesRead);
        }
    }

    /// <summary>
    /// A model folder with <c>score = Σ_f ln(x_f − 50 000)</c> over 2 features (no feature metadata: mean and std): finite for
    /// its self-test (3 rows of 60 000, each 2·ln(10 000)), NaN for any window of the BME280 (standard deviations are small).
    /// </summary>
    private (Dictionary<string, string?> Files, string Sha256) NaNOnLiveModelFiles(string name)
    {
        var graph = OnnxGraphWriter.Graph(
            "log_offset",
            [
                OnnxGraphWriter.Node("Sub", "offset", [StandardScoreModel.InputName, "offset"], "shifted"),
                OnnxGraphWriter.Node("Log", "log", ["shifted"], "logs"),
                OnnxGraphWriter.Node("MatMul", "sum", ["logs", "ones"], StandardScoreModel.OutputName),
            ],
            [OnnxGraphWriter.FloatTensor("offset", [1, 2], [50_000f, 50_000f]), OnnxGraphWriter.FloatTensor("ones", [2, 1], [1f, 1f])],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.InputName, [(null, "N"), (2, null)])],
            [OnnxGraphWriter.FloatValueInfo(StandardScoreModel.OutputName, [(null, "N"), (1, null)])]);
        var onnx = OnnxGraphWriter.Model("appliance-test", 13, graph, new Dictionary<string, string> { [OnnxScorer.ThresholdKey] = "100" });
        var expected = ((float)(2 * Math.Log(10_000))).ToString("R", CultureInfo.InvariantCulture);
        var selfTest = $"streams = 3\nfeatures = 2\ntolerance = 1e-3\n\n[[case]]\ninput = [60000, 60000, 60000, 60000, 60000, 60000]\nexpected = [{expected}, {expected}, {expected}]\n";
        var folder = Path.Combine(_ws.Work, "models", name);
        Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        var sha = Convert.ToHexStringLower(SHA256.HashData(onnx));
        var sums = $"{sha}  model.onnx\n{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(selfTest)))}  selftest.toml\n";
        return (new Dictionary<string, string?> { [$"models/{name}/selftest.toml"] = selfTest, [$"models/{name}/SHA256SUMS"] = sums }, sha);
    }

    private ReconcilerOptions Options() => Options(_ws, _trust);

    /// <summary>The reconciler of device pump-7 on <paramref name="ws"/>'s repository, trusting the signers in <paramref name="trust"/>.</summary>
    internal static ReconcilerOptions Options(GitWorkspace ws, string trust) => new()
    {
        Url = ws.Url,
        StateDirectory = ws.State,
        DeviceId = "pump-7",
        Verifier = CommitVerifier.Trusting(AllowedSigners.Load(trust)),
        BakedInToml = DefaultConfig.Toml,
    };

    /// <summary>
    /// Trains a model with <see cref="ModelTrainer"/> on 40 windows' features (mean, std, min, max of a level with noise,
    /// fixed seed), and fits the same PCA on the same first 30 rows (the trainer's split for 25 % held out) as the reference.
    /// </summary>
    private (string Dir, PcaReconstructionModel Pca) Train(string name, int seed, double level)
    {
        var rng = new Random(seed);
        var rows = new List<float[]>();
        for (var i = 0; i < 40; i++)
        {
            var mean = (float)(level + rng.NextDouble());
            var std = (float)(0.1 + (0.05 * rng.NextDouble()));
            rows.Add([mean, std, mean - (3 * std) - (float)(0.1 * rng.NextDouble()), mean + (3 * std) + (float)(0.1 * rng.NextDouble())]);
        }

        var csv = Path.Combine(_ws.Root, name + ".csv");
        File.WriteAllLines(csv, [string.Join(',', ModelTrainer.DefaultSeriesFeatures), .. rows.Select(r => string.Join(',', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))]);
        var dir = Path.Combine(_ws.Root, name);
        var report = ModelTrainer.Train(csv, dir, components: 2, heldOut: 0.25);
        Assert.Equal(30, report.TrainingRows);
        return (dir, PcaReconstructionModel.Fit(rows.GetRange(0, 30), 2));
    }

    /// <summary>Replaces <c>models/NAME/</c> of the working tree with a trained bundle (every file, as the trainer's SHA256SUMS lists them).</summary>
    private void Copy(string bundle, string name)
    {
        var folder = Path.Combine(_ws.Work, "models", name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(bundle))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
    }

    private static string Id(string name, string bundle) =>
        $"models/{name}@sha256:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(bundle, "model.onnx"))))[..12]}";

    /// <summary>
    /// Replaces <c>models/NAME/</c> with the reconciler tests' model folder: a model with a fixed batch of 2 rows
    /// (<see cref="StandardScoreModel"/>) and a self-test of 2 rows it passes; returns the files to commit and the model's SHA-256.
    /// </summary>
    private (Dictionary<string, string?> Files, string Sha256) BadModelFiles(string name)
    {
        Directory.Delete(Path.Combine(_ws.Work, "models", name), recursive: true);
        var files = ReconcilerTests.Model(_ws, name);
        return (files, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_ws.Work, "models", name, "model.onnx")))));
    }

    private static int Count(List<(string Channel, long Start, double Score, string Model)> scored, string model)
    {
        lock (scored)
        {
            return scored.Count(s => s.Model == model);
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails naming <paramref name="what"/> after 30 s.</summary>
    internal static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (the status file is rewritten every second) until <c>STATE/status.json</c>'s <paramref name="key"/> starts with <paramref name="prefix"/>; returns its value.</summary>
    private async Task<string?> StatusAsync(string key, string prefix)
    {
        var path = Path.Combine(_ws.State, "status.json");
        string? value = null;
        await WaitAsync(
            () =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(path));
                    value = doc.RootElement.TryGetProperty(key, out var v) ? v.GetString() : null;
                }
                catch (Exception e) when (e is IOException or JsonException)
                {
                    return false;
                }

                return value?.StartsWith(prefix, StringComparison.Ordinal) == true;
            },
            $"status.json {key} starts with {prefix}");
        return value;
    }

    private static (List<Summary> Summaries, List<Heartbeat> Heartbeats) ReadJournal(string directory)
    {
        var summaries = new List<Summary>();
        var heartbeats = new List<Heartbeat>();
        foreach (var body in JournalBodies(directory))
        {
            switch (body)
            {
                case Summary s:
                    summaries.Add(s);
                    break;
                case Heartbeat h:
                    heartbeats.Add(h);
                    break;
            }
        }

        return (summaries, heartbeats);
    }

    /// <summary>The bodies of every record of the journal in <paramref name="directory"/>, in sequence order (each must decode).</summary>
    internal static List<object> JournalBodies(string directory)
    {
        using var journal = new JournalOutbox(new JournalOptions { Directory = directory });
        var records = new List<(long Seq, byte[] Record)>();
        journal.ReadFrom(1, int.MaxValue, records);
        var bodies = new List<object>();
        foreach (var (_, record) in records)
        {
            Assert.True(WireCodec.TryDecode(record, out var e, out var error), error);
            bodies.Add(e.Body);
        }

        return bodies;
    }
}
