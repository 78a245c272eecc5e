using System.Globalization;
using System.Runtime;
using System.Text.Json;

namespace Appliance.Commands;

/// <summary>
/// What the garbage collector did during a bench run, for telling stop-the-world pauses apart from the host's scheduling:
/// collections per generation (<see cref="GC.CollectionCount"/>; a gen-1 or gen-2 collection counts in the lower generations too),
/// the summed pause time (<see cref="GC.GetTotalPauseDuration"/>, every thread stopped), the bytes allocated by the whole process
/// (<see cref="GC.GetTotalAllocatedBytes"/>) and by the thread that started and stopped the figures (the sampling thread in
/// <c>bench vibration</c>, <see cref="GC.GetAllocatedBytesForCurrentThread"/>), and the collector's mode.
/// </summary>
internal sealed class GcFigures
{
    private readonly int[] _counts = new int[3];
    private TimeSpan _pause;
    private long _allocated;
    private long _threadAllocated;

    private GcFigures()
    {
    }

    /// <summary>Starts the figures on the calling thread.</summary>
    public static GcFigures Start()
    {
        var f = new GcFigures();
        for (int g = 0; g < 3; g++)
        {
            f._counts[g] = -GC.CollectionCount(g);
        }

        f._pause = -GC.GetTotalPauseDuration();
        f._allocated = -GC.GetTotalAllocatedBytes(false);
        f._threadAllocated = -GC.GetAllocatedBytesForCurrentThread();
        return f;
    }

    /// <summary>Starts the calling thread's allocation count again from now (after a warm-up); call on the thread that calls
    /// <see cref="Stop"/>.</summary>
    public void StartThreadCount() => _threadAllocated = -GC.GetAllocatedBytesForCurrentThread();

    /// <summary>Stops the figures; call on the thread that called <see cref="Start"/> (and <see cref="StartThreadCount"/>).</summary>
    public void Stop()
    {
        _threadAllocated += GC.GetAllocatedBytesForCurrentThread();
        _allocated += GC.GetTotalAllocatedBytes(false);
        _pause += GC.GetTotalPauseDuration();
        for (int g = 0; g < 3; g++)
        {
            _counts[g] += GC.CollectionCount(g);
        }
    }

    /// <summary>Writes <c>gc_count</c> (all collections), <c>gc_gen1_count</c>, <c>gc_gen2_count</c>, <c>gc_pause_total_ms</c>,
    /// <c>allocated_bytes</c>, <c>sampling_thread_allocated_bytes</c>, <c>gc_server</c>, <c>gc_latency_mode</c> and
    /// <c>gc_gen0size</c> (the DOTNET_GCgen0size setting, or null).</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteNumber("gc_count", _counts[0]);
        w.WriteNumber("gc_gen1_count", _counts[1]);
        w.WriteNumber("gc_gen2_count", _counts[2]);
        w.WriteNumber("gc_pause_total_ms", Math.Round(_pause.TotalMilliseconds, 3));
        w.WriteNumber("allocated_bytes", _allocated);
        w.WriteNumber("sampling_thread_allocated_bytes", _threadAllocated);
        w.WriteBoolean("gc_server", GCSettings.IsServerGC);
        w.WriteString("gc_latency_mode", GCSettings.LatencyMode.ToString());
        w.WriteString("gc_gen0size", Environment.GetEnvironmentVariable("DOTNET_GCgen0size"));
    }

    /// <summary>One line for the text output.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"GC: {_counts[0]} collections ({_counts[1]} gen 1, {_counts[2]} gen 2), {_pause.TotalMilliseconds:F3} ms paused in all; {_allocated} bytes allocated, {_threadAllocated} by the sampling thread ({(GCSettings.IsServerGC ? "server" : "workstation")} GC, {GCSettings.LatencyMode})");
}
