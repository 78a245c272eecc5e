using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Uplink;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench fleet --devices N --rate R --duration T --db PATH|URL [--collectors K] [--device-processes P] [--json]</c> (issue 17 item 5): N
/// simulated devices (<see cref="SimulatedDevice"/>: in-process DEALERs, each with its own journal, ids
/// <c>fleet-RUN-00000</c>…, so a rerun on one database stores new rows) offer R summaries/s each for T against K in-process
/// collectors on one store (device i's first endpoint is collector i mod K, the others follow as failover endpoints), then
/// nothing until every journal is acknowledged. Prints one line (one JSON object with <c>--json</c>): <c>summaries_per_s</c>
/// (acknowledged to the devices, hence stored, per second of the load phase), ack latency p50/p99 (enqueue to acknowledged, per
/// summary, DDSketch 1 %), the collectors' CPU per 100,000 summaries (their own threads: ROUTER poller and store worker),
/// and <c>lost</c> and <c>duplicates_stored</c> counted from the store's rows against what the devices produced
/// (<see cref="SummaryAudit"/>), and the machine's 1-minute load average at start and end (figures that cannot be had print
/// -1). Exit 0 when nothing was lost or stored twice and every journal drained, else 1.
/// With <c>--device-processes P</c> (by default when the devices need more open files than one process may hold) the devices
/// run in P child processes (<see cref="FleetProcesses"/>, <see cref="BenchFleetDevicesCommand"/>) and this process holds only
/// the collectors, so <c>collector_rss_mb</c> is theirs. Either way the load phase starts when every device has had its first
/// ping answered (<c>connect_s</c>). With <c>--wire-devices</c> the devices are wire-level (<see cref="WireFleet"/>: one DEALER
/// socket each, all of a process on one poller thread, no journal): about 2 loopback ports a device instead of 20, so 10,000
/// fit the machine's ephemeral port range; they measure the collector at that many connections, not the device.
/// </summary>
internal static class BenchFleetCommand
{
    /// <summary>The collector's thread names (<c>Collector.Start</c>, <c>Collector.StoreWorker</c>).</summary>
    private static readonly HashSet<string> CollectorThreads = ["collector", "collector-store"];

    /// <summary>Open files one simulated device holds, both ends of its connection included: 10,182 measured for 500
    /// (ReconnectStormTests).</summary>
    private const int DescriptorsPerDevice = 20;

    /// <summary>Open files one wire-level device holds (<see cref="WireFleet"/>): its DEALER's signaler pair and its connection,
    /// plus the collector's end when in this process.</summary>
    private const int DescriptorsPerWireDevice = 4;

    /// <summary>Loopback ports one wire-level device holds: its signaler's listening end, and its connection (whose local port
    /// may be shared with other sockets' connections to other ports).</summary>
    private const int PortsPerWireDevice = 2;

    /// <summary>Most wire-level devices one process holds when the bench picks the processes: NetMQPoller polls every socket on
    /// each wake-up (a select over all of them), so the devices' cost grows with the square of a process's share.</summary>
    private const int WireDevicesPerProcess = 2000;

    /// <summary>Loopback ports one simulated device holds, machine-wide: NetMQ makes a TCP pair on 127.0.0.1 for the mailbox of
    /// every socket it creates (its <c>Signaler</c>), about 9 a device, plus the device's own connection: 300 devices held 6,050
    /// TCP sockets on 5,420 distinct local ports (measured with <c>ss -tan</c>, docs/fleet.md).</summary>
    private const int PortsPerDevice = 20;

    /// <summary>Most child processes of devices.</summary>
    private const int MaxDeviceProcesses = 256;

    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices", Required = true };
        var rate = new Option<double>("--rate") { Description = "Summaries per second per device", Required = true };
        var duration = new Option<string>("--duration") { Description = "Load phase, e.g. 30s or 5m", Required = true };
        var db = new Option<string>("--db") { Description = "SQLite file or postgresql:// URL", Required = true };
        var collectors = new Option<int>("--collectors") { Description = "In-process collectors on the one store", DefaultValueFactory = _ => 1 };
        var processes = new Option<int?>("--device-processes") { Description = "Child processes holding the devices (0: in this process; default: 0 when they fit in one, else the fewest that hold them)" };
        var wire = new Option<bool>("--wire-devices") { Description = "Wire-level devices: one DEALER each on a shared poller, no journal (collector-scale runs: 10,000 devices)" };
        var restart = new Option<string?>("--restart-collector-at") { Description = "Restart the first collector this far into the load phase (the reconnect storm): reconnect spread from the collector's side" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("fleet", "N simulated devices against K collectors on one store: stored and acknowledged/s, ack latency, CPU per 100k, loss and duplicates from the rows")
        {
            devices, rate, duration, db, collectors, processes, wire, restart, json,
        };
        cmd.SetAction((p, _) => Cli.Guard(() => RunAsync(Settings.Parse(p.GetValue(devices), p.GetValue(rate), p.GetValue(duration), p.GetValue(db), p.GetValue(collectors), p.GetValue(processes)).WithRestart(p.GetValue(restart)) with { Wire = p.GetValue(wire) }, p.GetValue(json))));
        return cmd;
    }

    /// <summary>The checked options.</summary>
    internal sealed record Settings(int Devices, double Rate, TimeSpan Duration, string Db, int Collectors, int? DeviceProcesses = null, string DurationText = "")
    {
        /// <summary>Wire-level devices (<see cref="WireFleet"/>) instead of full ones.</summary>
        public bool Wire { get; init; }

        /// <summary>When to restart the first collector, from the start of the load phase (<see cref="CollectorRestart"/>); null: never.</summary>
        public TimeSpan? RestartAt { get; init; }

        /// <summary>These settings with <c>--restart-collector-at</c> checked: a duration shorter than the load phase.</summary>
        /// <exception cref="ArgumentException">Not a duration, or not inside the load phase.</exception>
        public Settings WithRestart(string? text)
        {
            if (text is null)
            {
                return this;
            }

            if (!Appliance.Contracts.Config.Duration.TryParse(text, out TimeSpan at, out string error))
            {
                throw new ArgumentException($"--restart-collector-at: {error}");
            }

            return at > TimeSpan.Zero && at < Duration ? this with { RestartAt = at }
                : throw new ArgumentException($"--restart-collector-at {text}: expected a time inside the load phase (--duration {DurationText})");
        }

        /// <summary>Open files a device holds in one process.</summary>
        public int DescriptorsPerDevice => Wire ? DescriptorsPerWireDevice : BenchFleetCommand.DescriptorsPerDevice;

        /// <summary>Loopback ports a device holds machine-wide.</summary>
        public int PortsPerDevice => Wire ? PortsPerWireDevice : BenchFleetCommand.PortsPerDevice;

        /// <summary>Checks every option; a bad one is an <see cref="ArgumentException"/> naming it (exit 2).</summary>
        public static Settings Parse(int devices, double rate, string? duration, string? db, int collectors, int? deviceProcesses = null)
        {
            if (devices < 1)
            {
                throw new ArgumentException($"--devices {devices}: expected at least 1");
            }

            if (!(rate > 0) || double.IsInfinity(rate))
            {
                throw new ArgumentException($"--rate {rate.ToString(CultureInfo.InvariantCulture)}: expected summaries per second per device, > 0");
            }

            if (!Appliance.Contracts.Config.Duration.TryParse(duration, out TimeSpan span, out string error))
            {
                throw new ArgumentException($"--duration: {error}");
            }

            if (string.IsNullOrWhiteSpace(db))
            {
                throw new ArgumentException("--db: missing (expected a SQLite file or a postgresql:// URL)");
            }

            if (db.Contains("://", StringComparison.Ordinal) && !PostgresStore.IsUrl(db))
            {
                throw new ArgumentException($"--db {Appliance.Kernels.Text.QuotedText.Quote(db[..db.IndexOf("://", StringComparison.Ordinal)])}: unknown scheme (expected a SQLite file or a postgresql:// URL)");
            }

            if (collectors is < 1 or > 16)
            {
                throw new ArgumentException($"--collectors {collectors}: expected 1 to 16");
            }

            if (deviceProcesses is { } p && (p < 0 || p > Math.Min(devices, MaxDeviceProcesses)))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"--device-processes {p}: expected 0 (devices in this process) to {Math.Min(devices, MaxDeviceProcesses)} child processes (at most {MaxDeviceProcesses} and at most --devices)"));
            }

            return new Settings(devices, rate, span, db, collectors, deviceProcesses, duration!);
        }
    }

    private static async Task<int> RunAsync(Settings s, bool json)
    {
        try
        {
            return await RunFleetAsync(s, json);
        }
        catch (Exception e) when (e is FleetProcessException or TimeoutException)
        {
            Console.Error.WriteLine($"appliance: failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// The device processes to use (0: in this one): <see cref="Settings.DeviceProcesses"/> when given, else 0 when the devices
    /// fit in this process and otherwise the fewest processes they fit in.
    /// </summary>
    /// <exception cref="ArgumentException">A process would need more open files than <paramref name="fileLimit"/>.</exception>
    internal static int DeviceProcesses(Settings s, long fileLimit)
    {
        long Needs(long devices) => (devices * s.DescriptorsPerDevice) + 256;
        int perProcess = fileLimit <= 0 ? int.MaxValue : (int)Math.Max(0, (fileLimit - 256) / s.DescriptorsPerDevice);
        perProcess = s.Wire ? Math.Min(perProcess, WireDevicesPerProcess) : perProcess;
        int processes = s.DeviceProcesses ?? (s.Devices <= perProcess ? 0 : (int)Math.Min(MaxDeviceProcesses, ((long)s.Devices + perProcess - 1) / Math.Max(1, perProcess)));
        long slice = processes == 0 ? s.Devices : ((long)s.Devices + processes - 1) / processes;
        if (fileLimit > 0 && Needs(slice) > fileLimit)
        {
            // Past it NetMQ's listener fails on EMFILE with a NullReferenceException on its own thread, which ends the process.
            string what = processes == 0 ? $"--devices {s.Devices}" : $"--devices {s.Devices} --device-processes {processes}";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: needs about {Needs(slice)} open files in one process (about {s.DescriptorsPerDevice} a device), the limit is {fileLimit} (hard limit; raise it with ulimit -Hn as root)"));
        }

        if (fileLimit > 0 && processes > 0 && s.Devices + 256L > fileLimit)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--devices {s.Devices}: the collectors need about {s.Devices + 256L} open files in this process (one a connection), the limit is {fileLimit} (hard limit; raise it with ulimit -Hn as root)"));
        }

        long ports = ProcessFigures.EphemeralPorts(out int low, out int high);
        if (ports > 0 && (long)s.Devices * s.PortsPerDevice > ports)
        {
            // Past it a device's socket (re)creation fails with EADDRINUSE inside NetMQ, on the device's thread, in whichever
            // process: the ports are the machine's, so more processes do not help.
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--devices {s.Devices}: needs about {(long)s.Devices * s.PortsPerDevice} loopback ports (NetMQ's signalers, a TCP pair per socket: about {s.PortsPerDevice} a device, in any process; --wire-devices takes about {PortsPerWireDevice}), the machine's ephemeral range {low}-{high} holds {ports} (net.ipv4.ip_local_port_range): at most {ports / s.PortsPerDevice} devices"));
        }

        long held = ProcessFigures.TcpSockets();
        if (ports > 0 && ((long)s.Devices * s.PortsPerDevice) + held > ports)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"--devices {s.Devices}: needs about {(long)s.Devices * s.PortsPerDevice} loopback ports and {held} TCP sockets hold ports now (an earlier run's TIME-WAIT lasts 60 s; ss -tan), of the {ports} of the ephemeral range {low}-{high}: try again in a minute"));
        }

        return processes;
    }

    private static async Task<int> RunFleetAsync(Settings s, bool json)
    {
        long fileLimit = ProcessFigures.RaiseFileLimit();
        int processes = DeviceProcesses(s, fileLimit);

        // NetMQ's socket limit (1,024 by default) is fixed by the process's first socket: a device holds about 10 (its DEALER,
        // a pair for each of its two queues, its poller's queue and stop signal), a collector a few.
        NetMQ.NetMQConfig.MaxSockets = Math.Max(NetMQ.NetMQConfig.MaxSockets, (processes == 0 ? s.Devices * 16 : 0) + (s.Collectors * 16) + 256);
        double load0 = BenchVibrationCommand.LoadAverage();
        string root = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var stores = new List<ICollectorStore>();
        var collectors = new List<Collector>();
        var retired = new List<Collector>(); // restarted (--restart-collector-at): their counters still count
        FleetSlice? slice = null;
        FleetProcesses? children = null;
        using var sampling = new CancellationTokenSource();
        Task<long>? routesPeak = null;
        try
        {
            for (int k = 0; k < s.Collectors; k++)
            {
                stores.Add(CloudCommand.OpenStore(s.Db));
                collectors.Add(new Collector("tcp://127.0.0.1:0", stores[k]));
                collectors[k].Start();
            }

            routesPeak = RoutesPeakAsync(collectors, sampling.Token);
            double rssBefore = ProcessFigures.RssMiB();
            string[] endpoints = [.. collectors.Select(c => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{c.Port}"))];
            string run = Guid.NewGuid().ToString("N")[..8];
            var latency = new AckLatency();
            long connectStart = Stopwatch.GetTimestamp();
            if (processes == 0)
            {
                try
                {
                    slice = new FleetSlice(root, run, 0, s.Devices, endpoints, latency, s.Wire);
                }
                catch (NetMQ.NetMQException e)
                {
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"--devices {s.Devices}: NetMQ could not create a socket ({e.ErrorCode}): too many for one process (open-file limit {fileLimit}; a device holds about {s.DescriptorsPerDevice} descriptors)"), e);
                }

                await slice.ConnectAsync();
            }
            else
            {
                children = new FleetProcesses(processes, s.Devices, s.Rate, s.DurationText, endpoints, run, root, s.Wire);
                await children.WaitConnectedAsync();
            }

            double connectS = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
            Task<ReconnectSpread>? storm = s.RestartAt is { } at
                ? CollectorRestart.RunAsync(collectors, stores[0], retired, at, (s.Devices + s.Collectors - 1) / s.Collectors)
                : null;
            double cpu0 = ProcessFigures.ThreadCpuSeconds(CollectorThreads);
            TimeSpan process0 = Process.GetCurrentProcess().TotalProcessorTime;
            SliceResult[] results;
            double rssLoaded;
            if (slice is not null)
            {
                results = [await slice.RunAsync(s.Rate, s.Duration)];
                rssLoaded = results[0].RssMiB;
                results[0] = results[0] with { CpuS = 0 }; // this process's, counted below
            }
            else
            {
                children!.Go();
                Task<SliceResult[]> pending = children.ResultsAsync(s.Duration + s.Duration + TimeSpan.FromSeconds(60), latency);
                await Task.WhenAny(pending, Task.Delay(s.Duration));
                rssLoaded = ProcessFigures.RssMiB(); // the collectors' alone, at the end of the load phase
                results = await pending;
            }

            double collectorCpu = ProcessFigures.ThreadCpuSeconds(CollectorThreads) - cpu0;
            double parentCpu = (Process.GetCurrentProcess().TotalProcessorTime - process0).TotalSeconds;
            double processCpu = parentCpu + results.Sum(r => r.CpuS);
            await sampling.CancelAsync();

            UplinkCounters u = results.Aggregate(default(UplinkCounters), (t, r) => SimulatedFleet.Sum(t, r.Counters));
            var produced = new Dictionary<string, long>(StringComparer.Ordinal);
            for (int i = 0, index = 0; i < results.Length; i++)
            {
                foreach (long n in results[i].Produced)
                {
                    produced[FleetSlice.DeviceId(run, index++)] = n;
                }
            }

            long producedTotal = produced.Values.Sum();
            SummaryAuditResult audit = SummaryAudit.Count(stores[0], produced, SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);
            ReconnectSpread spread = storm is null ? new ReconnectSpread(null, null, null) : await storm;
            long stored = collectors.Concat(retired).Sum(c => c.Counters.Stored);
            double per100k = stored == 0 ? 0 : 100_000.0 / stored;
            bool drained = results.All(r => r.Drained);
            var figures = new (string Name, double Value)[]
            {
                ("devices", s.Devices), ("collectors", s.Collectors), ("device_processes", processes), ("wire_devices", s.Wire ? 1 : 0), ("offered_per_s", s.Devices * s.Rate),
                ("connect_s", Math.Round(connectS, 1)), ("routes_peak", await routesPeak),
                ("load_s", Math.Round(results.Max(r => r.LoadS), 1)),
                ("summaries_per_s", Math.Round(results.Sum(r => r.AcknowledgedInLoad / r.LoadS), 1)),
                ("ack_latency_p50_ms", Math.Round(latency.QuantileMs(0.5), 3)), ("ack_latency_p99_ms", Math.Round(latency.QuantileMs(0.99), 3)),
                ("collector_cpu_s_per_100k", Math.Round(collectorCpu * per100k, 3)), ("process_cpu_s_per_100k", Math.Round(processCpu * per100k, 3)),
                ("collector_process_cpu_s_per_100k", processes == 0 ? -1 : Math.Round(parentCpu * per100k, 3)), // NetMQ's I/O thread included
                ("collector_rss_mb", Math.Round(rssLoaded, 1)), ("rss_before_devices_mb", Math.Round(rssBefore, 1)),
                ("device_processes_rss_mb", processes == 0 ? -1 : Math.Round(results.Sum(r => r.RssMiB), 1)),
                ("produced", producedTotal), ("acknowledged", u.Acknowledged), ("rows", audit.Rows),
                ("lost", audit.Lost), ("duplicates_stored", audit.DuplicatesStored), ("duplicates_rejected", collectors.Concat(retired).Sum(c => c.Counters.Duplicates)),
                ("retransmits", u.Retransmits), ("dead_peers", u.DeadPeers), ("outbox_full", results.Sum(r => r.OutboxFull)),
                ("drain_s", Math.Round(results.Max(r => r.DrainS), 1)), ("drained", drained ? 1 : 0), ("fd_limit", fileLimit),
                ("restart_at_s", s.RestartAt?.TotalSeconds ?? -1), ("reconnect_s_half", Math.Round(spread.HalfS ?? -1, 3)),
                ("reconnect_s_p99", Math.Round(spread.P99S ?? -1, 3)), ("reconnect_s_all", Math.Round(spread.AllS ?? -1, 3)),
                ("load_average_1min_start", load0), ("load_average_1min_end", BenchVibrationCommand.LoadAverage()),
            };
            figures = [.. figures.Select(f => (f.Name, double.IsFinite(f.Value) ? f.Value : -1))]; // no acknowledgement, no /proc: -1
            BenchOverloadCommand.Print(figures, json);
            return audit.Lost == 0 && audit.DuplicatesStored == 0 && drained ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            await sampling.CancelAsync();
            children?.Dispose();
            slice?.Dispose();
            collectors.ForEach(c => c.Dispose());
            retired.ForEach(c => c.Dispose());
            stores.ForEach(s => s.Dispose());
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The most device routes the collectors held at once (<see cref="CollectorCounters.Routes"/>, summed over the
    /// collectors, sampled every 100 ms until cancelled): how many devices they could reach at the same moment.</summary>
    private static async Task<long> RoutesPeakAsync(List<Collector> collectors, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, SumRoutes(collectors));
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Math.Max(peak, SumRoutes(collectors));
    }

    /// <summary>Routes held by the collectors now; indexes the list, which <see cref="CollectorRestart"/> may change meanwhile.</summary>
    private static long SumRoutes(List<Collector> collectors)
    {
        long sum = 0;
        for (int i = 0; i < collectors.Count; i++)
        {
            sum += collectors[i].Counters.Routes;
        }

        return sum;
    }
}
