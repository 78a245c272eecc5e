namespace Appliance.Drivers.Tests.Sampling;

/// <summary>
/// Issue 14 item 9: <see cref="SteadyClock"/> over an emulated clock whose wall time is stepped without its monotonic
/// timestamp (<see cref="SimulatedClock.StepWallClock"/>, what settimeofday or libfaketime do to a running device).
/// </summary>
public sealed class SteadyClockTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetUtcNow_NoStep_FollowsTheWallClock()
    {
        var sim = new SimulatedClock(Start);
        var clock = new SteadyClock(sim);
        Assert.Equal(Start, clock.GetUtcNow());
        sim.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(Start.AddMilliseconds(250), clock.GetUtcNow());
        Assert.Equal(0, clock.Steps);
    }

    [Fact]
    public void GetUtcNow_WallClockSetBackAnHour_StepCountedAndReanchoredAtTheNewTime()
    {
        var sim = new SimulatedClock(Start);
        var clock = new SteadyClock(sim);
        var steps = new List<TimeSpan>();
        clock.Stepped += steps.Add;
        clock.GetUtcNow();
        sim.Advance(TimeSpan.FromMilliseconds(100));
        sim.StepWallClock(TimeSpan.FromHours(-1));

        Assert.Equal(Start.AddMilliseconds(100).AddHours(-1), clock.GetUtcNow());
        Assert.Equal(1, clock.Steps);
        Assert.Equal(TimeSpan.FromHours(-1), clock.LastStep);
        Assert.Equal([TimeSpan.FromHours(-1)], steps);

        // From there it runs on: 100 ms later reads 100 ms later, and is no new step.
        sim.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(Start.AddMilliseconds(200).AddHours(-1), clock.GetUtcNow());
        Assert.Equal(1, clock.Steps);
    }

    [Fact]
    public void GetUtcNow_WallClockSetForward_StepCounted()
    {
        var sim = new SimulatedClock(Start);
        var clock = new SteadyClock(sim);
        clock.GetUtcNow();
        sim.StepWallClock(TimeSpan.FromMinutes(30));
        Assert.Equal(Start.AddMinutes(30), clock.GetUtcNow());
        Assert.Equal((1, TimeSpan.FromMinutes(30)), (clock.Steps, clock.LastStep));
    }

    [Fact]
    public void GetUtcNow_BackwardsCorrectionUnderTheThreshold_HeldNeverDecreases()
    {
        var sim = new SimulatedClock(Start);
        var clock = new SteadyClock(sim);
        sim.Advance(TimeSpan.FromMilliseconds(500));
        var before = clock.GetUtcNow();
        sim.StepWallClock(TimeSpan.FromMilliseconds(-300)); // an NTP slew-sized correction: no step
        Assert.Equal(before, clock.GetUtcNow());
        sim.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(Start.AddMilliseconds(600), clock.GetUtcNow());
        Assert.Equal(0, clock.Steps);
    }
}
