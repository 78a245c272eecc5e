namespace Appliance.Drivers.Sampling;

/// <summary>
/// Exponential backoff with full jitter, the one backoff of the product (sensor retries and recovery probes, the uplink's
/// reconnect, the GitOps reconciler's fetch retries), and the jittered interval of a periodic poll.
/// </summary>
/// <remarks>
/// <para>Full jitter (M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
/// <c>sleep = random_between(0, min(cap, base · 2^attempt))</c>. Drawing the whole wait at random, rather than adding a
/// little noise to a fixed doubling, spreads clients that failed together across the whole interval, so they do not retry
/// in step; the expected wait is half the ceiling.</para>
/// <para>A periodic poll is spread by <see cref="Spread"/>: <c>interval · (1 − j + 2j · u)</c>, u uniform in [0, 1), so that
/// a fleet started together does not poll in step either while nothing fails.</para>
/// <para>The random source is injectable (a seeded <see cref="Random"/> gives a reproducible sequence);
/// <see cref="Random.Shared"/> otherwise. An instance is not thread-safe: one loop owns it.</para>
/// </remarks>
public sealed class Backoff
{
    private const int MaxExponent = 62;
    private readonly Random _random;

    /// <summary>Creates the backoff at attempt 0.</summary>
    /// <param name="baseDelay">The ceiling of the first wait (attempt 0); > 0.</param>
    /// <param name="cap">The largest ceiling; >= 0 (0 makes every wait 0; below <paramref name="baseDelay"/> caps even the first).</param>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseDelay"/> is not positive or <paramref name="cap"/> is negative.</exception>
    public Backoff(TimeSpan baseDelay, TimeSpan cap, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(cap, TimeSpan.Zero);
        BaseDelay = baseDelay;
        Cap = cap;
        _random = random ?? Random.Shared;
    }

    /// <summary>The ceiling of the first wait.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>The largest ceiling: no wait is longer.</summary>
    public TimeSpan Cap { get; }

    /// <summary>Waits drawn by <see cref="Next"/> since the last <see cref="Reset"/>: the next draw's attempt number.</summary>
    public int Attempt { get; private set; }

    /// <summary>The ceiling of attempt <paramref name="attempt"/>: min(cap, base · 2^attempt).</summary>
    /// <param name="attempt">0-based attempt; negative counts as 0.</param>
    /// <returns>The ceiling, in [0, <see cref="Cap"/>].</returns>
    public TimeSpan Ceiling(int attempt)
    {
        // Doubling in ticks stops at the cap before it can overflow a long.
        int exponent = Math.Clamp(attempt, 0, MaxExponent);
        long ticks = BaseDelay.Ticks;
        for (int i = 0; i < exponent && ticks < Cap.Ticks; i++)
        {
            ticks = ticks > long.MaxValue / 2 ? long.MaxValue : ticks * 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, Cap.Ticks));
    }

    /// <summary>A wait for attempt <paramref name="attempt"/>, drawn uniformly from [0, <see cref="Ceiling"/>] (full jitter);
    /// does not change <see cref="Attempt"/>.</summary>
    /// <param name="attempt">0-based attempt.</param>
    /// <returns>The wait, in [0, <see cref="Cap"/>].</returns>
    public TimeSpan Delay(int attempt) => Scale(Ceiling(attempt), _random.NextDouble());

    /// <summary>The wait for the current <see cref="Attempt"/>, then counts the attempt.</summary>
    /// <returns>The wait, in [0, <see cref="Cap"/>].</returns>
    public TimeSpan Next()
    {
        TimeSpan wait = Delay(Attempt);
        if (Attempt < MaxExponent)
        {
            Attempt++;
        }

        return wait;
    }

    /// <summary>Back to attempt 0 (after a success).</summary>
    public void Reset() => Attempt = 0;

    /// <summary>
    /// A periodic interval spread by ±<paramref name="jitter"/>: <c>interval · (1 − jitter + 2 · jitter · u)</c>, u drawn
    /// uniformly from [0, 1) by <paramref name="random"/>.
    /// </summary>
    /// <param name="interval">The nominal period; >= 0.</param>
    /// <param name="jitter">The relative spread, in [0, 1].</param>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when null.</param>
    /// <returns>The wait, in [interval · (1 − jitter), interval · (1 + jitter)].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is negative or <paramref name="jitter"/> is outside [0, 1].</exception>
    public static TimeSpan Spread(TimeSpan interval, double jitter, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        if (!(jitter is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "expected a relative spread in [0, 1]");
        }

        double u = (random ?? Random.Shared).NextDouble();
        return Scale(interval, 1 - jitter + (2 * jitter * u));
    }

    /// <summary>span · factor, truncated to whole ticks (so never above span · factor: a factor of 1 gives the span itself).</summary>
    private static TimeSpan Scale(TimeSpan span, double factor) => TimeSpan.FromTicks((long)(span.Ticks * Math.Clamp(factor, 0, 2)));
}
