using System.CommandLine;
using Command = System.CommandLine.Command;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Appliance.Cloud.Http;
using Appliance.Cloud.Http.Api;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Statistics;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench api [--devices N] [--windows W] [--seconds S] [--concurrency C] [--json]</c>: the collector's HTTP API
/// over a SQLite store holding N devices (each a heartbeat, W summaries and an alert), on loopback. Prints each call's
/// p50/p99 latency (client side, a new request each, C clients at once for S seconds), and the store's commit latency of
/// an ingest loop (batches of 16 summaries, <c>synchronous=FULL</c> as the collector runs) first alone, then while the
/// clients hammer the API: the API reads through its own connection, so ingest should not wait on it. Absolute figures of
/// this machine; not comparable across machines.
/// </summary>
internal static class BenchApiCommand
{
    private const long Second = 1_000_000_000;

    public static Command Create()
    {
        var devices = new Option<int>("--devices") { Description = "Devices in the store", DefaultValueFactory = _ => 1000 };
        var windows = new Option<int>("--windows") { Description = "Summaries per device", DefaultValueFactory = _ => 60 };
        var seconds = new Option<int>("--seconds") { Description = "Seconds of each measured phase", DefaultValueFactory = _ => 5 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent API clients", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("api", "HTTP API p50/p99 over a store of N devices, and ingest commit latency with and without API load") { devices, windows, seconds, concurrency, json };
        cmd.SetAction((p, _) => Cli.Guard(() => RunAsync(Positive(p.GetValue(devices), "--devices"), Positive(p.GetValue(windows), "--windows"),
            Positive(p.GetValue(seconds), "--seconds"), Positive(p.GetValue(concurrency), "--concurrency"), p.GetValue(json))));
        return cmd;
    }

    private static int Positive(int value, string name) => value >= 1 ? value : throw new ArgumentException($"{name} {value}: expected at least 1");

    private static async Task<int> RunAsync(int deviceCount, int windowCount, int seconds, int concurrency, bool json)
    {
        string root = Path.Combine(Path.GetTempPath(), "appliance-bench-api-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string db = Path.Combine(root, "cloud.db");
        try
        {
            using var writer = new SqliteStore(db);
            long now = ApiTime.NowNs();
            long t0 = now - (windowCount * Second);
            for (int d = 0; d < deviceCount; d++)
            {
                string id = DeviceId(d);
                var batch = new List<Envelope> { Envelope.Create(id, 1, new Heartbeat { ConfigRevision = "bench", ConfigState = "applied", ExecutionProvider = "CPU" }) };
                for (int w = 0; w < windowCount; w++)
                {
                    batch.Add(Envelope.Create(id, w + 2, Window(t0 + (w * Second), w)));
                }

                batch.Add(Envelope.Create(id, windowCount + 2, new Alert { Sensor = "env", Channel = "temperature", TimeNs = t0, Score = 5, Threshold = 4, Detector = "ewma-z", Features = Features(0) }));
                writer.Store(batch, 0, now);
            }

            using var apiStore = new SqliteStore(db);
            var options = new FleetHttpOptions(new IPEndPoint(IPAddress.Loopback, 0), null, FleetHttpOptions.DefaultHeartbeatTimeout);
            await using var server = await FleetHttpServer.StartAsync(options, new FleetApi(apiStore, options, null), null);
            using var client = new HttpClient { BaseAddress = server.Address };
            var duration = TimeSpan.FromSeconds(seconds);
            long sequence = windowCount + 3;

            (double P50, double P99, int Batches) idle = Ingest(writer, duration, ref sequence);
            using var stop = new CancellationTokenSource();
            string[] calls = ["/api/devices", "/api/devices/{id}", "/api/summaries?device={id}&limit=100", "/api/alerts?limit=100", "/api/stats"];
            var latencies = calls.ToDictionary(c => c, _ => new List<double>());
            Task[] clients = [.. Enumerable.Range(0, concurrency).Select(c => Task.Run(() => Hammer(client, calls, latencies, deviceCount, c, stop.Token)))];
            (double P50, double P99, int Batches) loaded = Ingest(writer, duration, ref sequence);
            stop.Cancel();
            await Task.WhenAll(clients);

            Report(json, deviceCount, windowCount, concurrency, seconds, latencies, idle, loaded);
            return ExitCodes.Ok;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string DeviceId(int d) => "dev-" + d.ToString("D4", CultureInfo.InvariantCulture);

    private static WindowFeatures Features(int w) => new() { Count = 10, Min = 20 + (w % 7), Max = 22 + (w % 7), Mean = 21 + (w % 7), First = 20, Last = 22 };

    private static Summary Window(long startNs, int w) => new() { Sensor = "env", Channel = "temperature", WindowStartNs = startNs, WindowEndNs = startNs + Second, Features = Features(w) };

    /// <summary>Stores batches of 16 summaries from one device for <paramref name="duration"/>; the commit latency's p50/p99 in ms.</summary>
    private static (double P50, double P99, int Batches) Ingest(SqliteStore writer, TimeSpan duration, ref long sequence)
    {
        var ms = new List<double>();
        var clock = Stopwatch.StartNew();
        long now = ApiTime.NowNs();
        while (clock.Elapsed < duration)
        {
            var batch = new Envelope[16];
            for (int i = 0; i < batch.Length; i++, sequence++)
            {
                batch[i] = Envelope.Create("ingest", sequence, Window(now + (sequence * Second), (int)(sequence % 1000)));
            }

            long start = Stopwatch.GetTimestamp();
            writer.Store(batch, 0, ApiTime.NowNs());
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return (Quantile(ms, 0.50), Quantile(ms, 0.99), ms.Count);
    }

    private static async Task Hammer(HttpClient client, string[] calls, Dictionary<string, List<double>> latencies, int devices, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            string call = calls[random.Next(calls.Length)];
            string path = call.Replace("{id}", DeviceId(random.Next(devices)), StringComparison.Ordinal);
            long start = Stopwatch.GetTimestamp();
            using HttpResponseMessage r = await client.GetAsync(path, CancellationToken.None);
            await r.Content.ReadAsByteArrayAsync(CancellationToken.None);
            double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!r.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"bench api: GET {path} answered {(int)r.StatusCode}");
            }

            List<double> list = latencies[call];
            lock (list)
            {
                list.Add(elapsed);
            }
        }
    }

    private static double Quantile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[(int)Math.Ceiling(q * (values.Count - 1))];
    }

    private static void Report(bool json, int devices, int windows, int concurrency, int seconds, Dictionary<string, List<double>> latencies,
        (double P50, double P99, int Batches) idle, (double P50, double P99, int Batches) loaded)
    {
        var c = CultureInfo.InvariantCulture;
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteNumber("devices", devices);
                w.WriteNumber("windows_per_device", windows);
                w.WriteNumber("concurrency", concurrency);
                w.WriteStartObject("calls");
                foreach (var (call, ms) in latencies)
                {
                    w.WriteStartObject(call);
                    w.WriteNumber("requests", ms.Count);
                    w.WriteNumber("p50_ms", Math.Round(Quantile(ms, 0.50), 3));
                    w.WriteNumber("p99_ms", Math.Round(Quantile(ms, 0.99), 3));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteNumber("ingest_idle_p50_ms", Math.Round(idle.P50, 3));
                w.WriteNumber("ingest_idle_p99_ms", Math.Round(idle.P99, 3));
                w.WriteNumber("ingest_idle_batches_per_s", Math.Round(idle.Batches / (double)seconds, 1));
                w.WriteNumber("ingest_loaded_p50_ms", Math.Round(loaded.P50, 3));
                w.WriteNumber("ingest_loaded_p99_ms", Math.Round(loaded.P99, 3));
                w.WriteNumber("ingest_loaded_batches_per_s", Math.Round(loaded.Batches / (double)seconds, 1));
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
            return;
        }

        Console.WriteLine(string.Create(c, $"HTTP API over {devices} devices x {windows} summaries, {concurrency} clients for {seconds} s (loopback, SQLite):"));
        foreach (var (call, ms) in latencies)
        {
            Console.WriteLine(string.Create(c, $"  GET {call}: {ms.Count} requests, p50 {Quantile(ms, 0.50):F3} ms, p99 {Quantile(ms, 0.99):F3} ms"));
        }

        Console.WriteLine(string.Create(c, $"ingest commit (16 summaries, synchronous=FULL) alone: p50 {idle.P50:F3} ms, p99 {idle.P99:F3} ms, {idle.Batches / (double)seconds:F1} batches/s"));
        Console.WriteLine(string.Create(c, $"ingest commit while the API is hammered: p50 {loaded.P50:F3} ms, p99 {loaded.P99:F3} ms, {loaded.Batches / (double)seconds:F1} batches/s"));
    }
}
