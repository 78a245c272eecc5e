using System.Diagnostics;
using System.Globalization;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;

namespace Appliance.Commands;

/// <summary>
/// What one slice of the fleet did in the load phase and the drain after it (<see cref="FleetSlice.RunAsync"/>); a child
/// process of <c>appliance bench fleet --device-processes</c> sends it to the parent as one JSON line
/// (<see cref="BenchFleetDevicesCommand"/>).
/// </summary>
/// <param name="AcknowledgedInLoad">Summaries acknowledged during the load phase.</param>
/// <param name="LoadS">Length of the load phase, s (the slice's own clock).</param>
/// <param name="Drained">True when every journal was acknowledged within the drain timeout.</param>
/// <param name="DrainS">Seconds from the end of the load phase to drained (or to the timeout).</param>
/// <param name="Counters">The slice's devices' uplink counters, summed.</param>
/// <param name="OutboxFull">Summaries refused by full outboxes.</param>
/// <param name="Produced">Summaries enqueued per device, in device index order from the slice's first.</param>
/// <param name="CpuS">CPU seconds of the slice's process over load and drain (counted only for child processes).</param>
/// <param name="RssMiB">Resident set of the slice's process at the end of the load phase, MiB.</param>
internal sealed record SliceResult(long AcknowledgedInLoad, double LoadS, bool Drained, double DrainS, UplinkCounters Counters,
    long OutboxFull, long[] Produced, double CpuS, double RssMiB);

/// <summary>
/// A contiguous slice of the simulated fleet of <c>appliance bench fleet</c>: devices <c>first</c> to <c>first + count - 1</c>,
/// ids <c>fleet-RUN-00000</c>… (5 digits or more), each with its own journal under the run's root (fsync every 50 ms, group
/// commit), collector i mod K first and the others after it as failover endpoints. The whole fleet in-process, or one child
/// process's share of it.
/// </summary>
internal sealed class FleetSlice : IDisposable
{
    /// <summary>Creates the slice's devices (journals opened, nothing connected).</summary>
    /// <param name="root">The run's directory; each device's journal is a directory in it named by its id.</param>
    /// <param name="run">The run's id (8 hex digits).</param>
    /// <param name="first">Index of the slice's first device in the fleet.</param>
    /// <param name="count">Devices in the slice, at least 1.</param>
    /// <param name="endpoints">The collectors' endpoints.</param>
    /// <param name="latency">Where every device records its acknowledgement latencies.</param>
    /// <param name="wire">Wire-level devices (<see cref="WireFleet"/>: one DEALER each, no journal, device i on collector i mod K
    /// only) instead of full ones.</param>
    public FleetSlice(string root, string run, int first, int count, string[] endpoints, AckLatency latency, bool wire = false)
    {
        First = first;
        Fleet = wire
            ? new WireFleet([.. Enumerable.Range(first, count).Select(i => DeviceId(run, i))], j => endpoints[(first + j) % endpoints.Length], latency)
            : new SimulatedFleet(Enumerable.Range(first, count).Select(i => Device(root, run, i, endpoints, latency)));
    }

    /// <summary>Index of the slice's first device in the fleet.</summary>
    public int First { get; }

    /// <summary>The slice's devices.</summary>
    public ISimulatedFleet Fleet { get; }

    /// <summary>The id of device <paramref name="i"/> of run <paramref name="run"/>.</summary>
    public static string DeviceId(string run, int i) => string.Create(CultureInfo.InvariantCulture, $"fleet-{run}-{i:D5}");

    /// <summary>How long a slice of <paramref name="count"/> devices may take to connect: 120 s and 50 ms a device (on this
    /// 2-core machine 10,000 devices in 11 processes took the figure docs/fleet.md gives).</summary>
    public static TimeSpan ConnectTimeout(int count) => TimeSpan.FromSeconds(120) + (count * TimeSpan.FromMilliseconds(50));

    /// <summary>Starts every device and waits until each has its first ping answered.</summary>
    /// <exception cref="TimeoutException">Not all were connected within <see cref="ConnectTimeout"/>.</exception>
    public async Task ConnectAsync()
    {
        Fleet.Start();
        TimeSpan timeout = ConnectTimeout(Fleet.Count);
        if (!await Fleet.WaitConnectedAsync(timeout))
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"{Fleet.Connected} of {Fleet.Count} simulated devices (from {First}) connected within {timeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>Offers <paramref name="rate"/> summaries/s per device for <paramref name="duration"/>, then nothing until every
    /// journal is acknowledged (at most <paramref name="duration"/> + 60 s).</summary>
    /// <param name="rate">Summaries per second per device.</param>
    /// <param name="duration">The load phase.</param>
    /// <returns>The slice's figures.</returns>
    public async Task<SliceResult> RunAsync(double rate, TimeSpan duration)
    {
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long acknowledged0 = Fleet.Counters.Acknowledged;
        long start = Stopwatch.GetTimestamp();
        Fleet.Rate = Fleet.Count * rate;
        await Task.Delay(duration);
        Fleet.Rate = 0;
        double loadS = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long acknowledged = Fleet.Counters.Acknowledged - acknowledged0;
        double rss = ProcessFigures.RssMiB();
        long drainStart = Stopwatch.GetTimestamp();
        bool drained = await Fleet.WaitDrainedAsync(TimeSpan.FromSeconds(60) + duration);
        double drainS = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return new SliceResult(acknowledged, loadS, drained, drainS, Fleet.Counters, Fleet.OutboxFull,
            Fleet.ProducedPerDevice, cpu, rss);
    }

    /// <summary>Stops and disposes every device.</summary>
    public void Dispose() => Fleet.Dispose();

    /// <summary>Device <paramref name="i"/>: its own journal, collector i mod K first, the others as failover endpoints
    /// (<see cref="UplinkOptions.FailoverEndpoints"/>).</summary>
    private static SimulatedDevice Device(string root, string run, int i, string[] endpoints, AckLatency latency)
    {
        string id = DeviceId(run, i);
        var journal = new JournalOutbox(new JournalOptions { Directory = Path.Combine(root, id), Fsync = JournalFsync.Interval });
        string[] order = [.. endpoints[(i % endpoints.Length)..], .. endpoints[..(i % endpoints.Length)]];
        var options = new UplinkOptions { Endpoint = order[0], FailoverEndpoints = order[1..], DeviceId = id };
        return new SimulatedDevice(options, journal, latency);
    }
}
