namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// Issue 14 item 18 (a signed commit adding a 200 MB file was applied after 23 s at 486 MB RSS) and the tree checks of item
/// 20: a revision is judged by its blobs' sizes in the object database before anything of it is read; a file or revision over
/// the limits, or a submodule, is refused naming the path; a fetch that brings too much is stopped; model folders the
/// configuration does not name are never read. The large blob is 20 MB of random bytes (incompressible, so the pack is that
/// large too) with limits set low, so the test stays fast.
/// </summary>
public sealed class RepositoryLimitsTests : IDisposable
{
    private const int LargeBytes = 20 << 20;
    private readonly GitWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private string Large(string path)
    {
        var full = Path.Combine(_ws.Work, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var bytes = new byte[LargeBytes];
        new Random(14).NextBytes(bytes);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    private ConfigRepository Clone(RepositoryLimits limits)
    {
        var repo = new ConfigRepository(_ws.Url, _ws.State, limits: limits);
        repo.Fetch();
        return repo;
    }

    [Fact]
    public void CheckTree_FileOverLimit_RefusedNamingPathAndSizes()
    {
        Large("data/dump.bin");
        var commit = _ws.Commit(null, "appliance.toml", ReconcilerTests.Toml());
        var repo = Clone(new RepositoryLimits(MaxFileBytes: 1 << 20, MaxRevisionBytes: 64L << 20));

        var e = Assert.Throws<ConfigException>(() => repo.CheckTree(commit));

        Assert.Equal($"data/dump.bin: file is {LargeBytes} bytes: larger than the 1048576 bytes a file of a revision may hold (--max-file-size); revision {commit[..12]} is not read", e.Message);
    }

    [Fact]
    public void CheckTree_RevisionOverLimit_RefusedWithTotal()
    {
        var text = ReconcilerTests.Toml();
        var files = new Dictionary<string, string?> { ["appliance.toml"] = text, ["notes/a.txt"] = new string('a', 600_000), ["notes/b.txt"] = new string('b', 600_000) };
        var commit = _ws.Commit(null, files);
        var repo = Clone(new RepositoryLimits(MaxFileBytes: 1 << 20, MaxRevisionBytes: 1 << 20));

        var e = Assert.Throws<ConfigException>(() => repo.CheckTree(commit));

        Assert.Equal($"appliance.toml: revision {commit[..12]} holds 3 files of {1_200_000 + Encoding.UTF8.GetByteCount(text)} bytes: more than the 1048576 bytes a revision may hold (--max-revision-size); it is not read", e.Message);
    }

    [Fact]
    public void CheckTree_Submodule_RefusedNamingPath()
    {
        _ws.Commit(null, "appliance.toml", ReconcilerTests.Toml());
        var inner = _ws.Git("rev-parse", "HEAD").Trim();
        _ws.Git("update-index", "--add", "--cacheinfo", $"160000,{inner},vendor/lib");
        _ws.Git("commit", "-q", "-m", "submodule");
        _ws.Git("push", "-q", "origin", "HEAD:main");
        var commit = _ws.Git("rev-parse", "HEAD").Trim();
        var repo = Clone(RepositoryLimits.Default);

        var e = Assert.Throws<ConfigException>(() => RevisionLoader.Load(repo, commit, null, checkBuses: false, "test"));

        Assert.StartsWith($"vendor/lib: a submodule (gitlink to {inner[..12]}): the device fetches only this repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_MoreThanFourRevisionsWorth_StoppedWithClearError()
    {
        Large("data/dump.bin");
        _ws.Commit(null, "appliance.toml", ReconcilerTests.Toml());
        var repo = new ConfigRepository(_ws.Url, _ws.State, limits: new RepositoryLimits(MaxFileBytes: 1 << 20, MaxRevisionBytes: 1 << 20));

        var e = Assert.Throws<GitOpsException>(repo.Fetch);

        Assert.Contains("more than the 4194304 bytes a fetch may bring (4 x --max-revision-size 1048576)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnreferencedModelFolder_NeverRead()
    {
        // A folder no configuration names, whose manifest is not even a manifest: before, every models/* folder was verified.
        var files = new Dictionary<string, string?> { ["appliance.toml"] = ReconcilerTests.Toml(), ["models/old/SHA256SUMS"] = "not a manifest\n" };
        var commit = _ws.Commit(null, files);
        var repo = Clone(RepositoryLimits.Default);

        var bundle = RevisionLoader.Load(repo, commit, null, checkBuses: false, "test");

        Assert.Empty(bundle.Models);
    }

    [Fact]
    public void Load_InferenceDisabledModelNamed_ModelNotRead()
    {
        // Issue 20 item 8: with [inference] enabled = false the named model was still read and self-tested, which loads ONNX
        // Runtime (22 MiB resident) for a model nobody scores with. Its manifest here is not even a manifest: before, the
        // revision was refused over it.
        var toml = ReconcilerTests.Toml(extra: "\n[inference]\nenabled = false\nmodel = \"pump\"\n");
        var files = new Dictionary<string, string?> { ["appliance.toml"] = toml, ["models/pump/SHA256SUMS"] = "not a manifest\n" };
        var commit = _ws.Commit(null, files);
        var repo = Clone(RepositoryLimits.Default);

        var bundle = RevisionLoader.Load(repo, commit, null, checkBuses: false, "test");

        Assert.False(bundle.Config.Inference.Enabled);
        Assert.Empty(bundle.Models);
    }

    [Fact]
    public async Task ReconcileOnce_SignedCommitWithLargeFile_RejectedPreviousRuns()
    {
        var key = _ws.Key("operator");
        var v1 = _ws.Commit(key, "appliance.toml", ReconcilerTests.Toml());
        var target = new FakeTarget();
        using var r = new Reconciler(
            new ReconcilerOptions
            {
                Url = _ws.Url,
                StateDirectory = _ws.State,
                Verifier = CommitVerifier.Trusting(AllowedSigners.Load(_ws.AllowedSigners(key))),
                BakedInToml = DefaultConfig.Toml,
                Limits = new RepositoryLimits(MaxFileBytes: 1 << 20, MaxRevisionBytes: 64L << 20),
            },
            target,
            NullLogger.Instance);
        await r.StartAsync(CancellationToken.None);
        Large("models/huge/model.onnx");
        var big = _ws.Commit(key, new Dictionary<string, string?>());

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Rejected, v1, big), (r.ConfigState, r.ConfigRevision, r.Status.FailedRevision));
        Assert.StartsWith($"models/huge/model.onnx: file is {LargeBytes} bytes: larger than the 1048576 bytes", r.ConfigError, StringComparison.Ordinal);
        Assert.Single(target.Applied);
    }

    [Fact]
    public void CheckLocalPath_MissingFolder_SaysNoSuchDirectory()
    {
        var e = Assert.Throws<GitOpsException>(() => ConfigRepository.CheckLocalPath("/nonexistent/config-repo"));

        Assert.StartsWith("/nonexistent/config-repo: no such directory", e.Message, StringComparison.Ordinal);
        Assert.Null(ConfigRepository.LocalPath("git@example.com:fleet/config.git"));
        Assert.Equal("/srv/config.git", ConfigRepository.LocalPath("file:///srv/config.git"));
    }
}
