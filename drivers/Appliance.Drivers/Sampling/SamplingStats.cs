using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Sampling;

/// <summary>
/// The per-sensor sampling statistics: written by the sensor's sampling loop (<see cref="SamplingLoop"/>,
/// <see cref="SensorSupervisor"/>), read at any time by <c>appliance status</c> through <see cref="Snapshot"/>.
/// </summary>
/// <remarks>Recording is allocation-free (fixed rings of the last <see cref="WindowSize"/> wake-ups and deliveries) and takes an
/// uncontended lock; <see cref="Snapshot"/> copies and sorts the jitter ring. Times are in the clock's timestamp units.</remarks>
public sealed class SamplingStats
{
    /// <summary>Wake-ups and deliveries kept for the measured rate and the jitter percentiles.</summary>
    public const int WindowSize = 4096;

    private readonly object _gate = new();
    private readonly long _frequency;
    private readonly long[] _jitter = new long[WindowSize];
    private readonly long[] _deliveryTime = new long[WindowSize];
    private readonly long[] _deliveryCount = new long[WindowSize];
    private int _jitterCount;
    private int _jitterNext;
    private int _deliveries;
    private int _deliveryNext;
    private long _samples;
    private long _failedSamples;
    private long _faults;
    private long _retries;
    private long _missed;
    private long _degradations;
    private long _recoveries;
    private SensorHealth _health;
    private string? _lastFault;

    /// <summary>Creates empty statistics.</summary>
    /// <param name="sensor">The sensor's name.</param>
    /// <param name="chip">The chip.</param>
    /// <param name="configuredRateHz">The configured rate, Hz.</param>
    /// <param name="timestampFrequency">Timestamp units per second of the clock that records (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timestampFrequency"/> is not positive.</exception>
    public SamplingStats(string sensor, string chip, double configuredRateHz, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timestampFrequency);
        Sensor = sensor;
        Chip = chip;
        ConfiguredRateHz = configuredRateHz;
        _frequency = timestampFrequency;
    }

    /// <summary>The sensor's FIFO, whose overruns the snapshot reports; null for a sensor without one (set by <see cref="SensorSupervisor"/>).</summary>
    internal IBatchSampleSource? Fifo { get; init; }

    /// <summary>The sensor's name.</summary>
    public string Sensor { get; }

    /// <summary>The chip.</summary>
    public string Chip { get; }

    /// <summary>The configured rate, Hz.</summary>
    public double ConfiguredRateHz { get; }

    /// <summary>The health now.</summary>
    public SensorHealth Health
    {
        get
        {
            lock (_gate)
            {
                return _health;
            }
        }
    }

    /// <summary>Scheduled samples that produced no value so far (cheap to read; see <see cref="Snapshot"/> for the rest).</summary>
    public long FailedSamples
    {
        get
        {
            lock (_gate)
            {
                return _failedSamples;
            }
        }
    }

    /// <summary>Records a wake-up <paramref name="lateness"/> timestamp units after its scheduled instant.</summary>
    /// <param name="lateness">Wake-up time minus scheduled time (negative values are recorded as 0).</param>
    public void RecordWake(long lateness)
    {
        lock (_gate)
        {
            _jitter[_jitterNext] = Math.Max(0, lateness);
            _jitterNext = (_jitterNext + 1) % WindowSize;
            _jitterCount = Math.Min(_jitterCount + 1, WindowSize);
        }
    }

    /// <summary>Records <paramref name="count"/> samples delivered at monotonic time <paramref name="timestamp"/>.</summary>
    /// <param name="timestamp">The clock's timestamp.</param>
    /// <param name="count">Samples delivered (more than one for a FIFO batch).</param>
    public void RecordDelivery(long timestamp, int count)
    {
        lock (_gate)
        {
            _samples += count;
            _deliveryTime[_deliveryNext] = timestamp;
            _deliveryCount[_deliveryNext] = _samples;
            _deliveryNext = (_deliveryNext + 1) % WindowSize;
            _deliveries = Math.Min(_deliveries + 1, WindowSize);
        }
    }

    /// <summary>Records deadlines skipped because the loop was late.</summary>
    /// <param name="count">How many.</param>
    public void RecordMissed(long count)
    {
        lock (_gate)
        {
            _missed += count;
        }
    }

    /// <summary>Records a failed read attempt.</summary>
    /// <param name="message">Why it failed.</param>
    public void RecordFault(string? message)
    {
        lock (_gate)
        {
            _faults++;
            _lastFault = message ?? _lastFault;
        }
    }

    /// <summary>Records a read attempted again within the same sample after a failed one.</summary>
    public void RecordRetry()
    {
        lock (_gate)
        {
            _retries++;
        }
    }

    /// <summary>Records a scheduled sample that produced no value.</summary>
    public void RecordFailedSample()
    {
        lock (_gate)
        {
            _failedSamples++;
        }
    }

    /// <summary>Records a change of health.</summary>
    /// <param name="health">The new health.</param>
    public void RecordHealth(SensorHealth health)
    {
        lock (_gate)
        {
            if (health == SensorHealth.Degraded && _health != SensorHealth.Degraded)
            {
                _degradations++;
            }
            else if (health == SensorHealth.Ok && _health == SensorHealth.Degraded)
            {
                _recoveries++;
            }

            _health = health;
        }
    }

    /// <summary>The statistics now.</summary>
    /// <returns>A consistent snapshot.</returns>
    public SamplingStatsSnapshot Snapshot()
    {
        // Allocated and sorted outside the lock: the sampling thread records every wake-up under it, and must not wait for a
        // reader's allocation (which may start a collection) or sort.
        var copy = new long[WindowSize];
        int jitterCount;
        double rate = double.NaN;
        SamplingStatsSnapshot snapshot;
        lock (_gate)
        {
            jitterCount = _jitterCount;
            Array.Copy(_jitter, copy, jitterCount);
            if (_deliveries >= 2)
            {
                int last = (_deliveryNext - 1 + WindowSize) % WindowSize;
                int first = (_deliveryNext - _deliveries + WindowSize) % WindowSize;
                long dt = _deliveryTime[last] - _deliveryTime[first];
                if (dt > 0)
                {
                    rate = (_deliveryCount[last] - _deliveryCount[first]) * (double)_frequency / dt;
                }
            }

            snapshot = new SamplingStatsSnapshot(
                Sensor,
                Chip,
                ConfiguredRateHz,
                rate,
                double.NaN,
                double.NaN,
                _samples,
                _failedSamples,
                _faults,
                _retries,
                _missed,
                _degradations,
                _recoveries,
                _health,
                _lastFault) { FifoOverruns = Fifo?.FifoOverruns };
        }

        var jitter = copy.AsSpan(0, jitterCount);
        jitter.Sort();
        return snapshot with { JitterP50Us = Percentile(jitter, 0.50), JitterP99Us = Percentile(jitter, 0.99) };
    }

    // Nearest-rank percentile (Hyndman & Fan 1996, definition 1): the smallest value with at least p of the data at or below it.
    private double Percentile(ReadOnlySpan<long> sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)] * 1e6 / _frequency;
    }
}
