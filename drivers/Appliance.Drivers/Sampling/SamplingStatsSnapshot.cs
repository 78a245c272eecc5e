namespace Appliance.Drivers.Sampling;

/// <summary>What <c>appliance status</c> reports for one sensor: its rate, jitter, health and fault counts at one instant.</summary>
/// <param name="Sensor">The sensor's name.</param>
/// <param name="Chip">The chip (<c>bme280</c>, …, <c>replay</c>).</param>
/// <param name="ConfiguredRateHz">The configured rate, Hz.</param>
/// <param name="MeasuredRateHz">Samples delivered per second over the last <see cref="SamplingStats.WindowSize"/> deliveries, on the
/// monotonic clock; NaN before two deliveries.</param>
/// <param name="JitterP50Us">Median lateness of the sampling loop's wake-ups against their scheduled instants, microseconds
/// (nearest-rank percentile over the last <see cref="SamplingStats.WindowSize"/> wake-ups); NaN before the first.</param>
/// <param name="JitterP99Us">99th percentile of the same lateness, microseconds.</param>
/// <param name="Samples">Samples delivered.</param>
/// <param name="FailedSamples">Scheduled samples that produced no value (every attempt failed, or the sensor was degraded).</param>
/// <param name="Faults">Failed read attempts, retries included.</param>
/// <param name="Retries">Read attempts after a failed one within the same sample.</param>
/// <param name="MissedDeadlines">Scheduled instants skipped because the loop was more than one period late.</param>
/// <param name="Degradations">Times the sensor was marked degraded.</param>
/// <param name="Recoveries">Times it recovered by itself.</param>
/// <param name="Health">Its health now.</param>
/// <param name="LastFault">The latest fault's message, or null.</param>
public readonly record struct SamplingStatsSnapshot(
    string Sensor,
    string Chip,
    double ConfiguredRateHz,
    double MeasuredRateHz,
    double JitterP50Us,
    double JitterP99Us,
    long Samples,
    long FailedSamples,
    long Faults,
    long Retries,
    long MissedDeadlines,
    long Degradations,
    long Recoveries,
    SensorHealth Health,
    string? LastFault)
{
    /// <summary>Reads after which the sensor's FIFO had overflowed and dropped samples (<see cref="Sources.IBatchSampleSource.FifoOverruns"/>);
    /// null for a sensor without a FIFO. For a FIFO sensor <see cref="MeasuredRateHz"/> is the effective rate: samples read per
    /// second of the monotonic clock, over the batches of the last <see cref="SamplingStats.WindowSize"/> wake-ups.</summary>
    public long? FifoOverruns { get; init; }
}
