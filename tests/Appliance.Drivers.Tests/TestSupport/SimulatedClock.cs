namespace Appliance.Drivers.Tests.TestSupport;

/// <summary>
/// A clock that moves only when told to; a timer fires at once by moving the clock forward by its due time,
/// so code that waits on this clock waits exactly as long as it asks, in no real time.
/// </summary>
internal sealed class SimulatedClock : TimeProvider
{
    private readonly DateTimeOffset _start;
    private long _ticks;

    public SimulatedClock(DateTimeOffset start) => _start = start;

    public static SimulatedClock AtNabEpoch() => new(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public TimeSpan Elapsed => TimeSpan.FromTicks(_ticks);

    public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks(_ticks);

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FiringTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class FiringTimer(SimulatedClock clock, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                clock.Advance(dueTime);
                callback(state);
            }

            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
