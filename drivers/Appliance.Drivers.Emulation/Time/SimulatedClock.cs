namespace Appliance.Drivers.Emulation;

/// <summary>
/// Emulated time for emulated chips, their tests and the driver benchmarks: a clock that moves only when told to. A timer
/// fires at once by moving the clock forward by its due time, so code that waits on this clock waits exactly as long as it
/// asks, in no real time; with a <c>step</c>, every <see cref="GetTimestamp"/> also moves it by that much (the time a bus
/// transfer would take), so drivers that poll a status register see conversions finish.
/// </summary>
/// <param name="start">The wall-clock instant at elapsed time zero.</param>
/// <param name="step">How far each <see cref="GetTimestamp"/> moves the clock; zero for a clock that moves only when told.</param>
public sealed class SimulatedClock(DateTimeOffset start, TimeSpan step = default) : TimeProvider
{
    private long _ticks;
    private long _wallOffsetTicks;

    /// <summary>A clock at 2024-03-01T12:00:00Z (inside the NAB corpus's years).</summary>
    /// <param name="step">How far each <see cref="GetTimestamp"/> moves the clock.</param>
    /// <returns>The clock.</returns>
    public static SimulatedClock AtNabEpoch(TimeSpan step = default) => new(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero), step);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Time moved since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(_ticks);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(_ticks + _wallOffsetTicks);

    /// <inheritdoc/>
    public override long GetTimestamp() => _ticks += step.Ticks;

    /// <summary>Moves the clock forward.</summary>
    /// <param name="delta">How far.</param>
    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;

    /// <summary>Steps the wall clock (<see cref="GetUtcNow"/>) by <paramref name="delta"/>, backwards when negative, without
    /// moving the monotonic timestamp: what settimeofday, an NTP step or libfaketime do to a running device.</summary>
    /// <param name="delta">The step.</param>
    public void StepWallClock(TimeSpan delta) => _wallOffsetTicks += delta.Ticks;

    /// <inheritdoc/>
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
