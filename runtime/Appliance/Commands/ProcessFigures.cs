using System.Globalization;
using System.Runtime.InteropServices;

namespace Appliance.Commands;

/// <summary>
/// Figures of this process for the fleet bench (Linux): the open-file limit raised to its hard limit, the CPU time of named
/// threads (from <c>/proc/self/task/*/stat</c>), and the resident set.
/// </summary>
internal static class ProcessFigures
{
    /// <summary>RLIMIT_NOFILE in Linux's uapi/asm-generic/resource.h (x86-64 and arm64 alike).</summary>
    private const int NoFile = 7;

    /// <summary>USER_HZ: the unit of utime and stime in <c>/proc/PID/task/TID/stat</c> (proc(5)); 100 on every Linux ABI the
    /// appliance is built for.</summary>
    private const double UserHz = 100;

    /// <summary>Raises the soft open-file limit to the hard one (each simulated device holds about 20 descriptors: NetMQ
    /// sockets, signalers, journal segments).</summary>
    /// <returns>The soft limit now, or -1 where it cannot be read (not Linux).</returns>
    public static long RaiseFileLimit()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(NoFile, out RLimit limit) != 0)
        {
            return -1;
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (SetRLimit(NoFile, ref raised) == 0)
            {
                return (long)Math.Min(raised.Current, long.MaxValue);
            }
        }

        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    /// <summary>CPU seconds (user + system) of this process's threads whose name (<c>comm</c>, at most 15 characters) is one
    /// of <paramref name="names"/>; threads that ended are not counted. 0 where /proc cannot be read.</summary>
    /// <param name="names">Thread names, as given to <see cref="Thread.Name"/> (Linux keeps the first 15 characters).</param>
    /// <returns>Seconds.</returns>
    public static double ThreadCpuSeconds(IReadOnlySet<string> names)
    {
        double ticks = 0;
        try
        {
            foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    // stat: "tid (comm) state ..." with utime and stime the 14th and 15th fields; comm may hold spaces and ')'.
                    string stat = File.ReadAllText(Path.Combine(task, "stat"));
                    int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || !names.Contains(stat[(open + 1)..close]))
                    {
                        continue;
                    }

                    string[] fields = stat[(close + 2)..].Split(' ');
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return ticks / UserHz;
    }

    /// <summary>The local port range the kernel draws ephemeral ports from (<c>/proc/sys/net/ipv4/ip_local_port_range</c>, two
    /// numbers, ip-sysctl.rst), one for the whole network namespace: every process on the machine shares it.</summary>
    /// <param name="low">First port of the range.</param>
    /// <param name="high">Last port of the range.</param>
    /// <returns>Ports in the range, or -1 where it cannot be read (not Linux).</returns>
    public static long EphemeralPorts(out int low, out int high)
    {
        low = high = -1;
        try
        {
            string[] f = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out low)
                && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out high) && high >= low)
            {
                return high - low + 1L;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not Linux, or /proc not mounted
        }

        return -1;
    }

    /// <summary>IPv4 TCP sockets of the network namespace in any state, TIME-WAIT included (the lines of <c>/proc/net/tcp</c> after
    /// its header, proc(5)): each holds a local port, so an earlier run's connections keep ports from a new one for the
    /// TIME-WAIT period (60 s).</summary>
    /// <returns>The count, or 0 where it cannot be read.</returns>
    public static long TcpSockets()
    {
        try
        {
            return Math.Max(0, File.ReadLines("/proc/net/tcp").LongCount() - 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // not Linux, or /proc not mounted
        }
    }

    /// <summary>This process's resident set, MiB.</summary>
    public static double RssMiB() => Environment.WorkingSet / (1024.0 * 1024.0);

    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit")]
    private static extern int SetRLimit(int resource, ref RLimit limit);

    /// <summary>struct rlimit on 64-bit Linux: two rlim_t (unsigned 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
