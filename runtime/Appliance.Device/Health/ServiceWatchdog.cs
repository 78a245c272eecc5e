using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Health;

/// <summary>
/// Feeds systemd's watchdog (<c>WATCHDOG=1</c> through <see cref="SystemdNotifier"/>, at half of <c>WatchdogSec=</c>) and a
/// hardware watchdog (<see cref="HardwareWatchdog"/>, every <c>deviceInterval</c>) from one thread, but only while the
/// progress signal says the pipeline makes progress: when the signal names a stalled stage the feeding stops, so that systemd
/// kills and restarts the service and the hardware watchdog resets the board. A process that hangs whole (SIGSTOP, a
/// deadlock of the runtime) stops this thread too, with the same effect.
/// </summary>
public sealed class ServiceWatchdog : IDisposable
{
    private readonly Func<string?> _stall;
    private readonly SystemdNotifier? _systemd;
    private readonly HardwareWatchdog? _device;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private long _fed;
    private long _withheld;
    private volatile string? _lastStall;
    private bool _stopped;

    /// <summary>Creates the watchdog; nothing is fed until <see cref="Start"/>.</summary>
    /// <param name="stall">The progress signal: null while the pipeline makes progress, else what stalled (for the log).</param>
    /// <param name="systemd">systemd's notifier, or null (its watchdog is fed only when it has a <see cref="SystemdNotifier.Watchdog"/>).</param>
    /// <param name="device">The hardware watchdog, or null.</param>
    /// <param name="deviceInterval">How often the hardware watchdog is fed; below its timeout.</param>
    /// <param name="logger">The log: each stall once, when it starts, and the recovery.</param>
    public ServiceWatchdog(Func<string?> stall, SystemdNotifier? systemd, HardwareWatchdog? device, TimeSpan deviceInterval, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(stall);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deviceInterval, TimeSpan.Zero);
        _stall = stall;
        _systemd = systemd;
        _device = device;
        _logger = logger;
        var systemdInterval = systemd?.Watchdog is { } w ? w / 2 : TimeSpan.MaxValue;
        Interval = device is null ? systemdInterval : TimeSpan.FromTicks(Math.Min(systemdInterval.Ticks, deviceInterval.Ticks));
    }

    /// <summary>How often the watchdogs are fed (the shorter of half systemd's timeout and the device's interval);
    /// <see cref="TimeSpan.MaxValue"/> when there is nothing to feed.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Ticks at which the watchdogs were fed.</summary>
    public long Fed => Interlocked.Read(ref _fed);

    /// <summary>Ticks at which they were not, because something had stalled.</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

    /// <summary>What had stalled at the last withheld tick, or null.</summary>
    public string? LastStall => _lastStall;

    /// <summary>Failed notifications or writes (each logged).</summary>
    public long Faults { get; private set; }

    /// <summary>Tells systemd the service is ready (<c>READY=1</c>): the first revision is applied.</summary>
    public void Ready() => Send("READY=1");

    /// <summary>Starts feeding: at once, then every <see cref="Interval"/> (nothing when there is nothing to feed).</summary>
    public void Start()
    {
        if (Interval == TimeSpan.MaxValue || _thread is not null)
        {
            return;
        }

        HealthLog.WatchdogStarted(_logger, _systemd?.Watchdog is { } w ? (w / 2).TotalMilliseconds : 0, _device?.Path ?? "none", Interval.TotalMilliseconds);
        _thread = new Thread(() =>
        {
            do
            {
                Tick(); // at once: a process restarted after a crash must feed the still-armed device before it runs out
            }
            while (!_stop.Wait(Interval));
        }) { IsBackground = true, Name = "watchdog" };
        _thread.Start();
    }

    /// <summary>One tick: feeds the watchdogs when the progress signal says nothing has stalled.</summary>
    /// <returns>True when fed.</returns>
    public bool Tick()
    {
        if (_stall() is { } stalled)
        {
            if (_lastStall is null)
            {
                HealthLog.WatchdogWithheld(_logger, stalled);
            }

            _lastStall = stalled;
            Interlocked.Increment(ref _withheld);
            return false;
        }

        if (_lastStall is not null)
        {
            HealthLog.WatchdogResumed(_logger);
            _lastStall = null;
        }

        if (_systemd?.Watchdog is not null)
        {
            Send("WATCHDOG=1");
        }

        if (_device is not null)
        {
            try
            {
                _device.Feed();
            }
            catch (IOException e)
            {
                Fault(_device.Path, e.Message);
            }
        }

        Interlocked.Increment(ref _fed);
        return true;
    }

    /// <summary>Stops feeding: tells systemd <c>STOPPING=1</c>, and disarms the hardware watchdog when <paramref name="clean"/>
    /// (magic close); otherwise leaves it armed (it resets the board unless the next process feeds it in time).</summary>
    /// <param name="clean">The process stops on purpose (SIGTERM, its outbox flushed).</param>
    public void Stop(bool clean)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _stop.Set();
        _thread?.Join();
        Send("STOPPING=1");
        if (_device is null)
        {
            return;
        }

        try
        {
            if (clean)
            {
                _device.Disarm();
            }
            else
            {
                _device.Dispose();
            }
        }
        catch (IOException e)
        {
            Fault(_device.Path, e.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop(clean: false);
        _systemd?.Dispose();
        _stop.Dispose();
    }

    private void Send(string state)
    {
        try
        {
            _systemd?.Notify(state);
        }
        catch (SocketException e)
        {
            Fault("sd_notify " + state, e.Message);
        }
    }

    private void Fault(string what, string reason)
    {
        Faults++;
        HealthLog.WatchdogFault(_logger, what, reason);
    }
}
