using System.CommandLine;
using Appliance.Device.GitOps;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance init-config DIR</c>: writes a valid, commented starting configuration repository for the embedded demo
/// (<see cref="StarterRepository"/>) into a new or empty folder and makes it a git repository (nothing committed, so that
/// the operator's first commit is signed by the operator).
/// </summary>
internal static class InitConfigCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "The folder to create (must be absent or empty)" };
        var cmd = new Command("init-config", "Write a starting configuration repository (appliance.toml, devices/, models/)") { dir };
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(dir)!))));
        return cmd;
    }

    private static int Run(DirectoryInfo dir)
    {
        if (dir.Exists && dir.EnumerateFileSystemInfos().Any())
        {
            throw new ArgumentException($"{dir.FullName}: not empty (init-config writes a new repository into an absent or empty folder)");
        }

        dir.Create();
        foreach (var (path, bytes) in StarterRepository.Files())
        {
            var full = Path.Combine(dir.FullName, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }

        LibGit2Sharp.Repository.Init(dir.FullName);
        using (var repo = new LibGit2Sharp.Repository(dir.FullName))
        {
            repo.Refs.UpdateTarget("HEAD", "refs/heads/main");
        }

        Console.WriteLine($"init-config: wrote {StarterRepository.Files().Count} files to {dir.FullName}");
        Console.WriteLine("next: git -C DIR add -A && git -C DIR -c gpg.format=ssh -c user.signingkey=KEY.pub commit -S -m 'Initial configuration', then push it where devices pull from");
        return ExitCodes.Ok;
    }
}
