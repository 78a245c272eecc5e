using Appliance.Runtime.Tests.GitOps;

namespace Appliance.Runtime.Tests.Rollouts;

/// <summary>
/// The revision loader reads <c>rollouts/*.toml</c> (issue 18 item 2, device side): a bad file or a missing candidate
/// folder refuses the revision naming file and line; a candidate whose files verify but which does not load is a rejection
/// beside an applied revision; an active candidate takes its incumbent's place in the configuration.
/// </summary>
public sealed class RolloutLoaderTests : IDisposable
{
    private readonly GitWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private const string Toml = "[device]\nid = \"pump-7\"\n\n[[sensor]]\nname = \"env\"\nchip = \"bme280\"\nbus = \"emulated:bme280\"\nrate_hz = 20\n\n[inference]\nenabled = true\ngpu = \"off\"\nmodel = \"pump\"\n"
        + Config.TestToml.Tail + "\n";

    private ConfigBundle Load(Dictionary<string, string?> files, string? deviceId = null)
    {
        files["appliance.toml"] = Toml;
        foreach (var (k, v) in RolloutModels.Folder(_ws.Work, "pump", 1e12))
        {
            files[k] = v;
        }

        var commit = _ws.Commit(null, files);
        var repo = new ConfigRepository(_ws.Url, _ws.State);
        repo.Fetch();
        return RevisionLoader.Load(repo, commit, deviceId, checkBuses: false, "test");
    }

    [Fact]
    public void Load_BadRolloutFile_RefusedNamingFileLineAndKey()
    {
        var e = Assert.Throws<ConfigException>(() => Load(new() { ["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "shadow").Replace("waves = [1]", "waves = []", StringComparison.Ordinal) }));

        Assert.Equal("rollouts/r1.toml", e.Source);
        Assert.Equal(5, e.Line);
        Assert.Contains("waves", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CandidateFolderMissing_RefusedNamingModelLine()
    {
        var e = Assert.Throws<ConfigException>(() => Load(new() { ["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "pending") }));

        Assert.Equal("rollouts/r1.toml:2: [rollout] model = \"hot\": no folder models/hot/ in this revision (expected model.onnx, selftest.toml and SHA256SUMS there)", e.Message);
    }

    [Fact]
    public void Load_CandidateHashWrong_RefusedLikeAnyModel()
    {
        var files = RolloutModels.Folder(_ws.Work, "hot", 1e-9);
        File.AppendAllText(Path.Combine(_ws.Work, "models", "hot", "model.onnx"), "tampered");
        files["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "shadow");

        var e = Assert.Throws<ConfigException>(() => Load(files));

        Assert.StartsWith("models/hot/SHA256SUMS:1: model.onnx: SHA-256 is ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_GarbageCandidateInShadow_RevisionLoadsWithRejection()
    {
        var files = RolloutModels.Garbage(_ws.Work, "junk");
        files["rollouts/r1.toml"] = RolloutModels.Rollout("junk", "shadow");

        var bundle = Load(files);

        var r = Assert.Single(bundle.Rollouts);
        Assert.Equal((RolloutRole.Shadow, (ModelPackage?)null), (r.Role, r.Candidate));
        Assert.StartsWith("models/junk/model.onnx: does not load: ", r.Rejection, StringComparison.Ordinal);
        Assert.Equal("pump", bundle.Config.Inference.Model);
    }

    [Fact]
    public void Load_Roles_FollowStateAndDeviceId()
    {
        var files = RolloutModels.Folder(_ws.Work, "hot", 1e-9);
        files["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "promoted");

        var active = Load(files);
        var other = RevisionLoader.Load(Fetched(), _ws.Git("rev-parse", "HEAD").Trim(), "pump-8", checkBuses: false, "test");

        Assert.Equal(RolloutRole.Active, Assert.Single(active.Rollouts).Role);
        Assert.Equal("hot", active.Config.Inference.Model);
        Assert.Contains(active.Models, m => m.Name == "hot");
        Assert.Empty(other.Rollouts);
        Assert.Equal("pump", other.Config.Inference.Model);
    }

    [Fact]
    public void Load_IncumbentNotThisDevicesModel_Rejection()
    {
        var files = RolloutModels.Folder(_ws.Work, "hot", 1e-9);
        files["rollouts/r1.toml"] = RolloutModels.Rollout("hot", "shadow").Replace("incumbent = \"pump\"", "incumbent = \"fan\"", StringComparison.Ordinal);

        var bundle = Load(files);

        Assert.Equal("incumbent \"fan\" is neither this device's [inference] model nor a [[multivariate]] model: nothing to replace", Assert.Single(bundle.Rollouts).Rejection);
    }

    private ConfigRepository Fetched()
    {
        var repo = new ConfigRepository(_ws.Url, _ws.State);
        repo.Fetch();
        return repo;
    }
}
