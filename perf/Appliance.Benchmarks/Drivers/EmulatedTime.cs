namespace Appliance.Benchmarks.Drivers;

/// <summary>
/// Emulated time for the driver benchmarks: a wait on a timer moves the clock by exactly its due time at once, and every
/// <see cref="GetTimestamp"/> moves it by <c>step</c> (the time a bus transfer would take), so drivers that poll a status
/// register see conversions finish. What a benchmark then measures is the CPU cost of one sample through the real driver and
/// the register-level emulator, without the chip's conversion time.
/// </summary>
internal sealed class EmulatedTime(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero) + TimeSpan.FromTicks(_ticks);

    public override long GetTimestamp() => _ticks += step.Ticks;

    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class Timer(EmulatedTime clock, TimerCallback callback, object? state) : ITimer
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
