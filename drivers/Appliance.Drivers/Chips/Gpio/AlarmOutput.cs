using System.Device.Gpio;
using Microsoft.Extensions.Logging;

namespace Appliance.Drivers.Chips.Gpio;

/// <summary>
/// A GPIO output driven by alerts: an alarm relay or lamp that the device switches itself, without the cloud. <see cref="Raise"/>
/// drives the line to its active level (high, or low for an active-low relay board), <see cref="Clear"/> to the inactive one;
/// the line starts inactive.
/// </summary>
/// <remarks>
/// A failed write (<see cref="IOException"/> from the GPIO character device, a refused line request) is counted in <see cref="FaultCount"/>, kept in
/// <see cref="LastFault"/> and retried at the next <see cref="Raise"/>/<see cref="Clear"/>: the wanted state is remembered and
/// <see cref="Refresh"/> writes it again (a sampling loop can call it periodically). Thread-safe.
/// </remarks>
public sealed partial class AlarmOutput : IDisposable
{
    private readonly object _gate = new();
    private readonly GpioController _controller;
    private readonly int _line;
    private readonly bool _activeLow;
    private readonly ILogger? _logger;
    private bool _wanted;
    private bool _written;
    private bool _opened;
    private long _faultCount;
    private long _raises;
    private long _clears;

    /// <summary>Creates the output; the line is requested at the first write.</summary>
    /// <param name="name">The output's name, as in configuration.</param>
    /// <param name="controller">The GPIO chip's controller; the output owns and disposes it.</param>
    /// <param name="line">The line offset on the chip.</param>
    /// <param name="activeLow">True when the relay closes at the low level.</param>
    /// <param name="logger">Log for faults; none when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="controller"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> is negative.</exception>
    public AlarmOutput(string name, GpioController controller, int line, bool activeLow = false, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _controller = controller ?? throw new ArgumentNullException(nameof(controller));
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        Name = name;
        _line = line;
        _activeLow = activeLow;
        _logger = logger;
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <summary>Whether the alarm is wanted on (the last call was <see cref="Raise"/>).</summary>
    public bool IsRaised
    {
        get
        {
            lock (_gate)
            {
                return _wanted;
            }
        }
    }

    /// <summary>Whether the line is known to be at the wanted level (false after a failed write until a write succeeds).</summary>
    public bool IsInSync
    {
        get
        {
            lock (_gate)
            {
                return _written;
            }
        }
    }

    /// <summary>Times the alarm was raised (from off to on).</summary>
    public long RaiseCount => Interlocked.Read(ref _raises);

    /// <summary>Times the alarm was cleared (from on to off).</summary>
    public long ClearCount => Interlocked.Read(ref _clears);

    /// <summary>Writes that failed.</summary>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <summary>The message of the latest failed write, or null.</summary>
    public string? LastFault { get; private set; }

    /// <summary>Switches the alarm on.</summary>
    /// <returns>True when the line was written.</returns>
    public bool Raise() => Set(true);

    /// <summary>Switches the alarm off.</summary>
    /// <returns>True when the line was written.</returns>
    public bool Clear() => Set(false);

    /// <summary>Writes the wanted level again if the last write failed.</summary>
    /// <returns>True when the line is at the wanted level.</returns>
    public bool Refresh()
    {
        lock (_gate)
        {
            return _written || Write();
        }
    }

    /// <summary>Drives the line inactive (best effort) and disposes the controller.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_opened)
            {
                _wanted = false;
                Write();
            }

            _controller.Dispose();
        }
    }

    private bool Set(bool on)
    {
        lock (_gate)
        {
            if (on && !_wanted)
            {
                Interlocked.Increment(ref _raises);
            }
            else if (!on && _wanted)
            {
                Interlocked.Increment(ref _clears);
            }

            _written = _written && _wanted == on;
            _wanted = on;
            return _written || Write();
        }
    }

    private bool Write()
    {
        try
        {
            if (!_opened)
            {
                _controller.OpenPin(_line, PinMode.Output, _activeLow ? PinValue.High : PinValue.Low);
                _opened = true;
            }

            _controller.Write(_line, _wanted != _activeLow ? PinValue.High : PinValue.Low);
            _written = true;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // IOException: a failed GPIO ioctl; UnauthorizedAccessException: no permission on /dev/gpiochipN; InvalidOperationException:
            // libgpiod refused the line request (the line is held by another consumer).
            Interlocked.Increment(ref _faultCount);
            LastFault = $"alarm '{Name}': {e.Message}";
            _written = false;
            if (_logger is not null)
            {
                WriteFailed(_logger, Name, _line, e.Message);
            }

            return false;
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "alarm '{Alarm}' line {Line}: write failed ({Reason}); will retry")]
    private static partial void WriteFailed(ILogger logger, string alarm, int line, string reason);
}
