namespace Appliance.Drivers.Sampling;

/// <summary>
/// How a <see cref="SensorSupervisor"/> treats a failing sensor: retries inside one sample with exponential backoff (full jitter, <see cref="Backoff"/>) bounded by
/// the sample's budget, when to mark it degraded, how often to probe it while degraded, when it counts as recovered.
/// </summary>
/// <param name="Attempts">Reads tried per sample (1 = no retry).</param>
/// <param name="InitialBackoff">Wait before the first retry; each further retry (and probe) may wait up to twice as long.</param>
/// <param name="MaxBackoff">The longest wait between two probes of a degraded sensor.</param>
/// <param name="DegradeAfter">Consecutive failed samples after which the sensor is degraded (a wrong chip id degrades at once).</param>
/// <param name="RecoverAfter">Consecutive good samples after which a degraded sensor is healthy again.</param>
/// <param name="StuckAfter">Consecutive bit-identical samples that count as a stuck value (0 turns the check off; use it for
/// chips whose readings always carry noise, such as the BME280 or ADXL345).</param>
public sealed record RetryPolicy(
    int Attempts = 3,
    TimeSpan InitialBackoff = default,
    TimeSpan MaxBackoff = default,
    int DegradeAfter = 3,
    int RecoverAfter = 2,
    int StuckAfter = 0)
{
    /// <summary>The default: 3 attempts, 1 ms first backoff, probes at most every 2 s, degraded after 3 failed samples,
    /// recovered after 2 good ones, no stuck-value check.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>The wait before the first retry (1 ms when the record was created with the default value).</summary>
    public TimeSpan FirstBackoff => InitialBackoff > TimeSpan.Zero ? InitialBackoff : TimeSpan.FromMilliseconds(1);

    /// <summary>The bound on any backoff (2 s when the record was created with the default value).</summary>
    public TimeSpan BackoffCap => MaxBackoff > TimeSpan.Zero ? MaxBackoff : TimeSpan.FromSeconds(2);

    /// <summary>A full-jitter backoff of this policy: waits drawn from [0, min(<see cref="BackoffCap"/>, <see cref="FirstBackoff"/> · 2^n)]
    /// for retry or probe number n (<see cref="Sampling.Backoff"/>).</summary>
    /// <param name="random">The random source; <see cref="Random.Shared"/> when null.</param>
    /// <returns>A new backoff at attempt 0.</returns>
    public Backoff CreateBackoff(Random? random = null) => new(FirstBackoff, BackoffCap, random);
}
