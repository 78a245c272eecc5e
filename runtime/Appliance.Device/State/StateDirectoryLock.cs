using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Device.State;

/// <summary>
/// An exclusive lock on a device state directory (<c>run --state DIR</c>), so that two device processes never share one
/// journal: an advisory <c>flock(2)</c> (<c>LOCK_EX | LOCK_NB</c>) on <c>DIR/lock</c>, which holds the holder's pid as
/// decimal text. The kernel releases the lock when the holder's descriptor closes, so a crashed holder never leaves
/// a stale lock (the pid left in the file is then only a note). Linux (and any libc with <c>flock</c>).
/// </summary>
/// <remarks>
/// <c>flock</c> is called directly rather than through <see cref="FileShare.None"/> (which .NET also maps to
/// <c>flock</c> on Unix) so that the loser can still open the file and read the holder's pid, and so that the lock does
/// not depend on <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>. The lock file is never deleted: deleting it would let two
/// processes lock two different files of the same name.
/// </remarks>
public sealed partial class StateDirectoryLock : IDisposable
{
    /// <summary>Name of the lock file inside the state directory.</summary>
    public const string FileName = "lock";

    private const int OReadWrite = 2, OCreate = 0x40, OCloseOnExec = 0x80000; // <fcntl.h>, Linux (x86-64 and arm64)
    private const int LockExclusive = 2, LockNonBlocking = 4; // <sys/file.h>
    private const int EWouldBlock = 11; // EAGAIN = EWOULDBLOCK on Linux
    private readonly SafeFileHandle _handle;

    private StateDirectoryLock(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>Path of the lock file.</summary>
    public string Path { get; }

    /// <summary>Creates <paramref name="directory"/> if missing and takes its lock, writing this process's pid into it.</summary>
    /// <param name="directory">The state directory.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="StateDirectoryLockedException">Another process (or another holder in this one) holds the lock.</exception>
    /// <exception cref="IOException">The lock file cannot be opened, locked or written.</exception>
    public static StateDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        int fd = Open(path, OReadWrite | OCreate | OCloseOnExec, 0x1A4); // mode 0644
        if (fd < 0)
        {
            throw new IOException($"{path}: cannot open the state directory lock ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Flock(handle, LockExclusive | LockNonBlocking) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EWouldBlock)
                {
                    throw new StateDirectoryLockedException(directory, ReadPid(handle));
                }

                throw new IOException($"{path}: cannot lock the state directory ({Marshal.GetPInvokeErrorMessage(errno)})");
            }

            byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            if (Ftruncate(handle, 0) != 0)
            {
                throw new IOException($"{path}: cannot write the state directory lock ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");
            }

            RandomAccess.Write(handle, pid, 0);
            return new StateDirectoryLock(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock (closing the descriptor releases the <c>flock</c>); the file stays.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The pid written in the lock file, or null when it holds none (a holder between open and write).</summary>
    private static int? ReadPid(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[32];
        int n = RandomAccess.Read(handle, buffer, 0);
        return int.TryParse(Encoding.ASCII.GetString(buffer[..n]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(SafeFileHandle fd, long length);
}
