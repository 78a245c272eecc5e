using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench overload [--minutes M] [--capacity C] [--factor F] [--devices N] [--normal R] [--json]</c>: congestion
/// collapse or not (issue 17 item 0). N simulated devices (<see cref="SimulatedFleet"/>, each with its own journal) offer F times
/// the collector's capacity for M minutes, then R times it (normal load) until the backlog is stored, then nothing until every
/// journal is acknowledged. The collector's store is SQLite (synchronous=NORMAL) behind a <see cref="ThrottledStore"/> of C
/// messages/s, so the capacity is known exactly. Prints <c>stored_per_s_overload</c> (collector counter over the overload phase)
/// and its ratio to the capacity (goal ≥ 0.9), the same over the phase less its first 5 % (<c>stored_per_s_steady</c>: at least
/// 2 s of devices connecting and the queue filling), <c>retransmits</c> and their ratio to what was stored (goal &lt; 0.01), the
/// dead-peer detections and reconnects, <c>shed</c>, <c>drain_s</c>, <c>drained</c>, and <c>lost</c> and
/// <c>duplicates_stored</c> from the store's rows against what the devices produced (goal 0 and 0).
/// </summary>
internal static class BenchOverloadCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "Minutes of overload", DefaultValueFactory = _ => 5 };
        var capacity = new Option<double>("--capacity") { Description = "The store's capacity, messages/s", DefaultValueFactory = _ => 2000 };
        var factor = new Option<double>("--factor") { Description = "Offered load during the overload, times the capacity", DefaultValueFactory = _ => 3 };
        var devices = new Option<int>("--devices") { Description = "Simulated devices", DefaultValueFactory = _ => 8 };
        var normal = new Option<double>("--normal") { Description = "Offered load after the overload, times the capacity", DefaultValueFactory = _ => 0.1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("overload", "Offered load F x the collector's capacity for M minutes, then normal load: stored/s, retransmits, drain, loss") { minutes, capacity, factor, devices, normal, json };
        cmd.SetAction((p, _) => Cli.Guard(() => RunAsync(p.GetValue(minutes), p.GetValue(capacity), p.GetValue(factor), p.GetValue(devices), p.GetValue(normal), p.GetValue(json))));
        return cmd;
    }

    private static async Task<int> RunAsync(double minutes, double capacity, double factor, int deviceCount, double normal, bool json)
    {
        if (!(minutes > 0) || !(capacity > 0) || !(factor >= 1) || deviceCount < 1 || !(normal is >= 0 and < 1))
        {
            throw new ArgumentException($"--minutes {minutes}, --capacity {capacity}, --factor {factor}, --devices {deviceCount}, --normal {normal}: expected > 0, > 0, >= 1, >= 1, [0, 1)");
        }

        string root = Path.Combine(Path.GetTempPath(), "appliance-bench-overload-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            using var store = new ThrottledStore(new SqliteStore(Path.Combine(root, "collector.db"), SqliteSynchronous.Normal), capacity);
            using var collector = new Collector("tcp://127.0.0.1:0", store);
            collector.Start();
            using var fleet = SimulatedFleet.Create(deviceCount, $"tcp://127.0.0.1:{collector.Port}",
                id => new JournalOutbox(new JournalOptions { Directory = Path.Combine(root, id), BudgetBytes = 1L << 30, Fsync = JournalFsync.Interval }));
            fleet.Start();

            // The whole overload phase, and its steady part: after the first 5 % (at least 2 s: devices connecting, queue filling).
            fleet.Rate = factor * capacity;
            CollectorCounters before = collector.Counters;
            long start = Stopwatch.GetTimestamp();
            TimeSpan phase = TimeSpan.FromMinutes(minutes), ramp = TimeSpan.FromSeconds(Math.Max(2, phase.TotalSeconds / 20));
            await Task.Delay(ramp);
            CollectorCounters steady = collector.Counters;
            long steadyStart = Stopwatch.GetTimestamp();
            await Task.Delay(phase - ramp);
            CollectorCounters after = collector.Counters;
            double overloadS = Stopwatch.GetElapsedTime(start).TotalSeconds, steadyS = Stopwatch.GetElapsedTime(steadyStart).TotalSeconds;

            // Normal load until what was produced is stored, then nothing until every journal is acknowledged.
            fleet.Rate = normal * capacity;
            long drainStart = Stopwatch.GetTimestamp();
            TimeSpan limit = TimeSpan.FromMinutes(minutes * 4 * factor);
            while (collector.Counters.Stored < fleet.Produced && Stopwatch.GetElapsedTime(drainStart) < limit)
            {
                await Task.Delay(200);
            }

            fleet.Rate = 0;
            bool drained = await fleet.WaitDrainedAsync(TimeSpan.FromMinutes(1));
            double drainS = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
            await Task.Delay(500);

            CollectorCounters end = collector.Counters;
            UplinkCounters devices = fleet.Counters;
            long produced = fleet.Produced, rows = store.GetStats().Summaries;
            double storedPerS = (after.Stored - before.Stored) / overloadS, steadyPerS = (after.Stored - steady.Stored) / steadyS;
            var figures = new (string Name, double Value)[]
            {
                ("devices", deviceCount), ("capacity_per_s", capacity), ("offered_per_s", factor * capacity), ("overload_s", Math.Round(overloadS, 1)),
                ("stored_per_s_overload", Math.Round(storedPerS, 1)), ("ratio_to_capacity", Math.Round(storedPerS / capacity, 4)),
                ("stored_per_s_steady", Math.Round(steadyPerS, 1)), ("steady_ratio_to_capacity", Math.Round(steadyPerS / capacity, 4)),
                ("produced", produced), ("stored", end.Stored), ("retransmits", devices.Retransmits),
                ("retransmits_per_stored", Math.Round((double)devices.Retransmits / Math.Max(1, end.Stored), 6)),
                ("duplicates_rejected", end.Duplicates), ("dead_peers", devices.DeadPeers), ("reconnects", devices.Reconnects),
                ("shed", end.Shed), ("outbox_full", fleet.OutboxFull), ("drain_s", Math.Round(drainS, 1)), ("drained", drained ? 1 : 0),
                ("lost", Math.Max(0, produced - rows)), ("duplicates_stored", Math.Max(0, rows - produced)),
            };
            Print(figures, json);
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Prints the figures as one JSON object (<paramref name="json"/>) or one <c>name: value</c> line each.</summary>
    internal static void Print((string Name, double Value)[] figures, bool json)
    {
        if (!json)
        {
            foreach ((string name, double value) in figures)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value}"));
            }

            return;
        }

        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            foreach ((string name, double value) in figures)
            {
                w.WriteNumber(name, value);
            }

            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
