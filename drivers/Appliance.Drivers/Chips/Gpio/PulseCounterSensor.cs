using System.Collections.ObjectModel;
using System.Device.Gpio;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Sources;
using UnitsNet;

namespace Appliance.Drivers.Chips.Gpio;

/// <summary>
/// A pulse counter on one GPIO input line (a tachometer, a flow meter's reed switch): counts rising edges through the GPIO
/// character device's edge events (System.Device.Gpio <see cref="GpioController.RegisterCallbackForPinValueChangedEvent"/>, libgpiod on
/// a board) and reports channels <c>frequency_hz</c> (edges per second since the previous read, UnitsNet <see cref="Frequency"/>)
/// and <c>level</c> (the line's level now, 0 or 1).
/// </summary>
/// <remarks>
/// The frequency is (edges counted since the previous read) / (time since the previous read on the monotonic clock); the first
/// read measures from <see cref="Open"/>. Counting is lock-free (an interlocked increment per edge on the event thread).
/// A GPIO line has no identity to check; <see cref="Open"/> requests the line as an input with edge events, and an
/// <see cref="IOException"/> there or on a read is a fault (counted; the line is requested again on the next read). Not thread-safe
/// apart from the edge counting.
/// </remarks>
public sealed class PulseCounterSensor : IBusSensor
{
    private static readonly ReadOnlyCollection<string> ChannelNames = Array.AsReadOnly(["frequency_hz", "level"]);

    private readonly GpioController _controller;
    private readonly int _line;
    private readonly TimeProvider _clock;
    private readonly PinChangeEventHandler _onEdge;
    private long _edges;
    private long _edgesAtLastRead;
    private long _lastReadTimestamp;
    private bool _opened;
    private long _faultCount;
    private bool _disposed;

    /// <summary>Creates the counter; the line is not requested until <see cref="Open"/> or the first <see cref="Read"/>.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="controller">The GPIO chip's controller; the sensor owns and disposes it.</param>
    /// <param name="line">The line offset on the chip (<c>line = 17</c> in configuration).</param>
    /// <param name="clock">Monotonic clock for the rate and timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="controller"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> is negative.</exception>
    public PulseCounterSensor(string name, GpioController controller, int line, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        Name = name;
        _line = line;
        _clock = clock ?? TimeProvider.System;
        _onEdge = (_, _) => Interlocked.Increment(ref _edges);
    }

    /// <inheritdoc/>
    public string Name { get; }

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

    /// <inheritdoc/>
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
        _edgesAtLastRead = Interlocked.Read(ref _edges);
        _lastReadTimestamp = _clock.GetTimestamp();
        _opened = true;
    }

    /// <summary>Reads the pulse rate since the previous read.</summary>
    /// <param name="frequency">Edges per second (UnitsNet), when the read succeeded.</param>
    /// <returns>False on a GPIO fault (counted).</returns>
    public bool TryReadFrequency(out Frequency frequency)
    {
        Span<float> values = stackalloc float[2];
        bool ok = Read(values, out _) == SampleStatus.Ok;
        frequency = ok ? Frequency.FromHertz(values[0]) : default;
        return ok;
    }

    /// <inheritdoc/>
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
            long edges = Interlocked.Read(ref _edges);
            double seconds = (double)(now - _lastReadTimestamp) / _clock.TimestampFrequency;
            values[0] = seconds > 0 ? (float)((edges - _edgesAtLastRead) / seconds) : 0f;
            values[1] = level == PinValue.High ? 1f : 0f;
            _edgesAtLastRead = edges;
            _lastReadTimestamp = now;
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
