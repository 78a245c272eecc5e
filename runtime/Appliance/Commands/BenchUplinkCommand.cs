using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Kernels.Statistics;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;
using Appliance.Contracts.Wire;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench uplink [--json] [--count N] [--db PATH|URL]</c>: the uplink's figures, measured in one run on loopback.
/// <list type="bullet">
/// <item><c>summary_bytes</c>: wire bytes of the summaries of one second of 8 sensors at 100 Hz with 1 s windows (8 envelopes);
/// <c>raw_json_bytes</c>: the same second as JSON telemetry of the raw samples (800 objects
/// <c>{"device":..,"sensor":..,"ts":"ISO 8601","value":..}</c>, one per line, the usual shape of IoT hub telemetry);
/// <c>ratio_to_raw</c> = summary_bytes / raw_json_bytes; <c>summary_json_bytes</c>, <c>ratio_to_summary_json</c>: versus the
/// same 8 summaries as JSON.</item>
/// <item><c>summaries_per_s</c>: N summaries enqueued at once into the disk journal (fsync per batch), sent, stored in a
/// SQLite (or PostgreSQL) collector and acknowledged; <c>memory_summaries_per_s</c>: the same through the memory outbox;
/// <c>journaled_over_memory</c> = their ratio.</item>
/// <item><c>latency_p50_ms</c>, <c>latency_p99_ms</c>: one summary at a time, from enqueue (window close) to the uplink thread's
/// receipt of its acknowledgement (stored and acknowledged), over 300 rounds after 20 warm-up rounds, with the journal (fsync per batch) and SQLite FULL;
/// <c>latency_store_normal_*</c>: the same with SQLite synchronous=NORMAL; <c>latency_no_fsync_*</c>: memory outbox and NORMAL
/// (the transport and store without any fsync); <c>fsync_p50_ms</c>, <c>fsync_p99_ms</c>: the disk's fsync of a 200-byte append.</item>
/// </list>
/// </summary>
internal static class BenchUplinkCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var count = new Option<int>("--count") { Description = "Summaries in the throughput runs", DefaultValueFactory = _ => 20000 };
        var db = new Option<string?>("--db") { Description = "Collector store: a SQLite file (default: a temporary one) or a postgresql:// URL" };
        var cmd = new Command("uplink", "Uplink figures: bytes per summary versus raw JSON, summaries/s journaled and in memory, ack latency") { json, count, db };
        cmd.SetAction((p, _) => Cli.Guard(() => RunAsync(p.GetValue(json), p.GetValue(count), p.GetValue(db))));
        return cmd;
    }

    private static Summary MakeSummary(int sensor, int window, ReadOnlySpan<float> samples) => new()
    {
        Sensor = $"accel-{sensor}",
        Channel = "x",
        WindowStartNs = 1_767_225_600_000_000_000L + (window * 1_000_000_000L),
        WindowEndNs = 1_767_225_600_000_000_000L + ((window + 1) * 1_000_000_000L),
        Features = WindowStatistics.Compute(samples),
    };

    private static async Task<int> RunAsync(bool json, int count, string? db)
    {
        if (count < 100)
        {
            throw new ArgumentException($"--count {count}: expected at least 100");
        }

        // Bytes: 8 sensors x 100 samples of a noisy sine, one 1 s window each.
        const string device = "dev-0001";
        var rng = new Random(42);
        var samples = new float[100];
        long summaryBytes = 0, summaryJsonBytes = 0, rawJsonBytes = 0;
        for (int s = 0; s < 8; s++)
        {
            for (int i = 0; i < samples.Length; i++)
            {
                samples[i] = (float)(Math.Sin(i * 0.2) + (rng.NextDouble() * 0.1));
                var ts = DateTime.UnixEpoch.AddTicks((1_767_225_600_000_000_000L / 100) + (i * 100_000L)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
                rawJsonBytes += Encoding.UTF8.GetByteCount(string.Create(CultureInfo.InvariantCulture, $"{{\"device\":\"{device}\",\"sensor\":\"accel-{s}\",\"ts\":\"{ts}\",\"value\":{samples[i]:R}}}\n"));
            }

            Summary summary = MakeSummary(s, 0, samples);
            // With a journal incarnation as devices send it: a random 63-bit id is almost always above 2^32, so 9 bytes.
            summaryBytes += WireCodec.Encode(Envelope.Create(device, 1_000_000 + s, summary, incarnation: 0x5DEECE66D_1234567)).Length;
            summaryJsonBytes += SummaryJson(device, 1_000_000 + s, summary);
        }

        string root = Path.Combine(Path.GetTempPath(), "appliance-bench-uplink-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        try
        {
            double journaled = await Throughput(root, db, count, journal: true);
            double memory = await Throughput(root, db, count, journal: false);
            (double p50, double p99) = await Latency(root, db, journal: true, SqliteSynchronous.Full, "latency");

            // Where the time goes: the same rounds with no fsync on either side (memory outbox, SQLite synchronous=NORMAL),
            // with the device journal's fsync but a NORMAL store, and the disk's own fsync of a 200-byte append.
            (double bareP50, double bareP99) = await Latency(root, db, journal: false, SqliteSynchronous.Normal, "latency-bare");
            (double normalP50, double normalP99) = await Latency(root, db, journal: true, SqliteSynchronous.Normal, "latency-normal");
            (double fsyncP50, double fsyncP99) = FsyncTimes(root);
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("summary_bytes", summaryBytes);
                    w.WriteNumber("raw_json_bytes", rawJsonBytes);
                    w.WriteNumber("ratio_to_raw", Math.Round((double)summaryBytes / rawJsonBytes, 5));
                    w.WriteNumber("summary_json_bytes", summaryJsonBytes);
                    w.WriteNumber("ratio_to_summary_json", Math.Round((double)summaryBytes / summaryJsonBytes, 4));
                    w.WriteNumber("summaries_per_s", Math.Round(journaled, 1));
                    w.WriteNumber("memory_summaries_per_s", Math.Round(memory, 1));
                    w.WriteNumber("journaled_over_memory", Math.Round(journaled / memory, 3));
                    w.WriteNumber("latency_p50_ms", Math.Round(p50, 3));
                    w.WriteNumber("latency_p99_ms", Math.Round(p99, 3));
                    w.WriteNumber("latency_store_normal_p50_ms", Math.Round(normalP50, 3));
                    w.WriteNumber("latency_store_normal_p99_ms", Math.Round(normalP99, 3));
                    w.WriteNumber("latency_no_fsync_p50_ms", Math.Round(bareP50, 3));
                    w.WriteNumber("latency_no_fsync_p99_ms", Math.Round(bareP99, 3));
                    w.WriteNumber("fsync_p50_ms", Math.Round(fsyncP50, 3));
                    w.WriteNumber("fsync_p99_ms", Math.Round(fsyncP99, 3));
                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes per second of 8 sensors at 100 Hz: {summaryBytes} as summaries, {rawJsonBytes} as raw JSON (ratio {(double)summaryBytes / rawJsonBytes:F4}), {summaryJsonBytes} as summary JSON (ratio {(double)summaryBytes / summaryJsonBytes:F3})"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput: {journaled:F0} summaries/s journaled (fsync per batch), {memory:F0} in memory, ratio {journaled / memory:F2}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"window close to stored and acknowledged: p50 {p50:F3} ms, p99 {p99:F3} ms (journal fsync + SQLite FULL)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  with SQLite synchronous=NORMAL: p50 {normalP50:F3} ms, p99 {normalP99:F3} ms; with no fsync on either side: p50 {bareP50:F3} ms, p99 {bareP99:F3} ms"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  one fsync of a 200-byte append on this disk: p50 {fsyncP50:F3} ms, p99 {fsyncP99:F3} ms"));
            }

            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static long SummaryJson(string device, long seq, Summary s)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            var f = s.Features;
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("device", device);
            w.WriteNumber("seq", seq);
            w.WriteString("sensor", s.Sensor);
            w.WriteString("channel", s.Channel);
            w.WriteNumber("window_start_ns", s.WindowStartNs);
            w.WriteNumber("window_end_ns", s.WindowEndNs);
            w.WriteNumber("count", f.Count);
            w.WriteNumber("nan_count", f.NanCount);
            w.WriteNumber("min", f.Min);
            w.WriteNumber("max", f.Max);
            w.WriteNumber("mean", f.Mean);
            w.WriteNumber("m2", f.M2);
            w.WriteNumber("m3", f.M3);
            w.WriteNumber("m4", f.M4);
            w.WriteNumber("sum_of_squares", f.SumOfSquares);
            w.WriteNumber("first", f.First);
            w.WriteNumber("last", f.Last);
            w.WriteNumber("zero_crossings", f.ZeroCrossings);
            w.WriteEndObject();
        }

        return ms.Length;
    }

    private static (ICollectorStore Store, Collector Collector) StartCollector(string root, string? db, string name, SqliteSynchronous synchronous = SqliteSynchronous.Full)
    {
        ICollectorStore store;
        if (db is not null && PostgresStore.IsUrl(db))
        {
            var pg = new PostgresStore(db);
            pg.DropAll();
            store = pg;
        }
        else
        {
            store = new SqliteStore(db is null ? Path.Combine(root, name + ".db") : db, synchronous);
        }

        var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        return (store, collector);
    }

    private static IOutbox Outbox(string root, string name, bool journal) => journal
        ? new JournalOutbox(new JournalOptions { Directory = Path.Combine(root, name), Fsync = JournalFsync.Batch })
        : new MemoryOutbox(1 << 20, TimeSpan.FromSeconds(5));

    private static async Task<double> Throughput(string root, string? db, int count, bool journal)
    {
        string name = journal ? "throughput-journal" : "throughput-memory";
        (ICollectorStore store, Collector collector) = StartCollector(root, db, name);
        IOutbox outbox = Outbox(root, name, journal);
        try
        {
            using var client = new UplinkClient(new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = "bench", AckWindow = 1024 }, outbox);
            client.Start();
            float[] samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                client.Enqueue(MakeSummary(i % 8, i / 8, samples));
            }

            if (!await client.FlushAsync(TimeSpan.FromMinutes(2)))
            {
                throw new InvalidOperationException($"bench uplink: {count - outbox.HighestAcknowledged} summaries not acknowledged within 2 minutes");
            }

            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            collector.Dispose();
            (outbox as IDisposable)?.Dispose();
            store.Dispose();
        }
    }

    /// <summary>fsync (RandomAccess.FlushToDisk) of a 200-byte append, 200 times, in the bench directory: the disk's floor for
    /// one durable step; p50 and p99 in ms.</summary>
    private static (double P50, double P99) FsyncTimes(string root)
    {
        string path = Path.Combine(root, "fsync-probe");
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        byte[] record = new byte[200];
        var ms = new List<double>(200);
        long offset = 0;
        for (int i = 0; i < 200; i++)
        {
            RandomAccess.Write(handle, record, offset);
            offset += record.Length;
            long start = Stopwatch.GetTimestamp();
            RandomAccess.FlushToDisk(handle);
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        ms.Sort();
        return (ms[(int)(0.50 * (ms.Count - 1))], ms[(int)Math.Ceiling(0.99 * (ms.Count - 1))]);
    }

    private static async Task<(double P50, double P99)> Latency(string root, string? db, bool journal, SqliteSynchronous synchronous, string name)
    {
        (ICollectorStore store, Collector collector) = StartCollector(root, db, name, synchronous);
        IOutbox outbox = Outbox(root, name, journal);
        try
        {
            using var client = new UplinkClient(new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = "bench" }, outbox);
            client.Start();
            float[] samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
            var ms = new List<double>(300);
            for (int i = 0; i < 320; i++)
            {
                long start = Stopwatch.GetTimestamp();
                client.Enqueue(MakeSummary(0, i, samples));
                if (!await client.FlushAsync(TimeSpan.FromSeconds(10)))
                {
                    throw new InvalidOperationException("bench uplink: a summary was not acknowledged within 10 s");
                }

                if (i >= 20)
                {
                    // Up to the uplink thread's receipt of the ack (not the thread-pool wake-up of this waiter).
                    ms.Add(Stopwatch.GetElapsedTime(start, client.LastAcknowledgedTimestamp).TotalMilliseconds);
                }
            }

            ms.Sort();
            return (ms[(int)(0.50 * (ms.Count - 1))], ms[(int)Math.Ceiling(0.99 * (ms.Count - 1))]);
        }
        finally
        {
            collector.Dispose();
            (outbox as IDisposable)?.Dispose();
            store.Dispose();
        }
    }
}
