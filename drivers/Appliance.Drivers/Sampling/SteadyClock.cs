namespace Appliance.Drivers.Sampling;

/// <summary>
/// The clock that stamps samples: wall time (UTC) that does not run backwards between clock steps. Each reading takes the
/// monotonic clock (<see cref="TimeProvider.GetTimestamp"/>, CLOCK_MONOTONIC on Linux) and the wall clock together, and
/// compares the wall clock's advance since the previous reading with the monotonic clock's. Where they differ by more than
/// <see cref="StepThreshold"/> (1 s: settimeofday, an NTP step, a changed RTC, libfaketime), the wall clock stepped: the
/// step is counted (<see cref="Steps"/>), its size kept (<see cref="LastStep"/>), <see cref="Stepped"/> raised, and the
/// clock re-anchors to the new wall time, backwards too (then the windows restart at the new time instead of taking an
/// hour of samples for late ones: <c>TumblingWindow</c>'s step back). Between steps a small backwards correction (an NTP
/// slew, under the threshold) is held at the last value returned, so stamps never decrease.
/// </summary>
/// <remarks>Thread-safe (every sampling thread stamps through the one clock); no allocation per reading.</remarks>
public sealed class SteadyClock : TimeProvider
{
    private readonly TimeProvider _wall;
    private readonly long _thresholdTicks;
    private readonly Lock _gate = new();
    private bool _anchored;
    private long _lastTimestamp;
    private long _lastWallTicks;
    private long _lastReturnedTicks;
    private long _steps;
    private long _lastStepTicks;

    /// <summary>The disagreement between wall and monotonic clock taken for a step unless another is given: 1 s.</summary>
    public static readonly TimeSpan DefaultStepThreshold = TimeSpan.FromSeconds(1);

    /// <summary>The clock over the system's clocks, shared by every sensor of the process.</summary>
    public static SteadyClock Shared { get; } = new(TimeProvider.System);

    /// <summary>Creates the clock over <paramref name="wall"/>'s wall clock and monotonic timestamp.</summary>
    /// <param name="wall">The wall clock and monotonic timestamp (an emulation's <c>SimulatedClock</c> in tests).</param>
    /// <param name="stepThreshold">The disagreement taken for a step; 1 s when null.</param>
    public SteadyClock(TimeProvider wall, TimeSpan? stepThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(wall);
        _wall = wall;
        _thresholdTicks = (stepThreshold ?? DefaultStepThreshold).Ticks;
    }

    /// <summary>Raised (on the stamping thread, after the clock has re-anchored) with each step's signed size: negative backwards.</summary>
    public event Action<TimeSpan>? Stepped;

    /// <summary>The clock that <paramref name="clock"/> waits on: a steady clock's <see cref="Wall"/>, otherwise itself
    /// (code that takes a fast path for <see cref="TimeProvider.System"/> asks this first).</summary>
    /// <param name="clock">Any clock.</param>
    /// <returns>The clock whose timers and timestamps <paramref name="clock"/> uses.</returns>
    public static TimeProvider Underlying(TimeProvider clock) => clock is SteadyClock steady ? steady._wall : clock;

    /// <summary>The clock this one reads (its timers and waits are that clock's).</summary>
    public TimeProvider Wall => _wall;

    /// <summary>How far the wall clock must disagree with the monotonic clock to count as a step.</summary>
    public TimeSpan StepThreshold => TimeSpan.FromTicks(_thresholdTicks);

    /// <summary>Wall-clock steps seen, both directions.</summary>
    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>The last step's size (negative: backwards); zero before the first.</summary>
    public TimeSpan LastStep => TimeSpan.FromTicks(Interlocked.Read(ref _lastStepTicks));

    /// <inheritdoc/>
    public override long TimestampFrequency => _wall.TimestampFrequency;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => _wall.LocalTimeZone;

    /// <inheritdoc/>
    public override long GetTimestamp() => _wall.GetTimestamp();

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _wall.CreateTimer(callback, state, dueTime, period);

    /// <summary>The wall time now: re-anchored at a step, otherwise never earlier than the last value returned.</summary>
    /// <returns>UTC.</returns>
    public override DateTimeOffset GetUtcNow()
    {
        long step = 0;
        long result;
        lock (_gate)
        {
            long timestamp = _wall.GetTimestamp();
            long wall = _wall.GetUtcNow().UtcTicks;
            if (!_anchored)
            {
                _anchored = true;
                result = wall;
            }
            else
            {
                // What the wall clock should read now had it advanced with the monotonic clock since the last reading.
                long elapsed = (long)((timestamp - _lastTimestamp) * ((double)TimeSpan.TicksPerSecond / _wall.TimestampFrequency));
                long disagreement = wall - (_lastWallTicks + elapsed);
                if (Math.Abs(disagreement) > _thresholdTicks)
                {
                    step = disagreement;
                    result = wall;
                }
                else
                {
                    result = Math.Max(wall, _lastReturnedTicks);
                }
            }

            _lastTimestamp = timestamp;
            _lastWallTicks = wall;
            _lastReturnedTicks = result;
            if (step != 0)
            {
                Interlocked.Increment(ref _steps);
                Interlocked.Exchange(ref _lastStepTicks, step);
            }
        }

        if (step != 0)
        {
            Stepped?.Invoke(TimeSpan.FromTicks(step));
        }

        return new DateTimeOffset(result, TimeSpan.Zero);
    }
}
