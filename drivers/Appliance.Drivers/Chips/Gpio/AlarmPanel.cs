namespace Appliance.Drivers.Chips.Gpio;

/// <summary>
/// The device's alarm outputs (<c>[[alarm]]</c>) and the rule that drives them, so that the edge acts locally, without the cloud:
/// an alert from one of an alarm's sensors (any sensor when its list is empty) raises the output at once, on the caller's thread
/// (the pipeline, as the window that raised the alert closes); the output stays raised until <c>hold</c> has passed with no new
/// alert from one of its sensors, then clears.
/// </summary>
/// <remarks>
/// <para>Hold is measured on the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), from the latest alert.
/// <see cref="Tick"/> clears expired alarms and retries failed writes (at most once a second per output, so a dead GPIO chip does
/// not flood the log); <see cref="Start"/> calls it from a timer. A failed write never throws to the caller: it is counted in the
/// output's <see cref="AlarmOutput.FaultCount"/> and reported by <see cref="Snapshot"/>.</para>
/// <para>Thread-safe: <see cref="OnAlert"/> (pipeline thread), <see cref="Tick"/> (timer) and <see cref="Snapshot"/> (status writer)
/// may run concurrently.</para>
/// </remarks>
public sealed class AlarmPanel : IDisposable
{
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly List<Entry> _entries = [];
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Creates an empty panel.</summary>
    /// <param name="clock">The clock of the hold times; <see cref="TimeProvider.System"/> when null.</param>
    public AlarmPanel(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>The number of alarm outputs.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Adds an output and drives its line inactive; the panel owns it from now on (and disposes it).</summary>
    /// <param name="output">The output (its line starts inactive).</param>
    /// <param name="sensors">The sensors whose alerts raise it; empty for every sensor.</param>
    /// <param name="hold">How long it stays raised after the latest alert; positive.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="sensors"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hold"/> is not positive.</exception>
    /// <exception cref="ArgumentException">An output of the same name is already on the panel.</exception>
    public void Add(AlarmOutput output, IReadOnlyCollection<string> sensors, TimeSpan hold)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sensors);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hold, TimeSpan.Zero);
        lock (_gate)
        {
            if (_entries.Exists(e => e.Output.Name == output.Name))
            {
                throw new ArgumentException($"alarm '{output.Name}' is on the panel already (alarm names must be unique).", nameof(output));
            }

            // Request the line at its inactive level now, so that a relay is known to be off before any alert (an active-low
            // board on an unrequested line may sit energised); a failure is counted and retried by Tick.
            var entry = new Entry(output, [.. sensors], (long)(hold.TotalSeconds * _clock.TimestampFrequency));
            if (!output.Clear())
            {
                entry.LastRetry = _clock.GetTimestamp();
            }

            _entries.Add(entry);
        }
    }

    /// <summary>Takes an alert: raises (or keeps raised, restarting its hold) every output listening to <paramref name="sensor"/>.</summary>
    /// <param name="sensor">The name of the sensor whose detector fired.</param>
    /// <returns>The number of outputs that listen to that sensor.</returns>
    public int OnAlert(string sensor)
    {
        long now = _clock.GetTimestamp();
        int matched = 0;
        lock (_gate)
        {
            foreach (Entry e in _entries)
            {
                if (e.Sensors.Count == 0 || e.Sensors.Contains(sensor))
                {
                    matched++;
                    e.ClearAt = now + e.HoldTicks;
                    e.Raised = true;
                    if (!e.Output.Raise())
                    {
                        e.LastRetry = now;
                    }
                }
            }
        }

        return matched;
    }

    /// <summary>Raises every output for <paramref name="duration"/> (the cloud's <c>identify</c> command: someone at the site finds
    /// the device by its lamp or buzzer); an output raised longer by an alert keeps its later clear time.</summary>
    /// <param name="duration">How long; positive.</param>
    /// <returns>The number of outputs raised.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is not positive.</exception>
    public int Identify(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        long now = _clock.GetTimestamp();
        long until = now + (long)(duration.TotalSeconds * _clock.TimestampFrequency);
        lock (_gate)
        {
            foreach (Entry e in _entries)
            {
                e.ClearAt = e.Raised ? Math.Max(e.ClearAt, until) : until;
                e.Raised = true;
                if (!e.Output.Raise())
                {
                    e.LastRetry = now;
                }
            }

            return _entries.Count;
        }
    }

    /// <summary>Clears the outputs whose hold has passed, and writes again the ones whose last write failed.</summary>
    public void Tick()
    {
        long now = _clock.GetTimestamp();
        long retry = (long)(s_retryInterval.TotalSeconds * _clock.TimestampFrequency);
        lock (_gate)
        {
            foreach (Entry e in _entries)
            {
                if (e.Raised && now >= e.ClearAt)
                {
                    e.Raised = false;
                    if (!e.Output.Clear())
                    {
                        e.LastRetry = now;
                    }
                }
                else if (!e.Output.IsInSync && now - e.LastRetry >= retry)
                {
                    e.LastRetry = now;
                    e.Output.Refresh();
                }
            }
        }
    }

    /// <summary>Calls <see cref="Tick"/> every <paramref name="period"/> on a timer of the panel's clock.</summary>
    /// <param name="period">The tick period (hold times are kept to within it); 10 ms or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is under 10 ms.</exception>
    public void Start(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(10));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _timer ??= _clock.CreateTimer(static s => ((AlarmPanel)s!).Tick(), this, period, period);
        }
    }

    /// <summary>The state of every output, in the order they were added.</summary>
    /// <returns>One <see cref="AlarmStatus"/> per output.</returns>
    public IReadOnlyList<AlarmStatus> Snapshot()
    {
        lock (_gate)
        {
            var list = new List<AlarmStatus>(_entries.Count);
            foreach (Entry e in _entries)
            {
                AlarmOutput o = e.Output;
                list.Add(new AlarmStatus(o.Name, o.IsRaised, o.RaiseCount, o.ClearCount, o.FaultCount, o.LastFault, o.IsInSync));
            }

            return list;
        }
    }

    /// <summary>Stops the timer and disposes every output (each line is driven inactive first, best effort).</summary>
    public void Dispose()
    {
        ITimer? timer;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
        lock (_gate)
        {
            foreach (Entry e in _entries)
            {
                e.Output.Dispose();
            }
        }
    }

    private sealed class Entry(AlarmOutput output, HashSet<string> sensors, long holdTicks)
    {
        public AlarmOutput Output { get; } = output;

        public HashSet<string> Sensors { get; } = sensors;

        public long HoldTicks { get; } = holdTicks;

        public bool Raised { get; set; }

        public long ClearAt { get; set; }

        public long LastRetry { get; set; }
    }
}
