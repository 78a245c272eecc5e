using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Statistics;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench store [--db PATH|URL] [--devices N] [--batches B] [--batch-size S] [--json]</c>: the collector store alone,
/// as the collector calls it: B batches of S summaries from N devices (round robin, each device's sequences rising), each
/// batch one <see cref="ICollectorStore.Store"/> call committed before the next, as the collector commits before it
/// acknowledges. The batches are built before the clock starts, so the figure is the store's: summaries stored per second of
/// wall time, batch commit latency p50/p99, and this process's CPU seconds per 100,000 summaries (a PostgreSQL server's own
/// CPU is not in it). Device ids carry a run id, so a rerun on the same database stores new rows. Without <c>--db</c> a
/// SQLite file in a temporary directory (<c>synchronous=FULL</c>, as <c>appliance cloud</c> opens it), deleted afterwards.
/// </summary>
internal static class BenchStoreCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "SQLite file or postgresql:// URL (default: a temporary SQLite file)" };
        var devices = new Option<int>("--devices") { Description = "Devices the summaries come from", DefaultValueFactory = _ => 100 };
        var batches = new Option<int>("--batches") { Description = "Batches stored", DefaultValueFactory = _ => 200 };
        var size = new Option<int>("--batch-size") { Description = "Summaries per batch", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("store", "Collector store alone: summaries/s committed in batches from N devices, commit latency, CPU per 100k") { db, devices, batches, size, json };
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(db), Positive(p.GetValue(devices), "--devices"),
            Positive(p.GetValue(batches), "--batches"), Positive(p.GetValue(size), "--batch-size"), p.GetValue(json)))));
        return cmd;
    }

    private static int Positive(int value, string name) => value >= 1 ? value : throw new ArgumentException($"{name} {value}: expected at least 1");

    private static int Run(string? db, int deviceCount, int batchCount, int batchSize, bool json)
    {
        string? root = null;
        if (db is null)
        {
            root = Path.Combine(Path.GetTempPath(), "appliance-bench-store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
        }

        try
        {
            using ICollectorStore store = CloudCommand.OpenStore(db ?? Path.Combine(root!, "cloud.db"));
            string run = Guid.NewGuid().ToString("N")[..8];
            string[] ids = [.. Enumerable.Range(0, deviceCount).Select(d => string.Create(CultureInfo.InvariantCulture, $"bench-{run}-{d:D5}"))];
            var sequences = new long[deviceCount];
            long t0 = DateTime.UtcNow.Ticks * 100 - DateTime.UnixEpoch.Ticks * 100;
            var all = new List<Envelope[]>(batchCount);
            int next = 0;
            for (int b = 0; b < batchCount; b++)
            {
                var batch = new Envelope[batchSize];
                for (int i = 0; i < batchSize; i++, next = (next + 1) % deviceCount)
                {
                    long seq = ++sequences[next];
                    batch[i] = Envelope.Create(ids[next], seq, Window(t0 + (seq * 10_000_000L), seq), incarnation: 1);
                }

                all.Add(batch);
            }

            var latencies = new double[batchCount];
            long stored = 0, duplicates = 0;
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < batchCount; b++)
            {
                long s = Stopwatch.GetTimestamp();
                StoreBatchResult r = store.Store(all[b], 0, t0);
                latencies[b] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
                stored += r.Stored;
                duplicates += r.Duplicates;
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Array.Sort(latencies);
            Report(json, PostgresStore.IsUrl(db ?? "") ? "postgresql" : "sqlite", deviceCount, batchSize, batchCount, stored, duplicates, seconds, cpu, latencies);
            return stored + duplicates == (long)batchCount * batchSize && duplicates == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        finally
        {
            if (root is not null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static Summary Window(long startNs, long seq) => new()
    {
        Sensor = "mcp3008-0", Channel = "ch" + (seq % 8).ToString(CultureInfo.InvariantCulture), WindowStartNs = startNs, WindowEndNs = startNs + 10_000_000,
        Features = new WindowFeatures { Count = 10, Min = 1, Max = 3, Mean = 2, M2 = 4, M3 = 0.5, M4 = 9, SumOfSquares = 44, First = 1, Last = 3, ZeroCrossings = 2 },
    };

    private static void Report(bool json, string kind, int devices, int size, int batches, long stored, long duplicates, double seconds, double cpu, double[] sortedMs)
    {
        double perSecond = stored / seconds;
        double p50 = sortedMs[(int)(0.50 * (sortedMs.Length - 1))];
        double p99 = sortedMs[(int)Math.Ceiling(0.99 * (sortedMs.Length - 1))];
        double cpuPer100k = stored == 0 ? 0 : cpu / stored * 100_000;
        if (json)
        {
            using var w = new Utf8JsonWriter(Console.OpenStandardOutput());
            w.WriteStartObject();
            w.WriteString("store", kind);
            w.WriteNumber("devices", devices);
            w.WriteNumber("batch_size", size);
            w.WriteNumber("batches", batches);
            w.WriteNumber("stored", stored);
            w.WriteNumber("duplicates", duplicates);
            w.WriteNumber("seconds", Math.Round(seconds, 3));
            w.WriteNumber("summaries_per_s", Math.Round(perSecond));
            w.WriteNumber("batch_p50_ms", Math.Round(p50, 3));
            w.WriteNumber("batch_p99_ms", Math.Round(p99, 3));
            w.WriteNumber("collector_cpu_s_per_100k", Math.Round(cpuPer100k, 3));
            w.WriteEndObject();
            w.Flush();
            Console.WriteLine();
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {stored} summaries from {devices} devices in {batches} batches of {size}: {perSecond:F0}/s, batch commit p50 {p50:F2} ms p99 {p99:F2} ms, {cpuPer100k:F2} CPU s per 100k in this process, {duplicates} duplicates"));
    }
}
