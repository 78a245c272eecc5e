namespace Appliance.Device.Health;

/// <summary>
/// A Linux watchdog device (<c>/dev/watchdog</c>; the kernel's watchdog API, Documentation/watchdog/watchdog-api.rst): open,
/// the timer runs; every write feeds it; writing the magic character <c>V</c> before closing disarms it (a clean stop), while
/// a close without it, or a process that is killed or hangs, lets the timer run out and the board reset. The timeout is the
/// driver's (for i6300esb the module parameter <c>heartbeat</c>, 30 s by default; the chip resets after its second stage).
/// </summary>
public sealed class HardwareWatchdog : IDisposable
{
    private readonly FileStream _device;

    /// <summary>Opens (and so arms) the watchdog device.</summary>
    /// <param name="path">The device, e.g. <c>/dev/watchdog</c>.</param>
    /// <exception cref="IOException">It cannot be opened (no such device, already open, no permission: the message says).</exception>
    public HardwareWatchdog(string path)
    {
        Path = path;
        try
        {
            _device = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IOException($"watchdog device {path}: {e.Message}", e);
        }
    }

    /// <summary>The device's path.</summary>
    public string Path { get; }

    /// <summary>Feeds the watchdog (one write).</summary>
    /// <exception cref="IOException">The write failed.</exception>
    public void Feed() => _device.Write("\0"u8);

    /// <summary>Disarms the watchdog (magic close: <c>V</c>, then close): the process stops cleanly.</summary>
    public void Disarm()
    {
        try
        {
            _device.Write("V"u8);
        }
        finally
        {
            _device.Dispose();
        }
    }

    /// <summary>Closes without the magic character: the watchdog stays armed and resets the board unless fed again.</summary>
    public void Dispose() => _device.Dispose();
}
