namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A device whose first configuration fails (issue 14, item 1), a stale last-known-good lock (item 5) and a branch that
/// returns to the running revision (item 14), against a real bare repository and <see cref="FakeTarget"/>. Options as
/// <c>appliance run</c> gives them: no baked-in configuration.
/// </summary>
public sealed class FirstBootTests : IDisposable
{
    private readonly GitWorkspace _ws = new();
    private readonly string _key;
    private readonly string _trust;

    public FirstBootTests()
    {
        _key = _ws.Key("operator");
        _trust = _ws.AllowedSigners(_key);
    }

    public void Dispose() => _ws.Dispose();

    [Fact]
    public async Task StartAsync_UnreachableWithNoLastKnownGood_RunsNothingAndSaysWhy()
    {
        // Before the fix the device ran the demo's configuration (demo-1, an emulated BME280 with a heater fault).
        Directory.Delete(_ws.Bare, recursive: true);

        var (r, target) = await StartAsync();

        Assert.Empty(target.Applied);
        Assert.Null(r.Applied);
        Assert.Equal((ConfigState.NoConfiguration, "no configuration", string.Empty), (r.ConfigState, r.Status.StateName, r.ConfigRevision));
        Assert.Contains("unreachable", r.ConfigError, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(r.StatusPath));
        Assert.Equal("no configuration", json.RootElement.GetProperty("config_state").GetString());
        Assert.Contains("unreachable", json.RootElement.GetProperty("config_error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_StillUnreachable_BacksOffLongerAndStillRunsNothing()
    {
        Directory.Delete(_ws.Bare, recursive: true);
        var (r, target) = await StartAsync(new Random(1));

        await r.ReconcileOnceAsync(CancellationToken.None);
        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Empty(target.Applied);
        Assert.Equal(ConfigState.NoConfiguration, r.ConfigState);
        Assert.Equal(3, r.Status.ConsecutiveFetchFailures);

        // Full-jitter backoff (drivers' Backoff): after 3 failures the draw is from [0, min(5 min, 30 s × 2^3)].
        var delays = Enumerable.Range(0, 200).Select(_ => r.NextDelay()).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMinutes(4)));
        Assert.Contains(delays, d => d > TimeSpan.FromSeconds(33)); // beyond a steady poll's 30 s ± 10 %
    }

    [Fact]
    public async Task StartAsync_FirstRevisionRejected_RunsNothingThenAppliesTheFix()
    {
        var bad = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(0));

        var (r, target) = await StartAsync();

        Assert.Empty(target.Applied);
        Assert.Equal(ConfigState.NoConfiguration, r.ConfigState);
        Assert.Equal(bad, r.Status.FailedRevision);
        Assert.Equal("appliance.toml:8: sensor 'env' rate_hz = 0: must be between 0.1 and 10000", r.ConfigError);

        var good = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10));
        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, good, (string?)null), (r.ConfigState, r.ConfigRevision, r.ConfigError));
        Assert.Equal(good, target.Running!.Revision);
    }

    [Fact]
    public async Task StartAsync_FirstRevisionUnhealthy_StopsItAndRunsNothing()
    {
        _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10, sensor: "dead"));

        var (r, target) = await StartAsync();

        Assert.True(target.Stopped);
        Assert.Null(target.Running);
        Assert.Equal(ConfigState.NoConfiguration, r.ConfigState);
        Assert.Contains("health check failed", r.ConfigError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconcileOnce_BranchForcePushedBackToTheRunningRevision_AppliedWithNoError()
    {
        // Before the fix the state stayed "rejected" with the stale error of the revision no longer at the tip.
        var v1 = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10));
        var (r, _) = await StartAsync();
        var bad = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(0));
        await r.ReconcileOnceAsync(CancellationToken.None);
        Assert.Equal((ConfigState.Rejected, v1, bad), (r.ConfigState, r.ConfigRevision, r.Status.FailedRevision));

        _ws.Git("reset", "-q", "--hard", v1);
        _ws.Git("push", "-q", "-f", "origin", "HEAD:main");
        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal((ConfigState.Applied, v1, (string?)null, (string?)null), (r.ConfigState, r.ConfigRevision, r.ConfigError, r.Status.FailedRevision));
        using var json = JsonDocument.Parse(File.ReadAllText(r.StatusPath));
        Assert.Equal("applied", json.RootElement.GetProperty("config_state").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("failed_revision").ValueKind);
    }

    [Fact]
    public async Task StartAsync_StaleLastKnownGoodLock_ClearedAndPinned()
    {
        // A kill -9 while the ref was written leaves refs/appliance/lkg.lock; every later pin threw LockedFileException.
        _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10));
        await StartAsync();
        var v2 = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(20));
        var lockFile = PlantLkgLock();

        var (r, target) = await StartAsync();

        Assert.False(File.Exists(lockFile));
        Assert.Equal((ConfigState.Applied, v2, 0), (r.ConfigState, r.ConfigRevision, r.Status.PinFailures));
        Assert.Equal(v2, new ConfigRepository(_ws.Url, _ws.State).LastKnownGood());
        Assert.Equal(v2, target.Running!.Revision);
    }

    [Fact]
    public async Task ReconcileOnce_LkgLockAppearsWhileRunning_ClearedAndPinned()
    {
        _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10));
        var (r, _) = await StartAsync();
        var lockFile = PlantLkgLock();
        var v2 = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(20));

        await r.ReconcileOnceAsync(CancellationToken.None);

        Assert.False(File.Exists(lockFile));
        Assert.Equal((ConfigState.Applied, v2, 0), (r.ConfigState, r.ConfigRevision, r.Status.PinFailures));
        Assert.Equal(v2, new ConfigRepository(_ws.Url, _ws.State).LastKnownGood());
    }

    [Fact]
    public async Task ReconcileOnce_LkgLockWhileAnotherProcessHoldsTheStateDirectory_KeptAndCountedNeverThrown()
    {
        var v1 = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(10));
        var (r, target) = await StartAsync();
        var lockFile = PlantLkgLock();
        var v2 = _ws.Commit(_key, "appliance.toml", ReconcilerTests.Toml(20));

        // Another live process (flock(1)) holds the state directory's lock: the lock file may be its, so it stays.
        var lockPath = Path.Combine(_ws.State, StateDirectoryLock.FileName);
        using var holder = Process.Start(new ProcessStartInfo("flock", [lockPath, "sh", "-c", $"echo $$ > '{lockPath}'; exec sleep 30"]))!;
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline && IsFree(_ws.State))
            {
                await Task.Delay(20);
            }

            await r.ReconcileOnceAsync(CancellationToken.None);
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync();
        }

        Assert.True(File.Exists(lockFile));
        Assert.Equal((ConfigState.Applied, v2, 1), (r.ConfigState, r.ConfigRevision, r.Status.PinFailures));
        Assert.Equal(v2, target.Running!.Revision);
        Assert.Equal(v1, new ConfigRepository(_ws.Url, _ws.State).LastKnownGood());
        using var json = JsonDocument.Parse(File.ReadAllText(r.StatusPath));
        Assert.Equal(1, json.RootElement.GetProperty("lkg_pin_failures").GetInt32());
        Assert.Contains("lkg", json.RootElement.GetProperty("lkg_pin_error").GetString(), StringComparison.Ordinal);
    }

    private static bool IsFree(string state)
    {
        try
        {
            using var probe = StateDirectoryLock.Acquire(state);
            return true;
        }
        catch (StateDirectoryLockedException)
        {
            return false;
        }
    }

    private string PlantLkgLock()
    {
        var path = Path.Combine(_ws.State, "repo", "refs", "appliance", "lkg.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, new string('0', 40) + "\n");
        return path;
    }

    private async Task<(Reconciler, FakeTarget)> StartAsync(Random? random = null)
    {
        var target = new FakeTarget();
        var options = new ReconcilerOptions
        {
            Url = _ws.Url,
            StateDirectory = _ws.State,
            DeviceId = "pump-7",
            Verifier = CommitVerifier.Trusting(AllowedSigners.Load(_trust)),
            BakedInToml = null,
        };
        var r = new Reconciler(options, target, NullLogger.Instance, random);
        await r.StartAsync(CancellationToken.None);
        return (r, target);
    }
}
