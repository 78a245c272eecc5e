namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// When the reconciler fetches: steady-state polls spread ±10 % around the interval so that a fleet does not poll in step,
/// failed fetches a full-jitter backoff (M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
/// </summary>
public sealed class ReconcilerPollTests : IDisposable
{
    private readonly GitWorkspace _ws = new();
    private readonly string _trust;

    public ReconcilerPollTests() => _trust = _ws.AllowedSigners(_ws.Key("operator"));

    public void Dispose() => _ws.Dispose();

    private Reconciler Create(int seed) => new(
        new ReconcilerOptions
        {
            Url = _ws.Url,
            StateDirectory = Path.Combine(_ws.State, $"device-{seed}"),
            DeviceId = "pump-7",
            Verifier = CommitVerifier.Trusting(AllowedSigners.Load(_trust)),
            BakedInToml = DefaultConfig.Toml,
            CheckBuses = false,
        },
        new FakeTarget(),
        NullLogger.Instance,
        new Random(seed));

    [Fact]
    public void NextDelay_SteadyState_PollsAreSpreadAcrossTheIntervalsJitter()
    {
        // Before any apply the interval is 30 s; ±10 % is [27 s, 33 s]. Two devices seeded differently do not poll in step.
        using var device = Create(1);
        using var other = Create(2);

        TimeSpan[] polls = [.. Enumerable.Range(0, 500).Select(_ => device.NextDelay())];
        TimeSpan[] others = [.. Enumerable.Range(0, 500).Select(_ => other.NextDelay())];

        Assert.All(polls, d => Assert.InRange(d, TimeSpan.FromSeconds(27), TimeSpan.FromSeconds(33)));
        Assert.True(polls.Min() < TimeSpan.FromSeconds(27.5) && polls.Max() > TimeSpan.FromSeconds(32.5), "the polls cover the whole ±10 %");
        Assert.True(polls.Distinct().Count() > 450, "the polls are not a few repeated values");
        Assert.True(polls.Zip(others).Count(p => (p.First - p.Second).Duration() > TimeSpan.FromSeconds(0.1)) > 400, "two devices poll out of step");
    }

    [Fact]
    public async Task NextDelay_AfterAFailedFetch_FullJitterUpToTwiceTheInterval()
    {
        Directory.Delete(_ws.Bare, recursive: true);
        using var device = Create(3);
        await device.StartAsync(CancellationToken.None); // offline: boots the baked-in configuration, one failure counted
        Assert.Equal(1, device.Status.ConsecutiveFetchFailures);
        TimeSpan ceiling = device.Applied!.Config.GitOps.Interval * 2; // interval · 2^1, below the 5 min cap

        TimeSpan[] waits = [.. Enumerable.Range(0, 500).Select(_ => device.NextDelay())];

        Assert.All(waits, d => Assert.InRange(d, TimeSpan.Zero, ceiling));
        Assert.True(waits.Min() < ceiling * 0.05 && waits.Max() > ceiling * 0.95, "full jitter covers [0, ceiling]");
    }
}
