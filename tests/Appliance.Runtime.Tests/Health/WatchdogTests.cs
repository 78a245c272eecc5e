using System.Net.Sockets;

namespace Appliance.Runtime.Tests.Health;

/// <summary>Issue 20 item 5: sd_notify datagrams (sd_notify(3): <c>READY=1</c>, <c>WATCHDOG=1</c>, <c>STOPPING=1</c> on
/// <c>$NOTIFY_SOCKET</c>, abstract when it starts with '@') and the watchdog device protocol (Linux
/// Documentation/watchdog/watchdog-api.rst: any write feeds, 'V' before close disarms).</summary>
public sealed class WatchdogTests
{
    [Fact]
    public void Notifier_AbstractSocket_ReadyThenWatchdogOnlyWhileProgressThenStopping()
    {
        var name = "appliance-test-" + Guid.NewGuid().ToString("N");
        using var listener = Listen(new UnixDomainSocketEndPoint("\0" + name));
        string? stall = null;
        using var watchdog = new ServiceWatchdog(() => stall, new SystemdNotifier("@" + name, TimeSpan.FromSeconds(30)), null, TimeSpan.FromSeconds(5), NullLogger.Instance);
        Assert.Equal(TimeSpan.FromSeconds(15), watchdog.Interval); // half of WatchdogSec

        watchdog.Ready();
        Assert.True(watchdog.Tick());
        stall = "pipeline worker: no turn for 12000 ms";
        Assert.False(watchdog.Tick());
        stall = null;
        Assert.True(watchdog.Tick());
        watchdog.Stop(clean: true);

        Assert.Equal(["READY=1", "WATCHDOG=1", "WATCHDOG=1", "STOPPING=1"], Drain(listener));
        Assert.Equal((2L, 1L, 0L), (watchdog.Fed, watchdog.Withheld, watchdog.Faults));
    }

    [Fact]
    public void Notifier_PathSocketWithoutWatchdogSec_ReadyButNoWatchdogPings()
    {
        var path = Path.Combine(Path.GetTempPath(), "notify-" + Guid.NewGuid().ToString("N")[..8]);
        using var listener = Listen(new UnixDomainSocketEndPoint(path));
        try
        {
            using var watchdog = new ServiceWatchdog(() => null, new SystemdNotifier(path, null), null, TimeSpan.FromSeconds(5), NullLogger.Instance);
            Assert.Equal(TimeSpan.MaxValue, watchdog.Interval); // nothing to feed: no thread
            watchdog.Ready();
            watchdog.Tick();
            Assert.Equal(["READY=1"], Drain(listener));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HardwareWatchdog_FedWhileProgressThenCleanStop_WritesFeedsThenMagicV()
    {
        var path = Path.GetTempFileName(); // a file stands for /dev/watchdog: the bytes written are the protocol
        try
        {
            string? stall = null;
            using (var watchdog = new ServiceWatchdog(() => stall, null, new HardwareWatchdog(path), TimeSpan.FromSeconds(1), NullLogger.Instance))
            {
                Assert.Equal(TimeSpan.FromSeconds(1), watchdog.Interval);
                watchdog.Tick();
                stall = "sampling loop env: no turn for 11000 ms";
                watchdog.Tick();
                stall = null;
                watchdog.Tick();
                watchdog.Stop(clean: true);
            }

            Assert.Equal("\0\0V"u8.ToArray(), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HardwareWatchdog_StopNotClean_LeavesItArmed()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var watchdog = new ServiceWatchdog(() => null, null, new HardwareWatchdog(path), TimeSpan.FromSeconds(1), NullLogger.Instance))
            {
                watchdog.Tick();
            }

            Assert.Equal("\0"u8.ToArray(), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void HardwareWatchdog_NoSuchDevice_IOExceptionNamingIt()
    {
        var e = Assert.Throws<IOException>(() => new HardwareWatchdog("/nonexistent/watchdog"));
        Assert.StartsWith("watchdog device /nonexistent/watchdog: ", e.Message, StringComparison.Ordinal);
    }

    private static Socket Listen(UnixDomainSocketEndPoint endPoint)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(endPoint);
        return s;
    }

    private static List<string> Drain(Socket listener)
    {
        var got = new List<string>();
        var buffer = new byte[256];
        while (listener.Available > 0)
        {
            got.Add(Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer)));
        }

        return got;
    }
}
