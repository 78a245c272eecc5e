using System.Collections.ObjectModel;
using System.Device.Gpio;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Sources;
using UnitsNet;

namespace Appliance.Drivers.Chips.Gpio;

/// <summary>
/// A pulse counter on one GPIO input line (a tachometer, a flow meter's reed switch): counts rising edges through the GPIO
/// character device's edge events (System.Device.Gpio <see cref="GpioController.RegisterCallbackForPinValueChangedEvent"/>, libgpiod on
/// a board) and reports channels <c>frequency_hz</c> (edges per second over the latest completed gate, UnitsNet
/// <see cref="Frequency"/>) and <c>level</c> (the line's level now, 0 or 1).
/// </summary>
/// <remarks>
/// <para>The frequency is measured as a gated frequency counter does (Keysight Application Note 200, "Fundamentals of Electronic
/// Frequency Counters", the conventional counter: f = N / gate time): a gate opens at <see cref="Open"/> (the first gate measures
/// from there) and closes at the first <see cref="Read"/> that comes at least <see cref="MinimumGate"/> after it opened; that read
/// reports (edges counted in the gate) / (the gate's length on the monotonic clock) and opens the next gate at once, so gates are
/// contiguous and no edge is lost or counted twice: the mean of the readings over a window is the true mean rate. A read that comes
/// before the gate has elapsed (a sampler catching up after a stall reads twice in a row, microseconds apart) neither resets the
/// count nor reports a rate over microseconds (which would be 0 or absurdly high): it reports the latest completed gate's rate.
/// Before the first gate has completed (a read right after <see cref="Open"/>) there is no rate yet: <c>frequency_hz</c> is NaN
/// (the window's <c>nan_count</c> counts it) and <see cref="TryReadFrequency"/> returns false. The sampling loop opens the sensor one
/// period before its first read (<see cref="Sampling.SamplingLoop"/>), so a sampled device never sees that NaN.</para>
/// <para>Debounce (<c>debounce = "2ms"</c>): contact bounce turns one closing of a reed switch or relay into a burst of edges
/// within a millisecond or two. A rising edge that comes less than the debounce time after the last counted one is not counted
/// (<see cref="BouncesFiltered"/> counts it). The time of an edge is the driver's (<see cref="IEdgeTimestamps"/>: the emulated
/// chip's) or else the time the edge callback runs. The kernel's own line debounce (GPIO v2 uAPI,
/// <c>GPIO_V2_LINE_ATTR_ID_DEBOUNCE</c>) is not reachable here: System.Device.Gpio 4.2's <c>LibGpiodDriver</c> (libgpiod 1, Debian 12's)
/// requests lines through the v1 uAPI, which has no debounce, and its <c>LibGpiodV2Driver</c> requests lines with settings it does
/// not let a caller change (the debounce setter exists only on its experimental <c>Libgpiod.V2.LineSettings</c>, outside the
/// driver); nor do its edge callbacks carry the kernel's event timestamps. So the filter is in software, on the callback's time: a
/// debounce of a few milliseconds, far above the event thread's delivery jitter, filters bounce while every real edge of a signal
/// slower than 1 / debounce is counted.</para>
/// <para>Counting is lock-free (an interlocked increment per edge on the event thread). A GPIO line has no identity to check;
/// <see cref="Open"/> requests the line as an input with edge events, and an <see cref="IOException"/> there or on a read is a fault
/// (counted; a line whose request failed is requested again on the next read). Not thread-safe apart from the edge counting.</para>
/// </remarks>
public sealed class PulseCounterSensor : IBusSensor
{
    internal static readonly ReadOnlyCollection<string> ChannelNames = Array.AsReadOnly(["frequency_hz", "level"]);

    private readonly GpioController _controller;
    private readonly int _line;
    private readonly TimeProvider _clock;
    private readonly PinChangeEventHandler _onEdge;
    private readonly long _debounceTicks;
    private long _lastEdgeTimestamp = long.MinValue; // written by the edge callback only
    private long _bounces;
    private long _edges;
    private readonly long _minimumGateTicks;
    private long _gateStartEdges;
    private long _gateStartTimestamp;
    private float _lastRateHz = float.NaN;
    private bool _opened;
    private long _faultCount;
    private bool _disposed;

    /// <summary>Creates the counter; the line is not requested until <see cref="Open"/> or the first <see cref="Read"/>.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="controller">The GPIO chip's controller; the sensor owns and disposes it.</param>
    /// <param name="line">The line offset on the chip (<c>line = 17</c> in configuration).</param>
    /// <param name="clock">Monotonic clock for the rate and timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="minimumGate">
    /// The shortest gate (see the remarks); <see cref="DefaultMinimumGate"/> (100 ms) when null. Use half the sampling period
    /// (<see cref="MinimumGateFor"/>, as <see cref="Sources.SensorFactory"/> does): every on-schedule read then closes a gate of about one
    /// period even when wake-ups jitter by up to half a period (a gate of one full period would leave a read that wakes a little early
    /// reporting the previous gate again), while back-to-back catch-up reads never close a gate over microseconds.
    /// </param>
    /// <param name="debounce">Rising edges closer than this to the last counted one are bounce, not counted (see the remarks); null or
    /// zero counts every edge.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="controller"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> is negative, <paramref name="minimumGate"/> is not positive, or
    /// <paramref name="debounce"/> is negative.</exception>
    public PulseCounterSensor(string name, GpioController controller, int line, TimeProvider? clock = null, TimeSpan? minimumGate = null, TimeSpan? debounce = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        TimeSpan gate = minimumGate ?? DefaultMinimumGate;
        if (gate <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumGate), gate, $"sensor '{name}': the minimum gate time must be positive.");
        }

        Name = name;
        _line = line;
        _clock = clock ?? TimeProvider.System;
        MinimumGate = gate;
        _minimumGateTicks = Math.Max(1, (long)Math.Ceiling(gate.TotalSeconds * _clock.TimestampFrequency));
        TimeSpan filter = debounce ?? TimeSpan.Zero;
        if (filter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(debounce), filter, $"sensor '{name}': the debounce time must not be negative.");
        }

        Debounce = filter;
        _debounceTicks = (long)Math.Ceiling(filter.TotalSeconds * _clock.TimestampFrequency);
        _onEdge = OnEdge;
    }

    /// <summary>The debounce time: a rising edge this close to the last counted one is not counted; zero counts every edge.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>Rising edges not counted because they came within <see cref="Debounce"/> of the last counted one.</summary>
    public long BouncesFiltered => Interlocked.Read(ref _bounces);

    /// <summary>The minimum gate when none is given: 100 ms (half the period of a 5 Hz sampler; 10 Hz resolution per gate).</summary>
    public static TimeSpan DefaultMinimumGate { get; } = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The shortest gate: a read closes the open gate only once this much time has passed since it opened.</summary>
    public TimeSpan MinimumGate { get; }

    /// <inheritdoc/>
    public string Chip => "pulse";

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => ChannelNames;

    /// <inheritdoc/>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <inheritdoc/>
    public string? LastFault { get; private set; }

    /// <summary>Rising edges counted since <see cref="Open"/>.</summary>
    public long EdgeCount => Interlocked.Read(ref _edges);

    /// <summary>The minimum gate for a sensor sampled at <paramref name="samplingRateHz"/>: half its nominal period (see the constructor).</summary>
    /// <param name="samplingRateHz">The configured sampling rate, Hz.</param>
    /// <returns>0.5 / rate seconds, or <see cref="DefaultMinimumGate"/> when the rate is not a positive finite number.</returns>
    public static TimeSpan MinimumGateFor(double samplingRateHz) =>
        samplingRateHz > 0 && double.IsFinite(samplingRateHz) ? TimeSpan.FromSeconds(0.5 / samplingRateHz) : DefaultMinimumGate;

    /// <inheritdoc/>
    /// <remarks>Opens the first gate: the first rate is measured from here.</remarks>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_opened)
        {
            return;
        }

        if (!_controller.IsPinOpen(_line))
        {
            _controller.OpenPin(_line, PinMode.Input);
        }

        _controller.RegisterCallbackForPinValueChangedEvent(_line, PinEventTypes.Rising, _onEdge);
        _gateStartEdges = Interlocked.Read(ref _edges);
        _gateStartTimestamp = _clock.GetTimestamp();
        _opened = true;
    }

    /// <summary>Reads the pulse rate over the latest completed gate (see <see cref="Read"/>).</summary>
    /// <param name="frequency">Edges per second (UnitsNet), when a rate is known.</param>
    /// <returns>False on a GPIO fault (counted) or before the first gate has completed.</returns>
    public bool TryReadFrequency(out Frequency frequency)
    {
        Span<float> values = stackalloc float[2];
        bool ok = Read(values, out _) == SampleStatus.Ok && !float.IsNaN(values[0]);
        frequency = ok ? Frequency.FromHertz(values[0]) : default;
        return ok;
    }

    /// <inheritdoc/>
    /// <remarks>values[0] = <c>frequency_hz</c>: the latest completed gate's rate, closing the open gate first when it has lasted at
    /// least <see cref="MinimumGate"/>; NaN before the first gate has completed. values[1] = <c>level</c>.</remarks>
    /// <exception cref="ArgumentException"><paramref name="values"/> has fewer than 2 elements.</exception>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        if (values.Length < 2)
        {
            throw new ArgumentException($"sensor '{Name}': values has {values.Length} elements; expected at least 2.", nameof(values));
        }

        timestampNs = Ads1115Sensor.UnixNs(_clock);
        try
        {
            Open();
            PinValue level = _controller.Read(_line); // also lets an emulated chip deliver the edges due by now
            long now = _clock.GetTimestamp();
            long gate = now - _gateStartTimestamp;
            if (gate >= _minimumGateTicks)
            {
                long edges = Interlocked.Read(ref _edges);
                _lastRateHz = (float)((edges - _gateStartEdges) / ((double)gate / _clock.TimestampFrequency));
                _gateStartEdges = edges;
                _gateStartTimestamp = now;
            }

            values[0] = _lastRateHz;
            values[1] = level == PinValue.High ? 1f : 0f;
            return SampleStatus.Ok;
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = $"sensor '{Name}': {e.Message}";
            values[..2].Fill(float.NaN);
            return SampleStatus.Fault;
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs e)
    {
        if (_debounceTicks > 0)
        {
            long at = sender is IEdgeTimestamps stamped ? stamped.EdgeTimestamp : _clock.GetTimestamp();
            if (_lastEdgeTimestamp != long.MinValue && at - _lastEdgeTimestamp < _debounceTicks)
            {
                Interlocked.Increment(ref _bounces);
                return;
            }

            _lastEdgeTimestamp = at;
        }

        Interlocked.Increment(ref _edges);
    }

    /// <summary>Releases the line and disposes the controller.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_opened)
        {
            _controller.UnregisterCallbackForPinValueChangedEvent(_line, _onEdge);
        }

        _controller.Dispose();
    }
}
