namespace Appliance.Runtime.Tests.Health;

/// <summary>Issue 20 item 6: a stage that throws is restarted with backoff, counted and reported; repeated failure within the
/// window escalates with one line instead of restarting for ever.</summary>
public sealed class StageSupervisorTests
{
    [Fact]
    public void Run_BodyThrowsTwiceThenReturns_RestartedTwiceCountedWithLastError()
    {
        var escalations = new List<string>();
        var supervisor = new StageSupervisor(NullLogger.Instance, escalations.Add, backoffBase: TimeSpan.FromMilliseconds(1));
        var runs = 0;

        supervisor.Run("pipeline", _ =>
        {
            if (++runs <= 2)
            {
                throw new InvalidOperationException($"fault {runs}");
            }
        }, CancellationToken.None);

        Assert.Equal(3, runs);
        Assert.Equal(2, supervisor.Restarts);
        var stage = Assert.Single(supervisor.Snapshot());
        Assert.Equal(("pipeline", 2L, "InvalidOperationException: fault 2"), (stage.Stage, stage.Restarts, stage.LastError));
        Assert.Empty(escalations);
    }

    [Fact]
    public void Run_FailsMaxFailuresTimesWithinTheWindow_EscalatesOnceWithOneLineNamingTheStage()
    {
        var escalations = new List<string>();
        var supervisor = new StageSupervisor(NullLogger.Instance, escalations.Add, maxFailures: 3, window: TimeSpan.FromMinutes(1), backoffBase: TimeSpan.FromMilliseconds(1));
        var runs = 0;

        supervisor.Run("sample:env", _ => throw new IOException($"bus gone {++runs}"), CancellationToken.None);

        Assert.Equal(3, runs); // two restarts, then the third failure within the window escalates instead
        Assert.Equal(2, supervisor.Restarts);
        var line = Assert.Single(escalations);
        Assert.Equal("stage sample:env failed 3 times within 60 s (last: IOException: bus gone 3); exiting so that the service manager restarts the appliance", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Run_FailuresFartherApartThanTheWindow_NeverEscalate()
    {
        var escalations = new List<string>();
        var supervisor = new StageSupervisor(NullLogger.Instance, escalations.Add, maxFailures: 2, window: TimeSpan.FromMilliseconds(30), backoffBase: TimeSpan.FromMilliseconds(1));
        var runs = 0;

        supervisor.Run("pipeline", _ =>
        {
            if (++runs <= 3)
            {
                Thread.Sleep(60); // each failure comes after the previous one has left the window
                throw new InvalidOperationException("fault");
            }
        }, CancellationToken.None);

        Assert.Equal((4, 3L), (runs, supervisor.Restarts));
        Assert.Empty(escalations);
    }

    [Fact]
    public async Task RunAsync_StopRequested_ReturnsWithoutCountingTheCancellation()
    {
        var supervisor = new StageSupervisor(NullLogger.Instance, _ => Assert.Fail("no escalation"));
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => supervisor.RunAsync("reconciler", t => Task.Delay(Timeout.Infinite, t), stop.Token));

        Assert.Equal(0, supervisor.Restarts);
        Assert.Empty(supervisor.Snapshot());
    }
}
