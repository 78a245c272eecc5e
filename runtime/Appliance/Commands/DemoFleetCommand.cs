using System.Diagnostics;
using System.Globalization;
using System.Text;
using Appliance.Cloud.Ingest;
using Appliance.Cloud.Rollouts;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;
using Appliance.Device.Hosting;
using Appliance.Device.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance demo --fleet N --rollout good|bad</c> (issue 18): N devices on emulated BME280s in this process, each its own
/// id (<c>dev-1</c> ...) and state folder, one collector with the rollout controller, one configuration repository on disk
/// whose commits the devices verify against the demo's cloud key (made in memory). The candidate is the embedded demo model
/// under another name (<c>good</c>) or the same model with its threshold divided by 1000, so that it would alert on most
/// windows (<c>bad</c>). Ends with one line: <c>rollout: NAME promoted|aborted after W waves in T s (REASON)</c>.
/// </summary>
internal static class DemoFleetCommand
{
    /// <summary>The bake time of each wave in the demo.</summary>
    public static readonly TimeSpan Bake = TimeSpan.FromSeconds(12);

    public static async Task<int> RunAsync(int fleet, string rollout, string root, CancellationToken token)
    {
        if (fleet is < 2 or > 32)
        {
            throw new ArgumentException($"--fleet {fleet}: expected 2 to 32 devices");
        }

        double scale = rollout switch
        {
            "good" => 1,
            "bad" => 1e-3,
            _ => throw new ArgumentException($"--rollout {rollout}: expected good or bad"),
        };
        using var logging = Cli.CreateLogging(LogLevel.Error);
        Directory.CreateDirectory(root);
        string dbPath = Path.Combine(root, "cloud.db"), repoPath = Path.Combine(root, "config-repo");
        File.Delete(dbPath);
        if (Directory.Exists(repoPath))
        {
            Directory.Delete(repoPath, recursive: true);
        }

        var key = SshSigningKey.Generate("cloud@appliance-demo");
        var trust = AllowedSigners.Parse($"cloud@appliance-demo namespaces=\"git\" {key.PublicKeyLine}\n", "demo allowed signers");
        int port = FreePort(); // the collector's endpoint goes into the repository, which the controller needs before the collector
        string name = "candidate-" + rollout;
        SeedRepository.Create(repoPath, Files($"tcp://127.0.0.1:{port}", name, scale));
        using var store = new SqliteStore(dbPath);
        var writer = new SignedCommitWriter(repoPath, key);
        var controller = new RolloutController(store, writer);
        using var collector = new Collector($"tcp://127.0.0.1:{port}", new ShadowReportingStore(store, controller), logging.CreateLogger<Collector>());
        collector.Start();
        // The seed commit is unsigned: the first signed commit (the rollout file) is the revision the devices take.
        writer.Commit(RolloutController.Branch, new Dictionary<string, byte[]> { [$"{RolloutFile.Folder}/{rollout}.toml"] = Encoding.UTF8.GetBytes(RolloutToml(name)) },
            $"rollout {rollout}: {name} replacing {StarterRepository.ModelName}", DateTimeOffset.UtcNow);
        Console.WriteLine($"demo: collector on port {collector.Port}, {fleet} devices, repository {repoPath}, rollout {rollout} of {name} (bake {Bake.TotalSeconds:G} s per wave)");

        var devices = new List<(DeviceRuntime Device, Reconciler Reconciler)>();
        var following = new List<Task>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        try
        {
            for (int i = 1; i <= fleet; i++)
            {
                string state = Path.Combine(root, $"device-{i}");
                if (Directory.Exists(state))
                {
                    Directory.Delete(state, recursive: true);
                }

                var device = new DeviceRuntime(logging, new PipelineOptions(), state);
                var reconciler = device.Follow(new ReconcilerOptions
                {
                    Url = repoPath, StateDirectory = state, DeviceId = $"dev-{i}", Verifier = CommitVerifier.Trusting(trust),
                    BakedInToml = DefaultConfig.Toml,
                }, logging.CreateLogger("gitops"));
                devices.Add((device, reconciler));
                await reconciler.StartAsync(token);
                following.Add(device.Supervision.RunAsync("reconciler", reconciler.RunAsync, stop.Token)); // polls every [gitops] interval, as appliance run
            }

            var clock = Stopwatch.StartNew();
            while (store.GetDevices().Count(d => d.HeartbeatNs > 0) < fleet)
            {
                await Task.Delay(500, token);
            }

            var step = controller.Start(rollout);
            Console.WriteLine($"demo: wave 1 of {step.Spec.Waves.Count} in shadow on {string.Join(", ", step.Audit.Devices)} ({clock.Elapsed.TotalSeconds:F1} s for the fleet's first heartbeats)");
            clock.Restart();
            var waveClock = Stopwatch.StartNew();
            while (true)
            {
                await Task.Delay(CloudRolloutCommand.TickPeriod, token);
                foreach (var s in controller.Tick())
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo: wave {s.Audit.Wave} {s.Audit.Event} after {waveClock.Elapsed.TotalSeconds:F1} s: {s.Audit.Reason} [{s.Audit.Figures}]"));
                    waveClock.Restart();
                    if (s.Spec.State.Phase is RolloutPhase.Promoted or RolloutPhase.Aborted)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"rollout: {rollout} {s.Spec.State.Phase.ToString().ToLowerInvariant()} after {s.Spec.State.Wave} waves in {clock.Elapsed.TotalSeconds:F0} s ({s.Spec.State.Reason})"));
                        return ExitCodes.Ok;
                    }
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(following).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var (device, reconciler) in devices)
            {
                reconciler.Dispose();
                await device.StopAsync(TimeSpan.FromSeconds(10));
                device.Dispose();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dictionary<string, byte[]> Files(string endpoint, string candidate, double scale)
    {
        string toml = DefaultConfig.Toml.Replace(DefaultConfig.EndpointPlaceholder, endpoint, StringComparison.Ordinal)
            .Replace("[inference]\n", $"[inference]\nmodel = \"{StarterRepository.ModelName}\"\n", StringComparison.Ordinal)
            .Replace("interval = \"30s\"", "interval = \"1s\"", StringComparison.Ordinal);
        var files = new Dictionary<string, byte[]>(StarterRepository.ModelFiles(StarterRepository.ModelName)) { [ConfigRepository.ConfigFile] = Encoding.UTF8.GetBytes(toml) };
        foreach (var (path, bytes) in StarterRepository.ModelFiles(candidate, scale))
        {
            files[path] = bytes;
        }

        return files;
    }

    private static string RolloutToml(string candidate) => $"""
        [rollout]
        model = "{candidate}"
        incumbent = "{StarterRepository.ModelName}"
        target = "all"
        waves = [1, "25%", "100%"]
        bake = "{Duration.Format(Bake)}"

        [criteria]
        min_windows = 5
        report_timeout = "40s"

        """;
}
