using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Sampling;

/// <summary>
/// One sensor's sampling loop: waits for the <see cref="SamplingScheduler"/>'s next instant, reads through the
/// <see cref="SensorSupervisor"/> (retries, degraded marking), and hands every sample to a <see cref="SampleHandler"/>.
/// A sensor with a FIFO (<see cref="IBatchSampleSource"/>) is woken once per quarter FIFO — at min(rate, ODR / (MaxBatch / 4)) Hz,
/// so a wake-up may come three quarters of a FIFO late before the FIFO overruns (an ADXL345 at 3200 Hz: every 2.5 ms, 7.5 ms to spare) —
/// and delivers the whole batch, each sample with its own timestamp. The loop opens its sensor when it starts
/// (<see cref="SensorSupervisor.Open"/>) and starts the grid there, so the first read comes one period later: a sensor that measures
/// over time (a pulse counter's gate, a FIFO filling) has a full period behind its first sample.
/// </summary>
/// <remarks>Allocation-free per sample: buffers are allocated once. One thread runs one loop; a slow or failing sensor delays only
/// its own loop (the supervisor bounds that delay). A recording (<see cref="ForRecording"/>) is paced by its own timestamps
/// instead of the scheduler's grid, so the same loop serves live and replayed sources.</remarks>
public sealed class SamplingLoop
{
    private readonly SensorSupervisor _sensor;
    private readonly TimeProvider _clock;
    private readonly float[] _values;
    private readonly long[] _timestamps;
    private readonly double _recordingSpeed = double.NaN;
    private long _firstSampleNs = long.MinValue;
    private long _firstSampleTick;
    private bool _started;

    /// <summary>Creates the loop.</summary>
    /// <param name="sensor">The supervised sensor.</param>
    /// <param name="rateHz">The configured sample rate, Hz.</param>
    /// <param name="clock">The monotonic clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sensor"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rateHz"/> is not positive.</exception>
    public SamplingLoop(SensorSupervisor sensor, double rateHz, TimeProvider? clock = null)
    {
        _sensor = sensor ?? throw new ArgumentNullException(nameof(sensor));
        _clock = clock ?? TimeProvider.System;
        int channels = sensor.Channels.Count;
        double wakeRate = rateHz;
        if (sensor.Batch is { } batch)
        {
            wakeRate = Math.Min(rateHz, batch.OutputDataRateHz / Math.Max(1, batch.MaxBatch / 4));
            _values = new float[batch.MaxBatch * channels];
            _timestamps = new long[batch.MaxBatch];
        }
        else
        {
            _values = new float[channels];
            _timestamps = new long[1];
        }

        Scheduler = new SamplingScheduler(wakeRate, _clock, sensor.Stats);

        // Retries must fit in half a wake-up period (at most 50 ms), so a failing read never pushes the loop off its schedule.
        sensor.RetryBudget = TimeSpan.FromSeconds(Math.Min(0.05, 0.5 / wakeRate));
    }

    /// <summary>
    /// Creates a loop that replays a recording: no wait on the scheduler's grid; each sample is delivered at its own timestamp,
    /// <paramref name="speed"/> times faster than recorded, counted from the first sample; with speed 0 as fast as the handler
    /// takes them (the handler may block, for example until the pipeline's ring has room). Ends at the recording's end.
    /// </summary>
    /// <param name="sensor">The supervised recording.</param>
    /// <param name="speed">0 for as fast as possible, or a positive factor on the recording's own pace.</param>
    /// <param name="clock">The monotonic clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <returns>The loop (its <see cref="Scheduler"/> is not used).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="speed"/> is negative or not finite.</exception>
    public static SamplingLoop ForRecording(SensorSupervisor sensor, double speed, TimeProvider? clock = null)
    {
        if (!(speed >= 0) || double.IsInfinity(speed))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "A replay speed must be 0 (as fast as possible) or a positive factor.");
        }

        return new SamplingLoop(sensor, 1, clock, speed);
    }

    private SamplingLoop(SensorSupervisor sensor, double rateHz, TimeProvider? clock, double recordingSpeed)
        : this(sensor, rateHz, clock)
    {
        _recordingSpeed = recordingSpeed;
    }

    /// <summary>The loop's scheduler.</summary>
    public SamplingScheduler Scheduler { get; }

    /// <summary>The sensor's statistics.</summary>
    public SamplingStats Stats => _sensor.Stats;

    /// <summary>Runs until <paramref name="token"/> is cancelled or the source ends.</summary>
    /// <param name="handler">Receives each sample.</param>
    /// <param name="token">Stops the loop.</param>
    public void Run(SampleHandler handler, CancellationToken token)
    {
        while (RunOnce(handler, token))
        {
        }
    }

    /// <summary>Waits for the next instant, reads, and delivers what was read; the first call opens the sensor and starts the grid,
    /// so its read comes one period after the open.</summary>
    /// <param name="handler">Receives each sample.</param>
    /// <param name="token">Stops the wait.</param>
    /// <returns>False when cancelled or when the source ended.</returns>
    public bool RunOnce(SampleHandler handler, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_started)
        {
            _started = true;
            _sensor.Open();
            Scheduler.Start();
        }

        if (!double.IsNaN(_recordingSpeed))
        {
            return ReplayOnce(handler, token);
        }

        if (!Scheduler.WaitNext(token))
        {
            return false;
        }

        int channels = _sensor.Channels.Count;
        if (_sensor.IsBatched)
        {
            if (_sensor.ReadBatch(_values, _timestamps, out int count) == SampleStatus.Ok && count > 0)
            {
                for (int i = 0; i < count; i++)
                {
                    handler(_timestamps[i], _values.AsSpan(i * channels, channels));
                }

                _sensor.Stats.RecordDelivery(_clock.GetTimestamp(), count);
            }

            return true;
        }

        SampleStatus status = _sensor.Read(_values, out long timestampNs);
        if (status == SampleStatus.EndOfStream)
        {
            return false;
        }

        if (status == SampleStatus.Ok)
        {
            handler(timestampNs, _values);
            _sensor.Stats.RecordDelivery(_clock.GetTimestamp(), 1);
        }

        return true;
    }

    private bool ReplayOnce(SampleHandler handler, CancellationToken token)
    {
        if (token.IsCancellationRequested)
        {
            return false;
        }

        SampleStatus status = _sensor.Read(_values, out long timestampNs);
        if (status == SampleStatus.EndOfStream)
        {
            return false;
        }

        if (status != SampleStatus.Ok)
        {
            return true;
        }

        if (_recordingSpeed > 0)
        {
            if (_firstSampleNs == long.MinValue)
            {
                _firstSampleNs = timestampNs;
                _firstSampleTick = _clock.GetTimestamp();
            }

            long due = _firstSampleTick + (long)((timestampNs - _firstSampleNs) / 1e9 / _recordingSpeed * _clock.TimestampFrequency);
            if (!ClockDelay.WaitUntil(_clock, due, token))
            {
                return false;
            }
        }

        handler(timestampNs, _values);
        _sensor.Stats.RecordDelivery(_clock.GetTimestamp(), 1);
        return true;
    }
}
