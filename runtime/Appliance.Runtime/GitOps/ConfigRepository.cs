using LibGit2Sharp;

namespace Appliance.Runtime.GitOps;

/// <summary>
/// The device's clone of its configuration repository, kept under its state directory
/// (<c>STATE/repo</c>): cloned on first use, fetched afterwards, and read at the tip of the followed branch.
/// </summary>
/// <remarks>
/// Reading is done from the commit's tree (no checkout), so a half-written working tree can never be applied.
/// Verification, apply and roll back come with the GitOps issue; this is the read path.
/// </remarks>
public sealed class ConfigRepository
{
    /// <summary>The configuration file at the repository's root.</summary>
    public const string ConfigFile = "appliance.toml";

    private readonly string _url;
    private readonly string _clonePath;

    /// <summary>Creates the reader for <paramref name="url"/> (a path, <c>file://</c> URL or any remote libgit2 supports).</summary>
    /// <param name="url">The repository URL.</param>
    /// <param name="stateDirectory">The device's state directory; the clone lives in its <c>repo</c> folder.</param>
    public ConfigRepository(string url, string stateDirectory)
    {
        _url = url;
        _clonePath = System.IO.Path.Combine(stateDirectory, "repo");
    }

    /// <summary>Clones (first time) or fetches the repository, then reads <see cref="ConfigFile"/> at the tip of <paramref name="branch"/>.</summary>
    /// <param name="branch">The branch to follow; when null, the remote's default branch (HEAD).</param>
    /// <exception cref="GitOpsException">The repository cannot be reached, the branch does not exist or the file is missing.</exception>
    public ConfigRevision Pull(string? branch = null)
    {
        try
        {
            if (!Repository.IsValid(_clonePath))
            {
                if (Directory.Exists(_clonePath))
                {
                    Directory.Delete(_clonePath, recursive: true);
                }

                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_clonePath)!);
                Repository.Clone(_url, _clonePath, new CloneOptions { IsBare = true });
            }

            using var repo = new Repository(_clonePath);
            var remote = repo.Network.Remotes["origin"];
            var refspecs = new[] { "+refs/heads/*:refs/remotes/origin/*", "+refs/heads/*:refs/heads/*" };
            Commands.Fetch(repo, remote.Name, refspecs, new FetchOptions { Prune = true }, logMessage: null);

            var tip = (branch is null ? repo.Head?.Tip : repo.Branches[branch]?.Tip ?? repo.Branches["origin/" + branch]?.Tip)
                ?? throw new GitOpsException($"{_url}: branch '{branch ?? "HEAD"}' not found");
            var blob = tip[ConfigFile]?.Target as Blob
                ?? throw new GitOpsException($"{_url}: commit {tip.Sha[..12]} has no {ConfigFile} at the repository root");
            return new ConfigRevision(tip.Sha, ConfigFile, blob.GetContentText());
        }
        catch (LibGit2SharpException e)
        {
            throw new GitOpsException($"{_url}: {e.Message}", e);
        }
    }
}
