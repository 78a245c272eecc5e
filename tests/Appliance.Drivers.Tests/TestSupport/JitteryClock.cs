namespace Appliance.Drivers.Tests.TestSupport;

/// <summary>
/// A simulated clock (10 MHz ticks) whose timers fire late by a chosen, deterministic amount: timer k fires
/// <c>lateness(k)</c> after its due time, moving the clock forward by due + lateness. It stands in for an operating system
/// that wakes a sleeping thread a little late, without any real time passing.
/// </summary>
internal sealed class JitteryClock(Func<long, TimeSpan> lateness) : TimeProvider
{
    private long _ticks;
    private long _timers;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero) + TimeSpan.FromTicks(_ticks);

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _ticks += dueTime.Ticks + lateness(_timers++).Ticks;
            callback(state);
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
