using System.Runtime.InteropServices;
using Appliance.Drivers.Sources;
using Microsoft.Extensions.Logging;

namespace Appliance.Drivers.Sampling;

/// <summary>
/// Wraps one sensor with the runtime's fault policy (<see cref="RetryPolicy"/>): a failed read is retried with exponential backoff
/// inside the sample's time budget; after <see cref="RetryPolicy.DegradeAfter"/> failed samples (at once for a wrong chip id) the
/// sensor is marked <see cref="SensorHealth.Degraded"/>, and is then probed with full-jitter backoff (<see cref="Sampling.Backoff"/>) doubling up to
/// <see cref="RetryPolicy.MaxBackoff"/> instead of being read every period; after <see cref="RetryPolicy.RecoverAfter"/> good samples
/// it is healthy again, by itself. Every fault is counted in <see cref="Stats"/> and logged on a change of health.
/// </summary>
/// <remarks>
/// <para>A wrong chip id (<see cref="InvalidDataException"/> from the sensor) is never retried within a sample and never yields
/// values; the sensor checks the id again at each probe. With <see cref="RetryPolicy.StuckAfter"/> &gt; 0, that many bit-identical
/// consecutive samples are a fault (the chip's data registers stopped updating); the stuck samples are not delivered.</para>
/// <para>The supervisor's own time is bounded: a sample spends at most <see cref="RetryBudget"/> in backoff, and a degraded sensor
/// costs one bus access per probe, so a failing sensor keeps its own loop on schedule and never delays another sensor's loop.
/// Allocation-free per sample (the first fault of a kind may allocate its message in the sensor). Not thread-safe: one sampling
/// loop owns it.</para>
/// </remarks>
public sealed partial class SensorSupervisor : ISampleSource
{
    private readonly ISampleSource _inner;
    private readonly IBusSensor? _bus;
    private readonly IBatchSampleSource? _batch;
    private readonly RetryPolicy _policy;
    private readonly Backoff _retries;
    private readonly Backoff _probes;
    private readonly TimeProvider _clock;
    private readonly ILogger? _logger;
    private readonly float[] _previous;
    private bool _hasPrevious;
    private int _identical;
    private int _failedInRow;
    private int _goodInRow;
    private long _nextProbe;
    private SensorHealth _health = SensorHealth.Starting;

    /// <summary>Creates the supervisor.</summary>
    /// <param name="inner">The sensor; the supervisor owns and disposes it.</param>
    /// <param name="configuredRateHz">The sensor's configured rate (for the statistics and the default retry budget: half a period, at most 50 ms).</param>
    /// <param name="policy">The policy; <see cref="RetryPolicy.Default"/> when null.</param>
    /// <param name="clock">The monotonic clock for backoff; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Log for changes of health; none when null.</param>
    /// <param name="random">The backoff's random source (full jitter); <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    public SensorSupervisor(ISampleSource inner, double configuredRateHz, RetryPolicy? policy = null, TimeProvider? clock = null, ILogger? logger = null, Random? random = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _bus = inner as IBusSensor;
        _batch = inner as IBatchSampleSource;
        _policy = policy ?? RetryPolicy.Default;
        _retries = _policy.CreateBackoff(random);
        _probes = _policy.CreateBackoff(random);
        _clock = clock ?? TimeProvider.System;
        _logger = logger;
        _previous = new float[inner.Channels.Count];
        Stats = new SamplingStats(inner.Name, _bus?.Chip ?? "replay", configuredRateHz, _clock.TimestampFrequency) { Fifo = _batch };
        RetryBudget = TimeSpan.FromSeconds(Math.Min(0.05, 0.5 / Math.Max(configuredRateHz, 1e-3)));
    }

    /// <inheritdoc/>
    public string Name => _inner.Name;

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => _inner.Channels;

    /// <summary>The supervised sensor.</summary>
    public ISampleSource Inner => _inner;

    /// <summary>The sensor's statistics (rate, jitter, faults, health), for <c>appliance status</c>.</summary>
    public SamplingStats Stats { get; }

    /// <summary>The health now.</summary>
    public SensorHealth Health => _health;

    /// <summary>The most time one sample may spend waiting between retries.</summary>
    public TimeSpan RetryBudget { get; set; }

    /// <summary>Whether the sensor hands over FIFO batches (<see cref="ReadBatch"/>).</summary>
    public bool IsBatched => _batch is not null;

    /// <summary>The batch source, when <see cref="IsBatched"/>.</summary>
    public IBatchSampleSource? Batch => _batch;

    /// <inheritdoc/>
    /// <remarks>Returns <see cref="SampleStatus.Fault"/> without touching the bus while degraded and not yet due for a probe.</remarks>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        int channels = _inner.Channels.Count;
        if (!DueForAccess())
        {
            values[..channels].Fill(float.NaN);
            timestampNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
            Stats.RecordFailedSample();
            return SampleStatus.Fault;
        }

        long start = _clock.GetTimestamp();
        bool wrongChip = false;
        for (int attempt = 0; attempt < Math.Max(1, _policy.Attempts); attempt++)
        {
            if (attempt > 0)
            {
                if (!Backoff(attempt - 1, start))
                {
                    break;
                }

                Stats.RecordRetry();
            }

            SampleStatus status;
            try
            {
                status = _inner.Read(values, out timestampNs);
            }
            catch (InvalidDataException e)
            {
                Stats.RecordFault(e.Message);
                wrongChip = true;
                break;
            }

            if (status == SampleStatus.EndOfStream)
            {
                return status;
            }

            if (status == SampleStatus.Ok)
            {
                if (IsStuck(values[..channels]))
                {
                    Stats.RecordFault($"sensor '{Name}': {_identical} identical samples in a row: the chip's data stopped updating (stuck value).");
                    break;
                }

                OnGood();
                return SampleStatus.Ok;
            }

            Stats.RecordFault(_bus?.LastFault ?? $"sensor '{Name}': read failed");
        }

        OnFailedSample(wrongChip);
        values[..channels].Fill(float.NaN);
        timestampNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        return SampleStatus.Fault;
    }

    /// <summary>
    /// Opens a bus sensor (<see cref="IBusSensor.Open"/>) ahead of its first read: called by <see cref="SamplingLoop"/> when it
    /// starts, so a sensor that measures over time (a pulse counter's gate) measures from here. Does nothing for other sources.
    /// </summary>
    /// <returns>True when opened; false on a bus fault or a wrong chip id, which is counted in <see cref="Stats"/> (the first read
    /// then opens the sensor again, under the retry and degraded policy).</returns>
    public bool Open()
    {
        if (_bus is null)
        {
            return true;
        }

        try
        {
            _bus.Open();
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Stats.RecordFault($"sensor '{Name}': open failed: {e.Message}");
            return false;
        }
    }

    /// <summary>Reads a FIFO batch from a batched sensor under the same policy (see <see cref="IBatchSampleSource.ReadBatch"/>).</summary>
    /// <param name="values">Receives count × channels values, sample-major.</param>
    /// <param name="timestampsNs">Receives one timestamp per sample.</param>
    /// <param name="count">Samples read.</param>
    /// <returns><see cref="SampleStatus.Ok"/> or <see cref="SampleStatus.Fault"/>.</returns>
    /// <exception cref="InvalidOperationException">The sensor is not batched.</exception>
    public SampleStatus ReadBatch(Span<float> values, Span<long> timestampsNs, out int count)
    {
        IBatchSampleSource batch = _batch ?? throw new InvalidOperationException($"sensor '{Name}' has no FIFO batches.");
        count = 0;
        if (!DueForAccess())
        {
            Stats.RecordFailedSample();
            return SampleStatus.Fault;
        }

        long start = _clock.GetTimestamp();
        bool wrongChip = false;
        for (int attempt = 0; attempt < Math.Max(1, _policy.Attempts); attempt++)
        {
            if (attempt > 0)
            {
                if (!Backoff(attempt - 1, start))
                {
                    break;
                }

                Stats.RecordRetry();
            }

            try
            {
                if (batch.ReadBatch(values, timestampsNs, out count) == SampleStatus.Ok)
                {
                    if (count > 0 && IsStuck(values.Slice((count - 1) * Channels.Count, Channels.Count)))
                    {
                        Stats.RecordFault($"sensor '{Name}': {_identical} identical samples in a row: the chip's data stopped updating (stuck value).");
                        count = 0;
                        break;
                    }

                    OnGood();
                    return SampleStatus.Ok;
                }
            }
            catch (InvalidDataException e)
            {
                Stats.RecordFault(e.Message);
                wrongChip = true;
                break;
            }

            Stats.RecordFault(_bus?.LastFault ?? $"sensor '{Name}': read failed");
        }

        count = 0;
        OnFailedSample(wrongChip);
        return SampleStatus.Fault;
    }

    /// <summary>Disposes the sensor.</summary>
    public void Dispose() => _inner.Dispose();

    private bool DueForAccess() => _health != SensorHealth.Degraded || _clock.GetTimestamp() >= _nextProbe;

    private bool Backoff(int retry, long start)
    {
        TimeSpan wait = _retries.Delay(retry);
        TimeSpan spent = _clock.GetElapsedTime(start);
        if (spent + wait > RetryBudget)
        {
            return false;
        }

        ClockDelay.Wait(_clock, wait);
        return true;
    }

    private bool IsStuck(Span<float> values)
    {
        if (_policy.StuckAfter <= 0)
        {
            return false;
        }

        bool same = _hasPrevious && MemoryMarshal.AsBytes(values).SequenceEqual(MemoryMarshal.AsBytes(_previous.AsSpan(0, values.Length)));
        values.CopyTo(_previous);
        _hasPrevious = true;
        _identical = same ? _identical + 1 : 1;
        return _identical >= _policy.StuckAfter;
    }

    private void OnGood()
    {
        _failedInRow = 0;
        if (_health == SensorHealth.Degraded)
        {
            _goodInRow++;
            _nextProbe = 0; // read every period while recovering
            if (_goodInRow < _policy.RecoverAfter)
            {
                return;
            }

            _probes.Reset();
            if (_logger is not null)
            {
                Recovered(_logger, Name);
            }
        }

        if (_health != SensorHealth.Ok)
        {
            _health = SensorHealth.Ok;
            Stats.RecordHealth(SensorHealth.Ok);
        }
    }

    private void OnFailedSample(bool wrongChip)
    {
        Stats.RecordFailedSample();
        _failedInRow++;
        _goodInRow = 0;
        if (_health != SensorHealth.Degraded && (wrongChip || _failedInRow >= _policy.DegradeAfter))
        {
            _health = SensorHealth.Degraded;
            Stats.RecordHealth(SensorHealth.Degraded);
            _probes.Reset();
            if (_logger is not null)
            {
                Degraded(_logger, Name, _failedInRow, Stats.Snapshot().LastFault ?? "-");
            }
        }

        if (_health == SensorHealth.Degraded)
        {
            TimeSpan wait = _probes.Next();
            _nextProbe = _clock.GetTimestamp() + (long)(wait.TotalSeconds * _clock.TimestampFrequency);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "sensor '{Sensor}' degraded after {Failed} failed samples: {Reason}")]
    private static partial void Degraded(ILogger logger, string sensor, int failed, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "sensor '{Sensor}' recovered")]
    private static partial void Recovered(ILogger logger, string sensor);
}
