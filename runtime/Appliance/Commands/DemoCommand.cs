using Appliance.Contracts.Inference;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Device.Hosting;
using Appliance.Device.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance demo [--replay CSV] [--speed max|N] [--duration T] [--window T] [--db postgresql://USER@HOST/DB] [--model DIR]</c>: a collector and
/// a device on loopback; the collector stores into STATE/cloud.db (SQLite), or into PostgreSQL through <see cref="PostgresStore"/>.
/// The device's configuration comes from a git repository the demo writes (the embedded default; with <c>--model</c>, the
/// model folder as <c>models/NAME/</c>), applied by the same reconciler to the same <see cref="DeviceRuntime"/> as in
/// <c>appliance run</c>. The last line is
/// <c>demo: N windows summarised, M summaries stored, A alerts</c>.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var replay = new Option<FileInfo?>("--replay") { Description = "Replay a timestamp,value CSV instead of the emulated BME280" };
        var speed = new Option<string>("--speed") { Description = "Replay speed: max, or N times the recording's own pace", DefaultValueFactory = _ => "max" };
        var duration = new Option<string>("--duration") { Description = "How long a live demo runs (e.g. 20s, 2m)", DefaultValueFactory = _ => "20s" };
        var window = new Option<string?>("--window") { Description = "Tumbling window length for a replay (default 3h); a live demo uses its configuration's" };
        var state = new Option<DirectoryInfo?>("--state") { Description = "Folder for the demo's repository, device state and database (default: a new temporary folder)" };
        var db = new Option<string?>("--db") { Description = "Store into PostgreSQL at a postgresql://USER[:PASSWORD]@HOST[:PORT]/DB URL instead of STATE/cloud.db (the demo device's earlier rows there are deleted first)" };
        var model = new Option<DirectoryInfo?>("--model") { Description = "A model folder written by appliance train (model.onnx, selftest.json): every sensor's detector becomes onnx, scored by this model" };
        var fleet = new Option<int?>("--fleet") { Description = "With --rollout: this many devices (dev-1 ...) and a model rollout in waves through the collector's controller (DemoFleetCommand)" };
        var rollout = new Option<string?>("--rollout") { Description = "With --fleet: good (the demo model under another name: promoted) or bad (its threshold / 1000: aborted at the canary)" };
        var cmd = new Command("demo", "Run a collector and a device on loopback on the embedded default configuration") { replay, speed, duration, window, state, db, model, fleet, rollout };
        cmd.SetAction((p, token) => Cli.Guard(() => p.GetValue(fleet) is not null || p.GetValue(rollout) is not null
            ? DemoFleetCommand.RunAsync(p.GetValue(fleet) ?? throw new ArgumentException("--rollout needs --fleet N"), p.GetValue(rollout) ?? throw new ArgumentException("--fleet needs --rollout good|bad"),
                p.GetValue(state)?.FullName ?? Path.Combine(Path.GetTempPath(), "appliance-fleet-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)), token)
            : RunAsync(p.GetValue(replay), p.GetValue(speed)!, p.GetValue(duration)!, p.GetValue(window), p.GetValue(state), p.GetValue(db), token, p.GetValue(model))));
        return cmd;
    }

    private static async Task<int> RunAsync(FileInfo? replay, string speedText, string durationText, string? windowText, DirectoryInfo? stateDir, string? dbUrl, CancellationToken token, DirectoryInfo? modelDir = null)
    {
        if (dbUrl is not null && !PostgresStore.IsUrl(dbUrl))
        {
            throw new ArgumentException($"--db {dbUrl}: expected a postgresql://USER@HOST[:PORT]/DB URL (the SQLite demo store is STATE/cloud.db)");
        }

        if (!Duration.TryParse(durationText, out var duration, out var error))
        {
            throw new ArgumentException($"--duration: {error}");
        }

        double speed = 0;
        if (speedText != "max" && !(double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) && speed > 0))
        {
            throw new ArgumentException($"--speed: '{speedText}' is not a speed (expected max or a positive number)");
        }

        var windowLength = TimeSpan.FromHours(3);
        if (windowText is not null && !Duration.TryParse(windowText, out windowLength, out error))
        {
            throw new ArgumentException($"--window: {error}");
        }

        if (replay is not null && !replay.Exists)
        {
            throw new FileNotFoundException($"{replay.FullName}: file not found (expected a timestamp,value CSV)");
        }

        using var logging = Cli.CreateLogging(LogLevel.Warning);
        using var stop = Cli.StopOnSignal();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, stop.Token);
        var root = stateDir?.FullName ?? Path.Combine(Path.GetTempPath(), "appliance-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        var dbPath = Path.Combine(root, "cloud.db");
        File.Delete(dbPath);

        using ICollectorStore store = dbUrl is null ? new SqliteStore(dbPath) : new PostgresStore(dbUrl);
        using var collector = new Collector("tcp://127.0.0.1:0", store, logging.CreateLogger<Collector>());
        collector.Start();
        var endpoint = $"tcp://127.0.0.1:{collector.Port}";

        // The device's configuration arrives through git, as on a real device.
        var toml = DefaultConfig.Toml.Replace(DefaultConfig.EndpointPlaceholder, endpoint, StringComparison.Ordinal);
        if (replay is not null)
        {
            toml = DefaultConfig.ReplayToml(endpoint, replay.FullName, windowLength);
        }

        // A model folder goes into the repository as a pushed model does (models/NAME/), checked first as the device checks
        // one (SHA256SUMS lists every file and every hash matches; selftest.toml reproduces): a refused model is a bad input.
        var files = new Dictionary<string, byte[]>();
        if (modelDir is not null)
        {
            var name = ModelName(modelDir);
            toml = WithModel(toml, modelDir, name);
            ModelPackage.LoadDirectory(modelDir.FullName);
            foreach (var file in modelDir.GetFiles())
            {
                files[$"models/{name}/{file.Name}"] = File.ReadAllBytes(file.FullName);
            }
        }

        files[ConfigRepository.ConfigFile] = System.Text.Encoding.UTF8.GetBytes(toml);
        var repoPath = Path.Combine(root, "config-repo");
        if (Directory.Exists(repoPath))
        {
            Directory.Delete(repoPath, recursive: true);
        }

        var commit = SeedRepository.Create(repoPath, files);
        var deviceState = Path.Combine(root, "device");
        if (Directory.Exists(deviceState))
        {
            Directory.Delete(deviceState, recursive: true);
        }

        var config = ConfigLoader.Parse(toml, ConfigRepository.ConfigFile);
        if (store is PostgresStore pg)
        {
            pg.ForgetDevice(config.Device.Id); // its sequences start again at 1: earlier runs' rows would make them duplicates
        }

        Console.WriteLine($"demo: collector on {endpoint}, database {(dbUrl is null ? dbPath : store.ToString())}");
        Console.WriteLine($"demo: device {config.Device.Id} at config revision {commit[..12]}, {config.Sensors.Count} sensor(s), {config.Window.Length.TotalSeconds:G} s windows" +
            (replay is null ? $", running for {duration.TotalSeconds:G} s" : $", replaying {replay.Name} at speed {speedText}"));

        // The device of `appliance run`, applying the demo repository's revision through the same reconciler (signature
        // checks off: the demo wrote the commit itself; the reconciler logs only errors here, so the output stays the demo's).
        var options = new PipelineOptions { ReplaySpeed = speed, LiveLine = Console.WriteLine };
        var clock = Stopwatch.StartNew();
        using var device = new DeviceRuntime(logging, options, deviceState);
        using var gitopsLogging = Cli.CreateLogging(LogLevel.Error);
        using var reconciler = device.Follow(
            new ReconcilerOptions { Url = repoPath, StateDirectory = deviceState, Verifier = CommitVerifier.Insecure(), BakedInToml = DefaultConfig.Toml },
            gitopsLogging.CreateLogger("gitops"));
        try
        {
            await reconciler.StartAsync(linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
        }

        if (!linked.IsCancellationRequested)
        {
            var option = modelDir is null ? "demo" : "--model";
            if (reconciler.Applied?.Revision != commit)
            {
                throw new ArgumentException($"{option}: configuration revision {commit[..12]} was not applied: {reconciler.ConfigError}");
            }

            if (device.Pipeline?.LastModelRejection is { } rejection)
            {
                throw new ArgumentException($"{option}: {rejection}");
            }
        }

        if (modelDir is not null)
        {
            Console.WriteLine($"demo: model {modelDir.FullName} scores every window (detector onnx)");
        }

        if (replay is null)
        {
            try
            {
                var left = duration - (device.Pipeline?.Running ?? TimeSpan.Zero); // the demo samples for the duration
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, linked.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        else if (device.Pipeline is { } running)
        {
            await running.Completion.WaitAsync(linked.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var acked = await device.StopAsync(TimeSpan.FromSeconds(30));
        var elapsed = clock.Elapsed;
        var pipeline = device.Pipeline;
        var counters = pipeline?.Counters ?? default;
        // This device's rows (a shared PostgreSQL database may hold other devices').
        var mine = store.GetDevices().FirstOrDefault(d => d.DeviceId == config.Device.Id);
        var stats = new { Summaries = mine?.Summaries ?? 0, Alerts = mine?.Alerts ?? 0 };
        var windows = counters.WindowsSummarised;
        Console.WriteLine($"demo: {counters.SamplesRead} samples, {counters.SampleFaults} faults, {counters.LateSamples} late (dropped: older than the open window), {counters.InferenceRuns} ONNX runs on {pipeline?.ExecutionProvider ?? "none"}, " +
            $"{windows / Math.Max(elapsed.TotalSeconds, 1e-3):F1} summaries/s over {elapsed.TotalSeconds:F1} s, outbox fully acknowledged: {(acked ? "yes" : "no")}");
        foreach (var alarm in device.Alarms?.Snapshot() ?? [])
        {
            Console.WriteLine($"demo: alarm {alarm.Name} raised {alarm.Raises} times, cleared {alarm.Clears} times, {alarm.Faults} write faults");
        }

        Console.WriteLine($"demo: {windows} windows summarised, {stats.Summaries} summaries stored, {stats.Alerts} alerts");
        if (replay is not null && pipeline?.SourceFailure is null && counters.SamplesRead == 0)
        {
            Console.Error.WriteLine($"appliance: --replay {replay.FullName}: no data rows (expected rows after the header, such as '2024-01-01 00:00:00,1.5')");
            return ExitCodes.BadInput;
        }

        if (replay is not null && pipeline?.SourceFailure is { } failure)
        {
            // The rows before the bad one were summarised and stored (above); the replay itself was bad input.
            Console.Error.WriteLine($"appliance: --replay stopped early: {failure}");
            return ExitCodes.BadInput;
        }

        return acked && stats.Summaries == windows && windows > 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>The name of the model's folder in the demo repository (<c>models/NAME/</c>): the folder's name, in the letters a model name may hold.</summary>
    private static string ModelName(DirectoryInfo modelDir)
    {
        var name = new string([.. modelDir.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]).TrimStart('.');
        return name.Length == 0 ? "trained" : name;
    }

    /// <summary>The demo's configuration with the ONNX detector on every sensor and <c>[inference] model</c> naming the bundle.</summary>
    private static string WithModel(string toml, DirectoryInfo modelDir, string name)
    {
        if (!File.Exists(Path.Combine(modelDir.FullName, "model.onnx")))
        {
            throw new FileNotFoundException($"{modelDir.FullName}: no model.onnx (expected a folder written by appliance train)");
        }

        var lines = new List<string>();
        foreach (var line in toml.Split('\n'))
        {
            lines.Add(line);
            var t = line.Trim();
            if (t == "[[sensor]]")
            {
                lines.Add("detector = \"onnx\"");
            }
            else if (t == "[inference]")
            {
                lines.Add($"model = \"{name}\"");
            }
        }

        return string.Join('\n', lines);
    }
}
