using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Device.Health;

/// <summary>
/// systemd's notification protocol (sd_notify(3)): each state (<c>READY=1</c>, <c>WATCHDOG=1</c>, <c>STOPPING=1</c>) is one
/// datagram of newline-separated assignments to the AF_UNIX socket named by <c>$NOTIFY_SOCKET</c>, an abstract socket when
/// the name starts with <c>@</c> (sent with a leading NUL). The watchdog interval is <c>$WATCHDOG_USEC</c> microseconds when
/// <c>$WATCHDOG_PID</c> is unset or this process's id (sd_watchdog_enabled(3)); the service pings at half of it.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _endPoint;

    /// <summary>Creates a notifier for <paramref name="socketName"/> (a path, or <c>@NAME</c> for an abstract socket).</summary>
    /// <param name="socketName">The value of <c>$NOTIFY_SOCKET</c>.</param>
    /// <param name="watchdog">The watchdog timeout systemd enforces (<c>WatchdogSec=</c>), or null when off.</param>
    public SystemdNotifier(string socketName, TimeSpan? watchdog)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketName);
        _endPoint = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
        Watchdog = watchdog;
    }

    /// <summary>The watchdog timeout systemd enforces, or null when <c>WatchdogSec=</c> is off.</summary>
    public TimeSpan? Watchdog { get; }

    /// <summary>The notifier of <c>$NOTIFY_SOCKET</c>, or null when the process was not started by systemd with <c>Type=notify</c>.</summary>
    /// <returns>The notifier, or null.</returns>
    public static SystemdNotifier? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is not { Length: > 0 } socket)
        {
            return null;
        }

        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        var forUs = string.IsNullOrEmpty(pid) || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        TimeSpan? watchdog = forUs && long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
        return new SystemdNotifier(socket, watchdog);
    }

    /// <summary>Sends one state datagram, e.g. <c>READY=1</c> or <c>WATCHDOG=1</c>.</summary>
    /// <param name="state">Newline-separated assignments.</param>
    /// <exception cref="SocketException">The datagram could not be sent (no such socket, no permission).</exception>
    public void Notify(string state) => _socket.SendTo(Encoding.UTF8.GetBytes(state), _endPoint);

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();
}
