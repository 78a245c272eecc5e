using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Appliance.Drivers.Sampling;

/// <summary>
/// Waiting on a <see cref="TimeProvider"/>. On the system clock under Linux it sleeps to an absolute CLOCK_MONOTONIC deadline with
/// <c>clock_nanosleep(TIMER_ABSTIME)</c> (POSIX.1-2008), which wakes within tens of microseconds, where <see cref="Thread.Sleep(int)"/>
/// rounds to whole milliseconds; .NET's <see cref="Stopwatch"/> reads the same CLOCK_MONOTONIC in nanoseconds. On any other clock
/// (a test's simulated clock) it waits on one of the clock's timers, so simulated time moves by exactly the wait.
/// </summary>
internal static partial class ClockDelay
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;

    private static readonly bool s_nanosleep = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Waits until <paramref name="deadline"/> (in <paramref name="clock"/>'s timestamp units).</summary>
    /// <returns>False when <paramref name="token"/> was cancelled first.</returns>
    public static bool WaitUntil(TimeProvider clock, long deadline, CancellationToken token)
    {
        clock = SteadyClock.Underlying(clock); // a steady clock's timestamps and timers are those of the clock it reads
        if (!ReferenceEquals(clock, TimeProvider.System))
        {
            long remaining = deadline - clock.GetTimestamp();
            if (remaining > 0)
            {
                Wait(clock, TimeSpan.FromSeconds((double)remaining / clock.TimestampFrequency));
            }

            return !token.IsCancellationRequested;
        }

        while (true)
        {
            if (token.IsCancellationRequested)
            {
                return false;
            }

            long remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            double remainingMs = remaining * 1000.0 / Stopwatch.Frequency;
            if (remainingMs > 3)
            {
                // Coarse, cancellable part: wake about 2 ms early and finish precisely below.
                token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(remainingMs - 2));
                continue;
            }

            if (s_nanosleep)
            {
                var ts = new Timespec { Seconds = deadline / 1_000_000_000, Nanoseconds = deadline % 1_000_000_000 };
                ClockNanosleep(ClockMonotonic, TimerAbsTime, ref ts, IntPtr.Zero); // EINTR: the loop re-checks the time
                continue;
            }

            Thread.Sleep(remainingMs >= 1.5 ? 1 : 0);
        }
    }

    /// <summary>Waits <paramref name="delay"/> on <paramref name="clock"/> (not cancellable; used for short bus back-offs).</summary>
    public static void Wait(TimeProvider clock, TimeSpan delay)
    {
        clock = SteadyClock.Underlying(clock);
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        if (ReferenceEquals(clock, TimeProvider.System))
        {
            WaitUntil(clock, Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency), CancellationToken.None);
            return;
        }

        using var elapsed = new ManualResetEventSlim(false);
        using ITimer timer = clock.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan);
        elapsed.Wait();
    }

    [DllImport("libc", EntryPoint = "clock_nanosleep")]
    private static extern int ClockNanosleep(int clockId, int flags, ref Timespec request, IntPtr remain);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
