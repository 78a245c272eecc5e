using System.Globalization;
using System.Text;
using LibGit2Sharp;

namespace Appliance.Device.GitOps;

/// <summary>
/// Writes SSH-signed commits straight into a repository's object database and moves a branch to them, without a working
/// tree and without the <c>git</c> executable (the cloud's side of <c>appliance cloud rollout</c>, in the published binary):
/// blobs and trees through LibGit2Sharp, the commit object built here as git writes it (git's commit format: <c>tree</c>,
/// <c>parent</c>, <c>author</c>, <c>committer</c> headers, a blank line, the message), signed with <see cref="SshSigningKey"/>
/// in namespace <c>git</c> and the signature stored in its <c>gpgsig</c> header as <c>git commit -S</c> with
/// <c>gpg.format = ssh</c> does, so <see cref="CommitVerifier"/> (and <c>git verify-commit</c>) accept it.
/// </summary>
/// <remarks>Meant for the repository the devices pull from (a bare repository; in a repository with a working tree the
/// branch moves and the checked-out files stay as they were). A branch moved by someone else between the read of its tip
/// and the write is refused (<see cref="GitOpsException"/>), so no commit is lost.</remarks>
public sealed class SignedCommitWriter
{
    private readonly string _path;
    private readonly SshSigningKey? _key;
    private readonly string _name;
    private readonly string _email;

    /// <summary>A writer into the repository at <paramref name="path"/>.</summary>
    /// <param name="path">The repository (bare, or a working tree's folder).</param>
    /// <param name="key">The signing key; null for a reader (<see cref="Commit"/> then refuses).</param>
    /// <param name="name">The author and committer name.</param>
    /// <param name="email">The author and committer e-mail.</param>
    /// <exception cref="GitOpsException">No git repository at <paramref name="path"/>.</exception>
    public SignedCommitWriter(string path, SshSigningKey? key, string name = "appliance-cloud", string email = "cloud@appliance.local")
    {
        _path = new[] { path, Path.Combine(path, ".git") }.FirstOrDefault(Repository.IsValid)
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{path}: not a git repository (expected the configuration repository the devices pull from)");
        _key = key;
        _name = name;
        _email = email;
    }

    /// <summary>The commit id at the tip of <paramref name="branch"/>, or null when it does not exist.</summary>
    public string? Tip(string branch)
    {
        using var repo = new Repository(_path);
        return repo.Refs["refs/heads/" + branch]?.TargetIdentifier;
    }

    /// <summary>The bytes of <paramref name="path"/> at <paramref name="commit"/>, or null when the file is not there.</summary>
    public byte[]? ReadFile(string commit, string path)
    {
        using var repo = new Repository(_path);
        if (repo.Lookup<Commit>(commit)?[path]?.Target is not Blob blob)
        {
            return null;
        }

        using var s = blob.GetContentStream();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>The names of the files directly under <paramref name="folder"/> at <paramref name="commit"/>.</summary>
    public IReadOnlyList<string> List(string commit, string folder)
    {
        using var repo = new Repository(_path);
        return repo.Lookup<Commit>(commit)?[folder]?.Target is Tree tree
            ? [.. tree.Where(e => e.TargetType == TreeEntryTargetType.Blob).Select(e => e.Name).Order(StringComparer.Ordinal)]
            : [];
    }

    /// <summary>Commits <paramref name="files"/> (replacing or adding them) on top of <paramref name="branch"/>'s tip, signed,
    /// and moves the branch to the new commit.</summary>
    /// <param name="branch">The branch (for example <c>main</c>); it must exist.</param>
    /// <param name="files">Paths inside the repository (forward slashes) and their bytes.</param>
    /// <param name="message">The commit message.</param>
    /// <param name="when">The author and committer time.</param>
    /// <param name="expectedTip">When given, the tip the change was computed from: the commit is refused if the branch moved since.</param>
    /// <returns>The new commit's id.</returns>
    /// <exception cref="GitOpsException">The branch does not exist or moved since <paramref name="expectedTip"/>.</exception>
    /// <exception cref="ArgumentException">No signing key was given (a reader).</exception>
    public string Commit(string branch, IReadOnlyDictionary<string, byte[]> files, string message, DateTimeOffset when, string? expectedTip = null)
    {
        var key = _key ?? throw new ArgumentException("--signing-key: missing (expected the cloud's ed25519 SSH private key file; its public key must be in the devices' allowed signers)");
        using var repo = new Repository(_path);
        string refName = "refs/heads/" + branch;
        string tip = repo.Refs[refName]?.TargetIdentifier
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{_path}: branch {branch} does not exist");
        if (expectedTip is not null && tip != expectedTip)
        {
            throw new GitOpsException($"{_path}: branch {branch} moved from {expectedTip[..12]} to {tip[..12]} while this change was made; run it again");
        }

        var parent = repo.Lookup<Commit>(tip);
        var definition = TreeDefinition.From(parent);
        foreach (var (path, bytes) in files)
        {
            using var content = new MemoryStream(bytes, writable: false);
            definition.Add(path, repo.ObjectDatabase.CreateBlob(content), Mode.NonExecutableFile);
        }

        var tree = repo.ObjectDatabase.CreateTree(definition);
        string stamp = string.Create(CultureInfo.InvariantCulture, $"{_name} <{_email}> {when.ToUnixTimeSeconds()} +0000");
        string unsigned = $"tree {tree.Sha}\nparent {tip}\nauthor {stamp}\ncommitter {stamp}\n\n{message.TrimEnd('\n')}\n";
        string signature = key.Sign(Encoding.UTF8.GetBytes(unsigned), CommitVerifier.GitNamespace);
        int body = unsigned.IndexOf("\n\n", StringComparison.Ordinal) + 1;
        string signed = unsigned[..body] + "gpgsig " + signature.Replace("\n", "\n ", StringComparison.Ordinal) + "\n" + unsigned[body..];
        var id = repo.ObjectDatabase.Write<Commit>(Encoding.UTF8.GetBytes(signed));
        if (repo.Refs[refName]?.TargetIdentifier != tip)
        {
            throw new GitOpsException($"{_path}: branch {branch} moved while this change was written; run it again");
        }

        repo.Refs.Add(refName, id, allowOverwrite: true);
        return id.Sha;
    }
}
