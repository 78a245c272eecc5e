namespace Appliance.Faults.Tests;

/// <summary>A <see cref="FaultDriver"/> process: started with <c>dotnet exec</c> on this assembly, killed with SIGKILL.</summary>
internal sealed class FaultProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private FaultProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static FaultProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(FaultDriver).Assembly.Location);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return new FaultProcess(Process.Start(psi) ?? throw new InvalidOperationException("dotnet exec did not start"));
    }

    /// <summary>A free TCP port on 127.0.0.1 (bound then released).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static FaultProcess StartCollector(string db, int port, string? curveSecret = null)
    {
        var args = new List<string> { "collector", "--db", db, "--endpoint", $"tcp://127.0.0.1:{port}" };
        if (curveSecret is not null)
        {
            args.AddRange(["--curve-secret", curveSecret]);
        }

        FaultProcess p = Start([.. args]);
        p.WaitForLine("ready", TimeSpan.FromSeconds(60));
        return p;
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    public string WaitForLine(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_lines)
            {
                string? hit = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                if (hit is not null)
                {
                    return hit;
                }
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                lock (_lines)
                {
                    string? hit = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                    if (hit is not null)
                    {
                        return hit;
                    }
                }

                throw new InvalidOperationException($"process exited with {_process.ExitCode} before printing '{prefix}'");
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"no '{prefix}' line within {timeout}");
    }

    /// <summary>True once the process has ended (a collector that crashed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL (Process.Kill on Linux sends SIGKILL): no cleanup, no flush, no checkpoint.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            KillHard();
            throw new TimeoutException($"process did not exit within {timeout}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
