using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench fleet --devices N --rate R --duration T --db PATH|URL [--collectors K] [--json]</c> (issue 17 item 5): N
/// simulated devices (<see cref="SimulatedDevice"/>: in-process DEALERs, each with its own journal, ids
/// <c>fleet-RUN-00000</c>…, so a rerun on one database stores new rows) offer R summaries/s each for T against K in-process
/// collectors on one store (device i's first endpoint is collector i mod K, the others follow as failover endpoints), then
/// nothing until every journal is acknowledged. Prints one line (one JSON object with <c>--json</c>): <c>summaries_per_s</c>
/// (acknowledged to the devices, hence stored, per second of the load phase), ack latency p50/p99 (enqueue to acknowledged, per
/// summary, DDSketch 1 %), the collectors' CPU per 100,000 summaries (their own threads: ROUTER poller and store worker),
/// and <c>lost</c> and <c>duplicates_stored</c> counted from the store's rows against what the devices produced
/// (<see cref="SummaryAudit"/>), and the machine's 1-minute load average at start and end (figures that cannot be had print
/// -1). Exit 0 when nothing was lost or stored twice and every journal drained, else 1.
/// </summary>
internal static class BenchFleetCommand
{
    /// <summary>The collector's thread names (<c>Collector.Start</c>, <c>Collector.StoreWorker</c>).</summary>
    private static readonly HashSet<string> CollectorThreads = ["collector", "collector-store"];

    /// <summary>Open files one simulated device holds, both ends of its connection included: 10,182 measured for 500
    /// (ReconnectStormTests).</summary>
    private const int DescriptorsPerDevice = 20;

    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Simulated devices", Required = true };
        var rate = new Option<double>("--rate") { Description = "Summaries per second per device", Required = true };
        var duration = new Option<string>("--duration") { Description = "Load phase, e.g. 30s or 5m", Required = true };
        var db = new Option<string>("--db") { Description = "SQLite file or postgresql:// URL", Required = true };
        var collectors = new Option<int>("--collectors") { Description = "In-process collectors on the one store", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("fleet", "N simulated devices against K collectors on one store: stored and acknowledged/s, ack latency, CPU per 100k, loss and duplicates from the rows")
        {
            devices, rate, duration, db, collectors, json,
        };
        cmd.SetAction((p, _) => Cli.Guard(() => RunAsync(Settings.Parse(p.GetValue(devices), p.GetValue(rate), p.GetValue(duration), p.GetValue(db), p.GetValue(collectors)), p.GetValue(json))));
        return cmd;
    }

    /// <summary>The checked options.</summary>
    internal sealed record Settings(int Devices, double Rate, TimeSpan Duration, string Db, int Collectors)
    {
        /// <summary>Checks every option; a bad one is an <see cref="ArgumentException"/> naming it (exit 2).</summary>
        public static Settings Parse(int devices, double rate, string? duration, string? db, int collectors)
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

            return new Settings(devices, rate, span, db, collectors);
        }
    }

    private static async Task<int> RunAsync(Settings s, bool json)
    {
        long fileLimit = ProcessFigures.RaiseFileLimit();
        if (fileLimit > 0 && ((long)s.Devices * DescriptorsPerDevice) + 256 > fileLimit)
        {
            // Past it NetMQ's listener fails on EMFILE with a NullReferenceException on its own thread, which ends the process.
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--devices {s.Devices}: needs about {((long)s.Devices * DescriptorsPerDevice) + 256} open files in one process (about {DescriptorsPerDevice} a device), the limit is {fileLimit} (hard limit; raise it with ulimit -Hn as root)"));
        }

        // NetMQ's socket limit (1,024 by default) is fixed by the process's first socket: a device holds about 10 (its DEALER,
        // a pair for each of its two queues, its poller's queue and stop signal), a collector a few.
        NetMQ.NetMQConfig.MaxSockets = Math.Max(NetMQ.NetMQConfig.MaxSockets, (s.Devices * 16) + (s.Collectors * 16) + 256);
        double load0 = BenchVibrationCommand.LoadAverage();
        string root = Path.Combine(Path.GetTempPath(), "appliance-bench-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var stores = new List<ICollectorStore>();
        var collectors = new List<Collector>();
        SimulatedFleet? fleet = null;
        try
        {
            for (int k = 0; k < s.Collectors; k++)
            {
                stores.Add(CloudCommand.OpenStore(s.Db));
                collectors.Add(new Collector("tcp://127.0.0.1:0", stores[k]));
                collectors[k].Start();
            }

            double rssBefore = ProcessFigures.RssMiB();
            string[] endpoints = [.. collectors.Select(c => string.Create(CultureInfo.InvariantCulture, $"tcp://127.0.0.1:{c.Port}"))];
            string run = Guid.NewGuid().ToString("N")[..8];
            var latency = new AckLatency();
            try
            {
                fleet = new SimulatedFleet(Enumerable.Range(0, s.Devices).Select(i => Device(root, run, i, endpoints, latency)));
            }
            catch (NetMQ.NetMQException e)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture,
                    $"--devices {s.Devices}: NetMQ could not create a socket ({e.ErrorCode}): too many for one process (open-file limit {fileLimit}; a device holds about 20 descriptors)"), e);
            }

            fleet.Start();

            double cpu0 = ProcessFigures.ThreadCpuSeconds(CollectorThreads);
            TimeSpan process0 = Process.GetCurrentProcess().TotalProcessorTime;
            long acknowledged0 = fleet.Counters.Acknowledged;
            long start = Stopwatch.GetTimestamp();
            fleet.Rate = s.Devices * s.Rate;
            await Task.Delay(s.Duration);
            fleet.Rate = 0;
            double loadS = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long acknowledged = fleet.Counters.Acknowledged - acknowledged0;
            double rssLoaded = ProcessFigures.RssMiB();

            long drainStart = Stopwatch.GetTimestamp();
            bool drained = await fleet.WaitDrainedAsync(TimeSpan.FromSeconds(60) + s.Duration);
            double drainS = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
            double collectorCpu = ProcessFigures.ThreadCpuSeconds(CollectorThreads) - cpu0;
            double processCpu = (Process.GetCurrentProcess().TotalProcessorTime - process0).TotalSeconds;

            UplinkCounters u = fleet.Counters;
            var produced = fleet.Devices.ToDictionary(d => d.DeviceId, d => d.Produced, StringComparer.Ordinal);
            long producedTotal = produced.Values.Sum();
            SummaryAuditResult audit = SummaryAudit.Count(stores[0], produced, SimulatedDevice.FirstWindowNs, SimulatedDevice.WindowNs);
            long stored = collectors.Sum(c => c.Counters.Stored);
            double per100k = stored == 0 ? 0 : 100_000.0 / stored;
            var figures = new (string Name, double Value)[]
            {
                ("devices", s.Devices), ("collectors", s.Collectors), ("offered_per_s", s.Devices * s.Rate), ("load_s", Math.Round(loadS, 1)),
                ("summaries_per_s", Math.Round(acknowledged / loadS, 1)),
                ("ack_latency_p50_ms", Math.Round(latency.QuantileMs(0.5), 3)), ("ack_latency_p99_ms", Math.Round(latency.QuantileMs(0.99), 3)),
                ("collector_cpu_s_per_100k", Math.Round(collectorCpu * per100k, 3)), ("process_cpu_s_per_100k", Math.Round(processCpu * per100k, 3)),
                ("collector_rss_mb", Math.Round(rssLoaded, 1)), ("rss_before_devices_mb", Math.Round(rssBefore, 1)),
                ("produced", producedTotal), ("acknowledged", u.Acknowledged), ("rows", audit.Rows),
                ("lost", audit.Lost), ("duplicates_stored", audit.DuplicatesStored), ("duplicates_rejected", collectors.Sum(c => c.Counters.Duplicates)),
                ("retransmits", u.Retransmits), ("dead_peers", u.DeadPeers), ("outbox_full", fleet.OutboxFull),
                ("drain_s", Math.Round(drainS, 1)), ("drained", drained ? 1 : 0), ("fd_limit", fileLimit),
                ("load_average_1min_start", load0), ("load_average_1min_end", BenchVibrationCommand.LoadAverage()),
            };
            figures = [.. figures.Select(f => (f.Name, double.IsFinite(f.Value) ? f.Value : -1))]; // no acknowledgement, no /proc: -1
            BenchOverloadCommand.Print(figures, json);
            return audit.Lost == 0 && audit.DuplicatesStored == 0 && drained ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            fleet?.Dispose();
            collectors.ForEach(c => c.Dispose());
            stores.ForEach(s => s.Dispose());
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Device <paramref name="i"/>: its own journal (fsync every 50 ms, group commit), collector i mod K first and the
    /// others after it as failover endpoints (<see cref="UplinkOptions.FailoverEndpoints"/>).</summary>
    private static SimulatedDevice Device(string root, string run, int i, string[] endpoints, AckLatency latency)
    {
        string id = string.Create(CultureInfo.InvariantCulture, $"fleet-{run}-{i:D5}");
        var journal = new JournalOutbox(new JournalOptions { Directory = Path.Combine(root, id), Fsync = JournalFsync.Interval });
        string[] order = [.. endpoints[(i % endpoints.Length)..], .. endpoints[..(i % endpoints.Length)]];
        var options = new UplinkOptions { Endpoint = order[0], FailoverEndpoints = order[1..], DeviceId = id };
        return new SimulatedDevice(options, journal, latency);
    }
}
