using System.Diagnostics;
using System.Globalization;
using Appliance.Device.Uplink;

namespace Appliance.Commands;

/// <summary>A child process of the fleet bench died, printed garbage or did not answer in time (one line, exit 1).</summary>
internal sealed class FleetProcessException(string message) : Exception(message);

/// <summary>
/// The child processes of <c>appliance bench fleet --device-processes P</c>: P processes of this executable
/// (<see cref="Environment.ProcessPath"/>, <c>bench fleet-devices</c>), each holding a contiguous slice of the device indices,
/// driven over their standard input and output (<see cref="BenchFleetDevicesCommand"/>). Disposing kills any still running
/// (and a child whose standard input ends, the parent having died, ends itself).
/// </summary>
internal sealed class FleetProcesses : IDisposable
{
    private readonly List<Child> _children = [];

    private sealed class Child(Process process, int first, int count)
    {
        public volatile string? LastError;

        public volatile string? Unhandled;

        public Process Process { get; } = process;

        public int First { get; } = first;

        public int Count { get; } = count;

        public string Name => string.Create(CultureInfo.InvariantCulture, $"device process {Process.Id} (devices {First} to {First + Count - 1})");
    }

    /// <summary>Starts <paramref name="processes"/> children over <paramref name="devices"/> devices (slices differ by at most one).</summary>
    public FleetProcesses(int processes, int devices, double rate, string duration, string[] endpoints, string run, string root, bool wire = false)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        string exe = Environment.ProcessPath ?? throw new FleetProcessException("bench fleet: the path of this executable is unknown");
        for (int p = 0, first = 0; p < processes; p++)
        {
            int count = (devices / processes) + (p < devices % processes ? 1 : 0);
            var info = new ProcessStartInfo(exe)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
            {
                info.ArgumentList.Add(Environment.GetCommandLineArgs()[0]); // run by `dotnet appliance.dll`: the same dll
            }

            foreach (string a in (string[])["bench", "fleet-devices", "--endpoints", string.Join(',', endpoints), "--run", run,
                "--first", first.ToString(CultureInfo.InvariantCulture), "--count", count.ToString(CultureInfo.InvariantCulture),
                "--rate", rate.ToString("R", CultureInfo.InvariantCulture), "--duration", duration, "--root", root])
            {
                info.ArgumentList.Add(a);
            }

            if (wire)
            {
                info.ArgumentList.Add("--wire");
            }

            var child = new Child(Process.Start(info) ?? throw new FleetProcessException($"bench fleet: could not start {exe}"), first, count);
            child.Process.ErrorDataReceived += (_, e) =>
            {
                if (!string.IsNullOrWhiteSpace(e.Data))
                {
                    child.LastError = e.Data;
                    if (e.Data.StartsWith("Unhandled exception.", StringComparison.Ordinal))
                    {
                        child.Unhandled ??= e.Data; // the runtime's line naming the exception; its stack follows
                    }
                }
            };
            child.Process.BeginErrorReadLine();
            _children.Add(child);
            first += count;
        }
    }

    /// <summary>Waits for every child's <c>connected</c> line.</summary>
    /// <exception cref="FleetProcessException">A child ended, printed something else, or did not connect within its
    /// slice's <see cref="FleetSlice.ConnectTimeout"/> (plus 30 s to start).</exception>
    public async Task WaitConnectedAsync()
    {
        TimeSpan timeout = FleetSlice.ConnectTimeout(_children.Max(c => c.Count)) + TimeSpan.FromSeconds(30);
        await Task.WhenAll(_children.Select(async c =>
        {
            string line = await ReadLineAsync(c, timeout, "'connected'");
            if (!line.StartsWith("{\"connected\":", StringComparison.Ordinal))
            {
                throw Garbage(c, line, "'connected'");
            }
        }));
    }

    /// <summary>Tells every child to start the load phase (one write each, back to back).</summary>
    public void Go()
    {
        foreach (Child c in _children)
        {
            c.Process.StandardInput.WriteLine(BenchFleetDevicesCommand.Go);
            c.Process.StandardInput.Flush();
        }
    }

    /// <summary>Waits for every child's result line, merging the latency states into <paramref name="latency"/>.</summary>
    /// <param name="loadAndDrain">The load phase plus the drain timeout; 60 s more are allowed.</param>
    /// <param name="latency">The fleet's latency sketch.</param>
    /// <returns>The slices' results, in device order.</returns>
    /// <exception cref="FleetProcessException">A child ended, printed garbage, or did not answer in time.</exception>
    public async Task<SliceResult[]> ResultsAsync(TimeSpan loadAndDrain, AckLatency latency)
    {
        TimeSpan timeout = loadAndDrain + TimeSpan.FromSeconds(60);
        string[] lines = await Task.WhenAll(_children.Select(c => ReadLineAsync(c, timeout, "its result")));
        var results = new SliceResult[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            try
            {
                results[i] = BenchFleetDevicesCommand.ReadResult(lines[i], _children[i].Count, latency);
            }
            catch (FormatException e)
            {
                throw Garbage(_children[i], lines[i], $"its result ({e.Message})");
            }
        }

        return results;
    }

    /// <summary>Kills every child still running.</summary>
    public void Dispose()
    {
        foreach (Child c in _children)
        {
            try
            {
                if (!c.Process.HasExited)
                {
                    c.Process.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // it ended meanwhile
            }
        }
    }

    private static async Task<string> ReadLineAsync(Child c, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await c.Process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new FleetProcessException(string.Create(CultureInfo.InvariantCulture,
                $"bench fleet: {c.Name} sent no {what} within {timeout.TotalSeconds:0} s"));
        }

        if (line is null)
        {
            await Task.WhenAny(c.Process.WaitForExitAsync(CancellationToken.None), Task.Delay(TimeSpan.FromSeconds(5))); // for its exit code and last error line
            throw new FleetProcessException(string.Create(CultureInfo.InvariantCulture,
                $"bench fleet: {c.Name} ended (exit {(c.Process.HasExited ? c.Process.ExitCode : -1)}) before {what}: {c.Unhandled ?? c.LastError ?? "no message"}"));
        }

        return line;
    }

    private static FleetProcessException Garbage(Child c, string line, string what) =>
        new($"bench fleet: {c.Name} printed {Appliance.Kernels.Text.QuotedText.Quote(line.Length > 80 ? line[..80] : line)} where {what} was expected");
}
