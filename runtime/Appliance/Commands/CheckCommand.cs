using System.CommandLine;
using Appliance.Contracts.Config;
using Appliance.Device.GitOps;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance check REPO_DIR [--rev REV] [--trust FILE]</c>: validates a committed revision of a configuration repository
/// before it is pushed, as every device would validate it (<see cref="RevisionLoader"/>, the device's own code path): the tree
/// (file and revision sizes, submodules), <c>appliance.toml</c> alone and with each <c>devices/ID.toml</c> over it, what the
/// pipeline would refuse (a plaintext endpoint off loopback, a window the tumbling window refuses), every <c>models/*</c>
/// bundle (manifest, hashes, <c>selftest.toml</c>) and, with <c>--trust</c>, the commit's signature. Buses are not checked
/// (they are the device's). Prints one line per problem (<c>file:line: key: what was expected</c>) and exits 2, or prints
/// <c>ok: N devices, M models</c> and exits 0.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("REPO_DIR") { Description = "The configuration repository (a git working clone or a bare repository)" };
        var rev = new Option<string>("--rev") { Description = "The revision to check (default HEAD: what a push would send)", DefaultValueFactory = _ => "HEAD" };
        var trust = new Option<FileInfo?>("--trust") { Description = "Allowed-signers file: also check that the revision is signed by a key it trusts" };
        var limits = new RepositoryLimitOptions();
        var cmd = new Command("check", "Validate a configuration repository's revision (configuration, device overrides, models) as a device would") { dir, rev, trust };
        limits.AddTo(cmd);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(dir)!, p.GetValue(rev)!, p.GetValue(trust), limits.Read(p)))));
        return cmd;
    }

    private static int Run(DirectoryInfo dir, string rev, FileInfo? trust, RepositoryLimits limits)
    {
        var repo = ConfigRepository.OpenLocal(dir.FullName, limits);
        var commit = repo.Resolve(rev);
        var problems = new List<string>();
        var devices = new SortedSet<string>(StringComparer.Ordinal);
        var models = 0;
        void Try(Action check)
        {
            try
            {
                check();
            }
            catch (Exception e) when (e is ConfigException or GitOpsException or FormatException)
            {
                var message = Appliance.Kernels.Text.QuotedText.MessageOf(e);
                if (!problems.Contains(message))
                {
                    problems.Add(message);
                }
            }
        }

        if (trust is not null)
        {
            Try(() => CommitVerifier.Trusting(AllowedSigners.Load(trust.FullName)).Verify(repo, commit));
        }

        Try(() => repo.CheckTree(commit));
        Try(() => RolloutLoader.Read(repo, commit)); // rollouts/*.toml: each file, and at most one rollout in progress per model
        void Device(string? id) => Try(() =>
        {
            var config = RevisionLoader.Config(repo, commit, id, checkBuses: false);
            RevisionLoader.Models(repo, commit, config);
            devices.Add(config.Device.Id);
        });

        Device(null);
        foreach (var file in repo.List(commit, "devices", folders: false))
        {
            var id = file.EndsWith(".toml", StringComparison.Ordinal) ? file[..^".toml".Length] : null;
            if (id is null || !ConfigLoader.IsDeviceId(id))
            {
                problems.Add($"devices/{file}: not a device override (expected devices/ID.toml, ID {ConfigLoader.DeviceIdRule[("expected ".Length)..]})");
                continue;
            }

            Device(id);
        }

        foreach (var name in repo.List(commit, "models", folders: true))
        {
            Try(() =>
            {
                RevisionLoader.Model(repo, commit, name);
                models++;
            });
        }

        foreach (var p in problems)
        {
            Console.WriteLine(p);
        }

        if (problems.Count > 0)
        {
            Console.Error.WriteLine($"check: {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")} in revision {commit[..12]} of {dir.FullName}");
            return ExitCodes.BadInput;
        }

        Console.WriteLine($"ok: {devices.Count} devices, {models} models");
        return ExitCodes.Ok;
    }
}
