using System.CommandLine;
using Appliance.Runtime.Config;
using Appliance.Runtime.GitOps;
using Appliance.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance run --repo URL [--state DIR]</c>: the device. Its configuration is <c>appliance.toml</c> at the tip of the
/// configured branch of the git repository at URL, cloned into <c>STATE/repo</c>. Runs until SIGTERM or Ctrl-C, then stops
/// sampling, summarises what it sampled and waits (up to 10 s) for the collector to acknowledge it.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "The configuration repository (path, file://, https:// or ssh URL)", Required = true };
        var state = new Option<DirectoryInfo>("--state") { Description = "The device's state directory", DefaultValueFactory = _ => new DirectoryInfo("/var/lib/appliance") };
        var branch = new Option<string>("--branch") { Description = "The branch to follow", DefaultValueFactory = _ => "main" };
        var cmd = new Command("run", "Run the device: sample, summarise, detect, score and send upstream") { repo, state, branch };
        cmd.SetAction((p, token) => Cli.Guard(() => RunAsync(p.GetValue(repo)!, p.GetValue(state)!, p.GetValue(branch)!, token)));
        return cmd;
    }

    private static async Task<int> RunAsync(string repo, DirectoryInfo state, string branch, CancellationToken token)
    {
        using var logging = Cli.CreateLogging();
        var log = logging.CreateLogger("run");
        using var stop = Cli.StopOnSignal();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, stop.Token);
        Directory.CreateDirectory(state.FullName);

        var revision = new ConfigRepository(repo, state.FullName).Pull(branch);
        var config = ConfigLoader.Parse(revision.Text, revision.Path);
        log.LogInformation("Device {Device} applying config revision {Revision} from {Repo}", config.Device.Id, revision.Commit, repo);

        using var device = new DeviceHost(config, revision.Commit, new PipelineOptions(), logging, stateDirectory: state.FullName);
        device.Start();
        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException)
        {
        }

        var acked = await device.StopAsync(TimeSpan.FromSeconds(10));
        var c = device.Pipeline.Counters;
        log.LogInformation("Stopped: {Windows} windows summarised, {Alerts} alerts, {Faults} sample faults; outbox fully acknowledged: {Acked}", c.WindowsSummarised, c.Alerts, c.SampleFaults, acked);
        return ExitCodes.Ok;
    }
}
