using System.CommandLine;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Emulation;
using Appliance.Kernels.Statistics;
#if !DEVICE_ONLY
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
#endif
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Contracts.Inference;
using Appliance.Device.Outbox;
using Appliance.Device.Uplink;
using Appliance.Contracts.Wire;
using NetMQ;
using NetMQ.Sockets;
using Command = System.CommandLine.Command;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance selftest</c>: exercises, inside this very binary, every third-party path the appliance relies on —
/// MessagePack (every wire type), NetMQ (DEALER→ROUTER with acknowledgement), SQLite (store and count), LibGit2Sharp
/// (write and read a repository), Tomlyn (the default configuration), ONNX Runtime (a session run checked against the
/// model's own C# arithmetic) and Iot.Device.Bindings (a BME280 reading of the datasheet's example values).
/// Prints one line per check, <c>selftest: NAME ok ...</c> or <c>selftest: NAME FAILED: ...</c>; exits 0 only when all pass.
/// Under <c>dotnet test</c> (JIT) some of these can pass while they fail after trimming: this verb is what the AOT
/// smoke test runs on the published binary.
/// </summary>
internal static class SelfTestCommand
{
    public static Command Create()
    {
        var cmd = new Command("selftest", "Exercise every third-party path inside this binary (the AOT smoke test)");
        cmd.SetAction((_, _) => RunAsync());
        return cmd;
    }

    private static async Task<int> RunAsync()
    {
        var failures = 0;
        var dir = Path.Combine(Path.GetTempPath(), $"appliance-selftest-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            failures += Check("tomlyn", () =>
            {
                var c = ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml");
                return c.Sensors[0].RateHz == 10 ? $"default config: device {c.Device.Id}, {c.Sensors.Count} sensor" : throw new InvalidDataException("rate_hz != 10");
            });
            failures += Check("messagepack", MessagePackRoundTrip);
            failures += Check("libgit2sharp", () =>
            {
                var repo = Path.Combine(dir, "repo");
                var sha = SeedRepository.Create(repo, new Dictionary<string, string> { ["appliance.toml"] = DefaultConfig.Toml });
                var rev = new ConfigRepository(repo, Path.Combine(dir, "state")).Pull("main");
                return rev.Commit == sha && rev.Text == DefaultConfig.Toml ? $"cloned and read {rev.Path} at {sha[..12]}" : throw new InvalidDataException("read back differs");
            });
            failures += Check("onnxruntime", () =>
            {
                float[] a = [1f, 10f, 2f, 20f], b = [3f, 14f, 2f, 22f];
                var model = StandardScoreModel.Fit([a, b], 2, 2);
                using var scorer = new OnnxScorer(model.ToOnnx(), 2, 2, GpuPolicy.Auto);
                float[] input = [5f, 12f, 2f, 21f];
                Span<float> ort = stackalloc float[2], own = stackalloc float[2];
                scorer.Run(input, ort);
                model.Score(input, own);
                for (var i = 0; i < 2; i++)
                {
                    if (Math.Abs(ort[i] - own[i]) > 1e-5 * Math.Max(1, Math.Abs(own[i])))
                    {
                        throw new InvalidDataException($"ORT score {ort[i]} != C# score {own[i]}");
                    }
                }

                return $"{scorer.ExecutionProvider} scores [{ort[0]:G6}, {ort[1]:G6}] equal the C# computation";
            });
            failures += Check("bme280", () =>
            {
                // BMP280 datasheet (BST-BMP280-DS001) §8.2 example: adc_T = 519888 → 25.08 °C, adc_P = 415148 → 100653.27 Pa.
                using var chip = new Bme280Emulator(new Bme280FixedSignal(new Bme280RawSample(519888, 415148, 30000)));
                var r = Bme280Sensor.ReadOnce(chip);
                return Math.Abs(r.TemperatureC - 25.08) < 0.01 && Math.Abs(r.PressurePa - 100653.27) < 1
                    ? $"{r.TemperatureC:F2} °C, {r.PressurePa:F2} Pa, {r.HumidityPct:F2} %RH"
                    : throw new InvalidDataException($"read {r}");
            });
#if DEVICE_ONLY
            failures += Check("netmq", NetMqRoundTrip);
            await Task.CompletedTask;
#else
            failures += await CheckAsync("netmq+sqlite", () => UplinkRoundTrip(Path.Combine(dir, "cloud.db")));
#endif
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        Console.WriteLine(failures == 0 ? "selftest: all ok" : $"selftest: {failures} FAILED");
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string MessagePackRoundTrip()
    {
        var f = WindowStatistics.Compute([1f, 2f, 4f, float.NaN]);
        var messages = new object[]
        {
            new Summary { Sensor = "env", Channel = "temperature_c", WindowStartNs = 1, WindowEndNs = 2, Features = f },
            new Alert { Sensor = "env", Channel = "temperature_c", TimeNs = 3, Score = 5.5, Threshold = 4, Severity = AlertSeverity.Critical, Detector = "ewma-z", Features = f },
            new Heartbeat { UptimeMs = 7, ExecutionProvider = "CPU", ConfigRevision = "abc" },
        };
        var seq = 0L;
        foreach (var body in messages)
        {
            seq++;
            var bytes = WireCodec.Encode(EnvelopeFor(body, seq));
            if (!WireCodec.TryDecode(bytes, out var back, out var error))
            {
                throw new InvalidDataException($"{body.GetType().Name}: {error}");
            }

            if (back.Sequence != seq || back.DeviceId != "selftest" || back.Body?.GetType() != body.GetType())
            {
                throw new InvalidDataException($"{body.GetType().Name}: envelope differs after round trip");
            }
        }

        var s = (Summary)messages[0];
        var decoded = WireCodec.TryDecode(WireCodec.Encode(EnvelopeFor(s, 1)), out var e, out _) ? (Summary)e.Body! : null;
        if (decoded is null || decoded.Features.Count != 3 || decoded.Features.NanCount != 1 || decoded.Features.Max != 4)
        {
            throw new InvalidDataException("summary features differ after round trip");
        }

        return $"{messages.Length} wire types round-tripped";
    }

    private static Envelope EnvelopeFor(object body, long seq) => body switch
    {
        Summary s => Envelope.Create("selftest", seq, s),
        Alert a => Envelope.Create("selftest", seq, a),
        Heartbeat h => Envelope.Create("selftest", seq, h),
        _ => throw new ArgumentException("not a device message", nameof(body)),
    };

#if DEVICE_ONLY
    // A device-only build has no collector: one encoded summary over a DEALER to a bare ROUTER, decoded on arrival.
    private static string NetMqRoundTrip()
    {
        using var router = new RouterSocket();
        var port = router.BindRandomPort("tcp://127.0.0.1");
        using var dealer = new DealerSocket($">tcp://127.0.0.1:{port}");
        var f = WindowStatistics.Compute([20f, 21f, 22f]);
        dealer.SendFrame(WireCodec.Encode(EnvelopeFor(new Summary { Sensor = "env", Channel = "temperature_c", WindowStartNs = 1, WindowEndNs = 2, Features = f }, 1)));
        NetMQMessage? message = null;
        if (!router.TryReceiveMultipartMessage(TimeSpan.FromSeconds(10), ref message) || message.FrameCount < 2)
        {
            throw new TimeoutException("no frame within 10 s");
        }

        return WireCodec.TryDecode(message[message.FrameCount - 1].ToByteArray(), out var back, out var error) && back.Body is Summary { Sensor: "env" }
            ? "a summary sent over DEALER/ROUTER and decoded"
            : throw new InvalidDataException($"decoded differently: {error}");
    }
#else
    private static async Task<string> UplinkRoundTrip(string db)
    {
        using var store = new SqliteStore(db);
        using var collector = new Collector("tcp://127.0.0.1:0", store);
        collector.Start();
        var outbox = new MemoryOutbox(1024, TimeSpan.FromSeconds(5));
        using var client = new UplinkClient(new UplinkOptions { Endpoint = $"tcp://127.0.0.1:{collector.Port}", DeviceId = "selftest" }, outbox);
        client.Start();
        var f = WindowStatistics.Compute([20f, 21f, 22f]);
        for (var i = 0; i < 10; i++)
        {
            // Windows from 2026-01-01T00:00:00Z: the collector refuses times before 2000 (WireLimits.EarliestTimeNs).
            long start = 1_767_225_600_000_000_000L + (i * 1_000_000_000L);
            client.Enqueue(new Summary { Sensor = "env", Channel = "temperature_c", WindowStartNs = start, WindowEndNs = start + 1_000_000_000L, Features = f });
        }

        if (!await client.FlushAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("not acknowledged within 10 s");
        }

        var stats = store.GetStats();
        return stats.Summaries == 10 ? $"10 summaries sent over DEALER/ROUTER, stored in SQLite and acknowledged" : throw new InvalidDataException($"stored {stats.Summaries} of 10");
    }
#endif

    private static int Check(string name, Func<string> check) => CheckAsync(name, () => Task.FromResult(check())).GetAwaiter().GetResult();

    private static async Task<int> CheckAsync(string name, Func<Task<string>> check)
    {
        try
        {
            Console.WriteLine($"selftest: {name} ok: {await check()}");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"selftest: {name} FAILED: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
