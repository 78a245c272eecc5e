using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Appliance.Drivers.Video;

/// <summary>
/// A child <c>ffmpeg</c>/<c>ffprobe</c> process with standard output as a pipe and standard error kept (its last 4 KiB)
/// for the error message; the one way the video code starts FFmpeg.
/// </summary>
internal sealed class FfmpegProcess : IDisposable
{
    private const int StderrKeep = 4096;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _name;

    private FfmpegProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>Standard output of the child.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/> (no shell, no standard input).</summary>
    /// <exception cref="IOException">The executable is not installed (the message says how to install it).</exception>
    public static FfmpegProcess Start(string executable, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = info };
        var child = new FfmpegProcess(process, Path.GetFileName(executable));
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new IOException($"{executable}: cannot run it ({e.Message}); install FFmpeg (Debian: apt-get install ffmpeg)", e);
        }

        process.StandardInput.Close();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs the child to its end and returns its standard output as text.</summary>
    /// <exception cref="IOException">It exited with a non-zero status (its standard error quoted).</exception>
    public static string RunToText(string executable, IEnumerable<string> arguments, string what)
    {
        using var child = Start(executable, arguments);
        string text = child._process.StandardOutput.ReadToEnd();
        child.WaitAndCheck(what);
        return text;
    }

    /// <summary>Waits for the child to exit.</summary>
    /// <param name="what">What it was doing, for the message (for example the source's path).</param>
    /// <exception cref="IOException">It exited with a non-zero status: the message names <paramref name="what"/> and quotes its standard error.</exception>
    public void WaitAndCheck(string what)
    {
        _process.WaitForExit(); // also drains the asynchronous standard error reader
        if (_process.ExitCode != 0)
        {
            throw new IOException($"{what}: {_name} exited with status {_process.ExitCode}: {LastError()}");
        }
    }

    /// <summary>The child's standard error so far (at most its last 4 KiB), on one line.</summary>
    public string LastError()
    {
        lock (_stderr)
        {
            var text = _stderr.ToString().Trim().ReplaceLineEndings("; ");
            return text.Length == 0 ? "(no message)" : text;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
            if (_stderr.Length > StderrKeep)
            {
                _stderr.Remove(0, _stderr.Length - StderrKeep);
            }
        }
    }

    /// <summary>Stops the child if it still runs (a reader that stopped early) and releases it.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing to stop.
        }

        _process.Dispose();
    }
}
