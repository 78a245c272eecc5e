using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Device.Uplink;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance bench fleet-devices</c> (hidden): one child process of <c>appliance bench fleet --device-processes P</c>,
/// holding devices <c>--first</c> to <c>--first + --count - 1</c> of the run. Protocol, one line each way (docs/fleet.md):
/// the child connects all its devices and prints <c>{"connected":C,"connect_s":S}</c> when each has had its first ping
/// answered; the parent writes <c>go</c> to every child at once; the child offers <c>--rate</c> per device for
/// <c>--duration</c>, waits until drained, and prints one result line (<see cref="WriteResult"/>), then exits 0. End of its
/// standard input before the result (the parent died or gave up) ends it at once, exit 1; anything it cannot do is one line
/// on standard error, exit 1.
/// </summary>
internal static class BenchFleetDevicesCommand
{
    /// <summary>The line the parent writes to start the load phase.</summary>
    public const string Go = "go";

    public static Command Create()
    {
        var endpoints = new Option<string>("--endpoints") { Description = "Collector endpoints, comma-separated", Required = true };
        var run = new Option<string>("--run") { Description = "Run id", Required = true };
        var first = new Option<int>("--first") { Description = "First device index", Required = true };
        var count = new Option<int>("--count") { Description = "Devices", Required = true };
        var rate = new Option<double>("--rate") { Description = "Summaries per second per device", Required = true };
        var duration = new Option<string>("--duration") { Description = "Load phase", Required = true };
        var root = new Option<string>("--root") { Description = "The run's journal directory", Required = true };
        var wire = new Option<bool>("--wire") { Description = "Wire-level devices (one DEALER each, no journal)" };
        var cmd = new Command("fleet-devices", "A child process of bench fleet --device-processes (internal)")
        {
            endpoints, run, first, count, rate, duration, root, wire,
        };
        cmd.Hidden = true;
        cmd.SetAction((p, _) => RunAsync(p.GetValue(endpoints)!, p.GetValue(run)!, p.GetValue(first), p.GetValue(count),
            p.GetValue(rate), p.GetValue(duration), p.GetValue(root)!, p.GetValue(wire)));
        return cmd;
    }

    private static async Task<int> RunAsync(string endpoints, string run, int first, int count, double rate, string? duration, string root, bool wire)
    {
        int finished = 0;
        // The parent's "go", or the end of its stdin: the parent is gone, so is this process (never an orphan holding sockets).
        Task<string?> go = Task.Run(() =>
        {
            string? line = Console.In.ReadLine();
            if (line is null && Volatile.Read(ref finished) == 0)
            {
                Environment.Exit(ExitCodes.Failed);
            }

            return line;
        });
        try
        {
            if (count < 1 || first < 0 || !Appliance.Contracts.Config.Duration.TryParse(duration, out TimeSpan span, out _))
            {
                throw new ArgumentException($"bench fleet-devices: bad --first/--count/--duration ({first}, {count}, {duration})");
            }

            ProcessFigures.RaiseFileLimit();
            NetMQ.NetMQConfig.MaxSockets = Math.Max(NetMQ.NetMQConfig.MaxSockets, (count * 16) + 256);
            var latency = new AckLatency();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            using var slice = new FleetSlice(root, run, first, count, endpoints.Split(','), latency, wire);
            await slice.ConnectAsync();
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"connected\":{count},\"connect_s\":{System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds:0.###}}}"));
            string? line = await go;
            if (line != Go)
            {
                throw new ArgumentException($"bench fleet-devices: expected '{Go}' on standard input");
            }

            _ = Task.Run(() =>
            {
                if (Console.In.ReadLine() is null && Volatile.Read(ref finished) == 0)
                {
                    Environment.Exit(ExitCodes.Failed);
                }
            });
            SliceResult result = await slice.RunAsync(rate, span);
            Console.Out.WriteLine(WriteResult(result, latency));
            Volatile.Write(ref finished, 1);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is TimeoutException or ArgumentException or IOException or NetMQ.NetMQException)
        {
            Console.Error.WriteLine($"appliance bench fleet-devices {first}+{count}: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// The result line: <c>{"acknowledged_in_load","load_s","drained","drain_s","outbox_full","cpu_s","rss_mb",
    /// "counters":{sent, acknowledged, retransmits, malformed_received, commands_received, command_handler_faults, send_stalls,
    /// heartbeat_faults, dead_peers, reconnects}, "produced":[per device], "latency":{"offset","zeros","counts":[...]}}</c>, the
    /// latency being the slice's DDSketch state (<see cref="AckLatency.Bins"/>), merged exactly by the parent.
    /// </summary>
    public static string WriteResult(SliceResult r, AckLatency latency)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("acknowledged_in_load", r.AcknowledgedInLoad);
            w.WriteNumber("load_s", r.LoadS);
            w.WriteBoolean("drained", r.Drained);
            w.WriteNumber("drain_s", r.DrainS);
            w.WriteNumber("outbox_full", r.OutboxFull);
            w.WriteNumber("cpu_s", r.CpuS);
            w.WriteNumber("rss_mb", r.RssMiB);
            w.WriteStartObject("counters");
            UplinkCounters c = r.Counters;
            long[] values = [c.Sent, c.Acknowledged, c.Retransmits, c.MalformedReceived, c.CommandsReceived, c.CommandHandlerFaults,
                c.SendStalls, c.HeartbeatFaults, c.DeadPeers, c.Reconnects];
            for (int i = 0; i < CounterNames.Length; i++)
            {
                w.WriteNumber(CounterNames[i], values[i]);
            }

            w.WriteEndObject();
            WriteArray(w, "produced", r.Produced);
            long[] bins = latency.Bins(out int offset, out long zeros);
            w.WriteStartObject("latency");
            w.WriteNumber("offset", offset);
            w.WriteNumber("zeros", zeros);
            WriteArray(w, "counts", bins);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a result line of a slice of <paramref name="count"/> devices and merges its latency state into
    /// <paramref name="latency"/>.</summary>
    /// <exception cref="FormatException">The line is not such a result (a member missing or of another type).</exception>
    public static SliceResult ReadResult(string line, int count, AckLatency latency)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement r = doc.RootElement;
            JsonElement c = r.GetProperty("counters");
            long[] v = [.. CounterNames.Select(n => c.GetProperty(n).GetInt64())];
            long[] produced = [.. r.GetProperty("produced").EnumerateArray().Select(e => e.GetInt64())];
            if (produced.Length != count)
            {
                throw new FormatException($"{produced.Length} produced counts for {count} devices");
            }

            JsonElement l = r.GetProperty("latency");
            latency.Merge(l.GetProperty("offset").GetInt32(), [.. l.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64())],
                l.GetProperty("zeros").GetInt64());
            return new SliceResult(r.GetProperty("acknowledged_in_load").GetInt64(), r.GetProperty("load_s").GetDouble(),
                r.GetProperty("drained").GetBoolean(), r.GetProperty("drain_s").GetDouble(),
                new UplinkCounters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]),
                r.GetProperty("outbox_full").GetInt64(), produced, r.GetProperty("cpu_s").GetDouble(), r.GetProperty("rss_mb").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new FormatException($"not a result line ({e.Message})", e);
        }
    }

    private static readonly string[] CounterNames =
    [
        "sent", "acknowledged", "retransmits", "malformed_received", "commands_received", "command_handler_faults", "send_stalls",
        "heartbeat_faults", "dead_peers", "reconnects",
    ];

    private static void WriteArray(Utf8JsonWriter w, string name, long[] values)
    {
        w.WriteStartArray(name);
        foreach (long x in values)
        {
            w.WriteNumberValue(x);
        }

        w.WriteEndArray();
    }
}
