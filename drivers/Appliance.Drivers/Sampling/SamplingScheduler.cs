namespace Appliance.Drivers.Sampling;

/// <summary>
/// Paces one sampling loop at a fixed rate on a monotonic clock: the k-th wake-up is scheduled at start + k · period (absolute
/// instants, so lateness never accumulates into drift and the long-run rate is the configured one). A wake-up more than one period
/// late skips the instants it missed (counted) instead of bursting to catch up, so samples stay on the grid.
/// </summary>
/// <remarks>On the system clock under Linux the final wait is an absolute <c>clock_nanosleep</c> on CLOCK_MONOTONIC; on another
/// <see cref="TimeProvider"/> (a test's simulated clock) it waits on the clock's timers. Not thread-safe: one loop owns it.</remarks>
public sealed class SamplingScheduler
{
    private readonly TimeProvider _clock;
    private readonly SamplingStats? _stats;
    private long _next;
    private bool _started;

    /// <summary>Creates the scheduler; the first wake-up is at the first call of <see cref="WaitNext"/>.</summary>
    /// <param name="rateHz">Wake-ups per second, more than 0.</param>
    /// <param name="clock">The monotonic clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="stats">Where wake-up lateness and missed instants are recorded; none when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rateHz"/> is not positive and finite.</exception>
    public SamplingScheduler(double rateHz, TimeProvider? clock = null, SamplingStats? stats = null)
    {
        if (!(rateHz > 0) || double.IsInfinity(rateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(rateHz), rateHz, "The sampling rate must be a positive number of hertz.");
        }

        _clock = clock ?? TimeProvider.System;
        _stats = stats;
        RateHz = rateHz;
        PeriodTicks = Math.Max(1, (long)Math.Round(_clock.TimestampFrequency / rateHz));
    }

    /// <summary>The configured rate, Hz.</summary>
    public double RateHz { get; }

    /// <summary>The period in the clock's timestamp units (rounded to the nearest unit: 1 ns on Linux's Stopwatch).</summary>
    public long PeriodTicks { get; }

    /// <summary>The scheduled instant of the latest wake-up, in the clock's timestamp units.</summary>
    public long Scheduled { get; private set; }

    /// <summary>
    /// Starts the grid now without a wake-up: the first <see cref="WaitNext"/> waits until one period from now (instead of
    /// returning at once). Used by <see cref="SamplingLoop"/> to open a sensor at the grid's start, one period before its first read.
    /// Does nothing once the grid has started.
    /// </summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _next = _clock.GetTimestamp() + PeriodTicks;
    }

    /// <summary>Waits until the next scheduled instant and records how late the wake-up was.</summary>
    /// <param name="token">Stops the wait.</param>
    /// <returns>False when <paramref name="token"/> was cancelled.</returns>
    public bool WaitNext(CancellationToken token)
    {
        if (!_started)
        {
            _started = true;
            _next = _clock.GetTimestamp();
        }

        long now = _clock.GetTimestamp();
        if (now - _next > PeriodTicks)
        {
            long skipped = (now - _next) / PeriodTicks;
            _next += skipped * PeriodTicks;
            _stats?.RecordMissed(skipped);
        }

        if (!ClockDelay.WaitUntil(_clock, _next, token))
        {
            return false;
        }

        Scheduled = _next;
        _stats?.RecordWake(_clock.GetTimestamp() - _next);
        _next += PeriodTicks;
        return true;
    }
}
