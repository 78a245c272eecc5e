namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// The reconciler against a real bare repository on disk, with commits made and signed by the git CLI
/// (<c>git commit -S</c>, <c>gpg.format = ssh</c>) and pushed; the device side is <see cref="FakeTarget"/>.
/// Every bad input must leave the previous revision running.
/// </summary>
public sealed class ReconcilerTests : IDisposable
{
    private readonly GitWorkspace _ws = new();
    private readonly string _key;
    private readonly string _trust;

    public ReconcilerTests()
    {
        _key = _ws.Key("operator");
        _trust = _ws.AllowedSigners(_key);
    }

    public void Dispose() => _ws.Dispose();

    internal static string Toml(double rate = 10, string sensor = "env", string extra = "") => $$"""
        [device]
        id = "pump-7"

        [[sensor]]
        name = "{{sensor}}"
        chip = "bme280"
        bus = "emulated:bme280"
        rate_hz = {{rate.ToString(CultureInfo.InvariantCulture)}}
        {{extra}}
        """ + Config.TestToml.Tail.Replace("interval = \"30s\"", "interval = \"1s\"", StringComparison.Ordinal) + "\n";

    [Fact]
    public async Task ReconcileOnce_SignedRateChange_AppliedAndStatusWritten()
    {
        _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        var v2 = _ws.Commit(_key, "appliance.toml", Toml(20));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal(ConfigState.Applied, r.ConfigState);
        Assert.Equal(v2, r.ConfigRevision);
        Assert.Equal(20, target.Running!.Config.Sensors[0].RateHz);
        Assert.Contains("operator@example.com", target.Running.Signer, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(r.StatusPath));
        Assert.Equal(v2, json.RootElement.GetProperty("config_revision").GetString());
        Assert.Equal("applied", json.RootElement.GetProperty("config_state").GetString());
    }

    [Fact]
    public async Task ReconcileOnce_RateZero_RejectedWithFileLineAndPreviousRuns()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        var bad = _ws.Commit(_key, "appliance.toml", Toml(0));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal(ConfigState.Rejected, r.ConfigState);
        Assert.Equal("appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000", r.ConfigError);
        Assert.Equal(v1, r.ConfigRevision);
        Assert.Equal(bad, r.Status.FailedRevision);
        Assert.Single(target.Applied);

        // A later good commit is applied and clears the error.
        var v3 = _ws.Commit(_key, "appliance.toml", Toml(12));
        await r.ReconcileOnceAsync(CancellationToken.None);
        Assert.Equal((ConfigState.Applied, v3, (string?)null), (r.ConfigState, r.ConfigRevision, r.ConfigError));
    }

    [Fact]
    public async Task ReconcileOnce_HealthCheckFails_RolledBackToLastKnownGood()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        var bad = _ws.Commit(_key, "appliance.toml", Toml(10, sensor: "dead"));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal(ConfigState.RolledBack, r.ConfigState);
        Assert.Equal(v1, r.ConfigRevision);
        Assert.Equal(bad, r.Status.FailedRevision);
        Assert.Contains("health check failed", r.ConfigError, StringComparison.Ordinal);
        Assert.Equal([v1, bad, v1], target.Applied.Select(b => b.Revision));

        // The same tip is not retried every interval.
        await r.ReconcileOnceAsync(CancellationToken.None);
        Assert.Equal(3, target.Applied.Count);
    }

    [Fact]
    public async Task ReconcileOnce_ApplyThrows_ReportedAndPreviousRuns()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        _ws.Commit(_key, "appliance.toml", Toml(10, sensor: "unopenable"));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.RolledBack, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("apply failed: sensor 'unopenable'", r.ConfigError, StringComparison.Ordinal);
        Assert.Equal(v1, target.Running!.Revision);
    }

    [Fact]
    public async Task ReconcileOnce_UnsignedCommit_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        _ws.Commit(null, "appliance.toml", Toml(20));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("is not signed", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_ForeignSignedCommit_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var intruder = _ws.Key("intruder");

        // Reference: git itself refuses the commit under the same allowed-signers file.
        var foreign = _ws.Commit(intruder, "appliance.toml", Toml(20));
        Assert.NotEqual(0, GitWorkspace.ExitCode(_ws.Work, "git", "-c", $"gpg.ssh.allowedSignersFile={_trust}", "verify-commit", foreign));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("does not trust", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_BranchResetToOlderCommit_DowngradeRefusedUnlessAllowed()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var v2 = _ws.Commit(_key, "appliance.toml", Toml(20));
        await r.ReconcileOnceAsync(CancellationToken.None);
        _ws.Git("reset", "-q", "--hard", v1);
        _ws.Git("push", "-q", "-f", "origin", "HEAD:main");

        await r.ReconcileOnceAsync(CancellationToken.None);
        Assert.Equal((ConfigState.Rejected, v2), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("downgrade refused", r.ConfigError, StringComparison.Ordinal);

        // A restart does not open the door: the pinned last known good revision is the reference.
        var (restarted, _) = await StartAsync();
        Assert.Equal((ConfigState.Rejected, v2), (restarted.ConfigState, restarted.ConfigRevision));

        var (allowing, _) = await StartAsync(allowDowngrade: true);
        Assert.Equal((ConfigState.Applied, v1), (allowing.ConfigState, allowing.ConfigRevision));
    }

    [Fact]
    public async Task ReconcileOnce_ForcePushedRewrite_Followed()
    {
        _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        _ws.Commit(_key, "appliance.toml", Toml(20));
        await r.ReconcileOnceAsync(CancellationToken.None);

        // Rewrite the last commit (amend, newer content) and force-push.
        File.WriteAllText(Path.Combine(_ws.Work, "appliance.toml"), Toml(30));
        _ws.Git("add", "-A");
        _ws.Git("-c", $"user.signingkey={_key}.pub", "commit", "-q", "--amend", "-S", "-m", "rewritten");
        _ws.Git("push", "-q", "-f", "origin", "HEAD:main");
        var rewritten = _ws.Git("rev-parse", "HEAD").Trim();

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, rewritten), (r.ConfigState, r.ConfigRevision));
        Assert.Equal(30, target.Running!.Config.Sensors[0].RateHz);
    }

    [Fact]
    public async Task ReconcileOnce_TenMegabyteConfig_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        _ws.Commit(_key, "appliance.toml", Toml(10) + "# " + new string('x', 10 << 20) + "\n");

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.StartsWith("appliance.toml: file is 10485", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_InvalidTomlInDeviceOverride_RejectedWithOverrideLine()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        _ws.Commit(_key, "devices/pump-7.toml", "[window]\nlength = \n");

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.StartsWith("devices/pump-7.toml:2: invalid TOML", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_DeviceOverride_MergedForThisDeviceOnly()
    {
        _ws.Commit(_key, new Dictionary<string, string?>
        {
            ["appliance.toml"] = Toml(10),
            ["devices/pump-7.toml"] = "[[sensor]]\nname = \"env\"\nrate_hz = 50\n",
            ["devices/pump-8.toml"] = "[[sensor]]\nname = \"env\"\nrate_hz = 80\n",
        });
        var (r, target) = await StartAsync();
        Assert.Equal(ConfigState.Applied, r.ConfigState);
        Assert.Equal(50, target.Running!.Config.Sensors[0].RateHz);
    }

    [Fact]
    public async Task ReconcileOnce_RepositoryVanishes_UnreachableAndPreviousRuns()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        Directory.Delete(_ws.Bare, recursive: true);

        await r.ReconcileOnceAsync(CancellationToken.None);
        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Equal(2, r.Status.ConsecutiveFetchFailures);
        Assert.Contains("unreachable", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_OfflineWithLastKnownGood_BootsFromIt()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        await StartAsync();
        Directory.Delete(_ws.Bare, recursive: true);

        var (r, target) = await StartAsync();

        Assert.Equal((ConfigState.Applied, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Equal(10, target.Running!.Config.Sensors[0].RateHz);
        Assert.Contains("unreachable", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RestartOnUnchangedBranch_ReappliesSameRevision()
    {
        // A device restarted (crash, power cut, kill -9) while the branch still points at the applied revision: the same
        // commit is no downgrade and must be applied again, not refused in favour of the baked-in configuration.
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        await StartAsync();

        var (r, target) = await StartAsync();

        Assert.Equal((ConfigState.Applied, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Equal(v1, target.Running!.Revision);
        Assert.Null(r.ConfigError);
    }

    [Fact]
    public async Task StartAsync_OfflineWithNoRevision_BootsFromBakedIn()
    {
        Directory.Delete(_ws.Bare, recursive: true);

        var (r, target) = await StartAsync();

        Assert.Equal((ConfigState.Applied, ConfigBundle.BakedIn), (r.ConfigState, r.ConfigRevision));
        Assert.Equal(ConfigBundle.BakedIn, target.Running!.Revision);
        Assert.Equal(ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml").Sensors, target.Running.Config.Sensors);
    }

    [Fact]
    public void Constructor_HttpScheme_RefusedAsUnsupported()
    {
        var e = Assert.Throws<GitOpsException>(() => new Reconciler(Options("http://127.0.0.1:9/repo.git"), new FakeTarget(), NullLogger.Instance));
        Assert.Equal(GitOpsFailure.UnsupportedScheme, e.Failure);
        Assert.Contains("scheme 'http' is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_HttpsNothingListening_Unreachable()
    {
        // Port 9 (discard) on loopback: nothing listens here, so the connection is refused.
        var repo = new ConfigRepository("https://127.0.0.1:9/repo.git", _ws.State);
        var e = Assert.Throws<GitOpsException>(repo.Fetch);
        Assert.Equal(GitOpsFailure.Unreachable, e.Failure);
    }

    [Fact]
    public async Task StartAsync_StarterRepository_AppliedWithItsModel()
    {
        foreach (var (path, bytes) in StarterRepository.Files())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_ws.Work, path))!);
            File.WriteAllBytes(Path.Combine(_ws.Work, path), bytes);
        }

        var v1 = _ws.Commit(_key, new Dictionary<string, string?>());

        // Reference: the manifest is what GNU sha256sum accepts.
        Assert.Equal(0, GitWorkspace.ExitCode(Path.Combine(_ws.Work, "models", StarterRepository.ModelName), "sha256sum", "--check", "--strict", "SHA256SUMS"));

        var (r, target) = await StartAsync();

        Assert.Equal((ConfigState.Applied, v1, (string?)null), (r.ConfigState, r.ConfigRevision, r.ConfigError));

        // The starter configuration does not name its model in [inference] model, so the device does not read it (issue 14
        // item 18: unreferenced files are never read); `appliance check` verifies it as a device that names it would.
        Assert.Empty(target.Running!.Models);
        Assert.Equal(StarterRepository.ModelName, RevisionLoader.Model(new ConfigRepository(_ws.Url, _ws.State), v1, StarterRepository.ModelName).Name);
    }

    [Fact]
    public async Task ReconcileOnce_ModelWithManifestAndSelfTest_Applied()
    {
        _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        var v2 = _ws.Commit(_key, Referenced(Model("standard")));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, v2), (r.ConfigState, r.ConfigRevision));
        Assert.Equal("standard", Assert.Single(target.Running!.Models).Name);
    }

    [Fact]
    public async Task ReconcileOnce_ModelHashMismatch_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var files = Model("standard");
        File.AppendAllText(Path.Combine(_ws.Work, "models/standard/model.onnx"), "tampered");
        _ws.Commit(_key, Referenced(files));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Matches(@"^models/standard/SHA256SUMS:\d: model\.onnx: SHA-256 is [0-9a-f]{64}, the manifest says", r.ConfigError);
    }

    [Fact]
    public async Task ReconcileOnce_ModelFileMissing_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var files = Model("standard");
        File.Delete(Path.Combine(_ws.Work, "models/standard/model.onnx"));
        _ws.Commit(_key, Referenced(files));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("model.onnx: listed but missing", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_ModelSelfTestFails_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        _ws.Commit(_key, Referenced(Model("standard", expectedOffset: 0.5f)));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.Contains("models/standard/selftest.toml:", r.ConfigError, StringComparison.Ordinal);
        Assert.Contains("the self-test fails", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_InferenceModelInRevision_AppliedWithIt()
    {
        _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, target) = await StartAsync();
        var files = Model("standard");
        files["appliance.toml"] = Toml(10, extra: "detector = \"onnx\"\n[inference]\nmodel = \"standard\"\n");
        var v2 = _ws.Commit(_key, files);

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, v2), (r.ConfigState, r.ConfigRevision));
        Assert.Equal("standard", target.Running!.Config.Inference.Model);
    }

    [Fact]
    public async Task ReconcileOnce_InferenceModelNotInRevision_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        _ws.Commit(_key, "appliance.toml", Toml(10, extra: "[inference]\nmodel = \"pump\"\n"));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        // Issue 14 item 20: the refusal names the line of [inference] model (it named only the file).
        Assert.StartsWith("appliance.toml:10: [inference] model = \"pump\": no folder models/pump/ in this revision", r.ConfigError, StringComparison.Ordinal);
    }

    // A model whose metadata names an input the device does not compute passes its own self-test but not the pipeline's
    // check: the revision is refused, so the running revision (and its model) stays.
    [Fact]
    public async Task ReconcileOnce_InferenceModelWithUnknownFeature_Rejected()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var csv = Path.Combine(_ws.Work, "..", "features.csv");
        File.WriteAllLines(csv, ["mean,slope", .. Enumerable.Range(0, 40).Select(i => string.Create(CultureInfo.InvariantCulture, $"{20 + (i % 5)},{(i % 3) * 0.1}"))]);
        Appliance.Cloud.Training.ModelTrainer.Train(csv, Path.Combine(_ws.Work, "models", "pump"), components: 1);
        _ws.Commit(_key, "appliance.toml", Toml(10, extra: "[inference]\nmodel = \"pump\"\n"));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.StartsWith("models/pump/model.onnx: refused: feature 'slope' is not a window feature", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_ModelWithoutThreshold_RejectedNamingIt()
    {
        // Issue 14, item 12: a model with no calibrated threshold never fires; it used to be applied without a word.
        var v1 = _ws.Commit(_key, "appliance.toml", Toml(10));
        var (r, _) = await StartAsync();
        var files = Model(_ws, "pump", threshold: null);
        files["appliance.toml"] = Toml(10, extra: "[inference]\nmodel = \"pump\"\n");
        _ws.Commit(_key, files);

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1), (r.ConfigState, r.ConfigRevision));
        Assert.StartsWith("models/pump/model.onnx: no calibrated threshold: the ONNX metadata has no appliance.threshold", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public void StarterRepository_Model_CarriesAThresholdThatTheHeaterStepCrossesAndTheNormalCycleDoesNot()
    {
        // The +15 °C step of the demo's heater fault (Bme280PhysicalModel.HeaterStepC) must raise an alert; the emulated
        // BME280's normal daily and 3-day cycle (22 ± 3 °C, 101325 ± 120 Pa, 45 ∓ 5 %RH) must not.
        var files = StarterRepository.Files();
        var folder = $"models/{StarterRepository.ModelName}";
        var package = ModelPackage.Verify(StarterRepository.ModelName, folder, f => files.TryGetValue($"{folder}/{f}", out var b) ? b : null, files.Keys.Where(k => k.StartsWith(folder + "/", StringComparison.Ordinal)).Select(k => k[(folder.Length + 1)..]));
        var threshold = double.Parse(OnnxScorer.ReadMetadata(package.Onnx)[OnnxScorer.ThresholdKey], CultureInfo.InvariantCulture);
        using var scorer = new OnnxScorer(package.Onnx, 3, 1, GpuPolicy.Off);
        var scores = new float[3];

        scorer.Run([22f + (float)Bme280PhysicalModel.HeaterStepC, 101_325f, 45f], scores);
        Assert.True(scores[0] >= threshold, $"heated: {scores[0]} < {threshold}");

        foreach (var (t, p, h) in new[] { (19.05f, 101_203f, 49.7f), (24.95f, 101_445f, 40.3f), (22f, 101_325f, 45f) })
        {
            scorer.Run([t, p, h], scores);
            Assert.All(scores, s => Assert.True(s < threshold, $"normal ({t}, {p}, {h}): {s} >= {threshold}"));
        }
    }

    /// <summary>
    /// A model folder: the z-score model of <see cref="StandardScoreModel"/> exported to ONNX, a self-test whose expected
    /// outputs come from the model's managed reference (<see cref="StandardScoreModel.Score"/>), and a SHA-256 manifest.
    /// </summary>
    private Dictionary<string, string?> Model(string name, float expectedOffset = 0) => Model(_ws, name, expectedOffset);

    /// <summary><paramref name="files"/> with an appliance.toml whose <c>[inference] model</c> names "standard": only a model the
    /// configuration names is read (issue 14 item 18), so the model checks above need one that is named.</summary>
    private static Dictionary<string, string?> Referenced(Dictionary<string, string?> files)
    {
        files["appliance.toml"] = Toml(10, extra: "[inference]\nmodel = \"standard\"\n");
        return files;
    }

    /// <summary>
    /// The same model folder in <paramref name="ws"/>'s working tree; its model takes a fixed batch of 2 rows of 2 features. Its
    /// threshold is by default χ²(2) at 0.999, −2·ln(0.001) (the score is a sum of 2 squared z-scores); null writes none.
    /// </summary>
    internal static Dictionary<string, string?> Model(GitWorkspace ws, string name, float expectedOffset = 0, string? threshold = "13.815510557964274")
    {
        var rows = Enumerable.Range(0, 20).Select(i => new float[] { 20 + (i % 5), 1 + (i % 3) * 0.1f, 1000 + i, 2 }).ToList();
        var model = StandardScoreModel.Fit(rows, streams: 2, features: 2);
        var input = new float[] { 23, 1.1f, 1030, 2 };
        var expected = new float[2];
        model.Score(input, expected);
        var selfTest = string.Create(CultureInfo.InvariantCulture, $"streams = 2\nfeatures = 2\ntolerance = 1e-4\n\n[[case]]\ninput = [{string.Join(", ", input.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]\nexpected = [{string.Join(", ", expected.Select(v => (v + expectedOffset).ToString("R", CultureInfo.InvariantCulture)))}]\n");
        var onnx = model.ToOnnx(threshold is null ? null : new Dictionary<string, string> { [OnnxScorer.ThresholdKey] = threshold });
        var folder = Path.Combine(ws.Work, "models", name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        var sums = $"{Convert.ToHexStringLower(SHA256.HashData(onnx))}  model.onnx\n{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(selfTest)))}  selftest.toml\n";
        return new Dictionary<string, string?> { [$"models/{name}/selftest.toml"] = selfTest, [$"models/{name}/SHA256SUMS"] = sums };
    }

    private ReconcilerOptions Options(string url, bool allowDowngrade = false, string? state = null) => new()
    {
        Url = url,
        StateDirectory = state ?? _ws.State,
        DeviceId = "pump-7",
        Verifier = CommitVerifier.Trusting(AllowedSigners.Load(_trust)),
        AllowDowngrade = allowDowngrade,
        BakedInToml = DefaultConfig.Toml,
        CheckBuses = true,
    };

    private async Task<(Reconciler, FakeTarget)> StartAsync(bool allowDowngrade = false, string? state = null)
    {
        var target = new FakeTarget();
        var r = new Reconciler(Options(_ws.Url, allowDowngrade, state), target, NullLogger.Instance);
        await r.StartAsync(CancellationToken.None);
        return (r, target);
    }
}
