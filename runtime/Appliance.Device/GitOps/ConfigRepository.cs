using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using LibGit2Sharp;

namespace Appliance.Device.GitOps;

/// <summary>
/// The device's clone of its configuration repository, kept under its state directory (<c>STATE/repo</c>, bare):
/// cloned on first use, fetched afterwards (force-pushed branches are followed: the fetch refspec is forced), and read
/// from commit trees (no checkout, so a half-written working tree can never be applied). The last known good revision is
/// pinned by the ref <c>refs/appliance/lkg</c>, so it stays readable offline and after the remote rewrites its history.
/// </summary>
public sealed class ConfigRepository
{
    /// <summary>The configuration file at the repository's root.</summary>
    public const string ConfigFile = "appliance.toml";

    /// <summary>The ref that pins the last known good revision inside the clone.</summary>
    public const string LastKnownGoodRef = "refs/appliance/lkg";

    /// <summary>The largest file the device reads from the repository, in bytes (a configuration is far smaller).</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>The largest model file the device reads from the repository, in bytes.</summary>
    public const long MaxModelBytes = ModelPackage.MaxModelBytes;

    private readonly string _url;
    private readonly string _fetchUrl;
    private readonly string? _user;
    private readonly string? _password;
    private readonly RepositoryAccess _access;
    private readonly string _clonePath;

    /// <summary>Creates the reader for <paramref name="url"/>.</summary>
    /// <param name="url">The repository: a local path, <c>file://</c>, <c>https://</c>, <c>ssh://</c> or <c>user@host:path</c>.
    /// Credentials in it (<c>https://user:TOKEN@host/...</c>) are taken off: sent through the credentials callback, never
    /// stored in the clone, shown as <see cref="UrlSecrets.Mask"/>.</param>
    /// <param name="stateDirectory">The device's state directory; the clone lives in its <c>repo</c> folder.</param>
    /// <param name="access">The token file and CA file for <c>https://</c>; <see cref="RepositoryAccess.None"/> when null.</param>
    /// <exception cref="GitOpsException">The URL's scheme is not supported (<see cref="GitOpsFailure.UnsupportedScheme"/>).</exception>
    public ConfigRepository(string url, string stateDirectory, RepositoryAccess? access = null)
    {
        CheckScheme(url);
        _url = UrlSecrets.Redact(url)!;
        (_fetchUrl, _user, _password) = UrlSecrets.Split(url);
        _access = access ?? RepositoryAccess.None;
        _clonePath = System.IO.Path.Combine(stateDirectory, "repo");
    }

    /// <summary>The repository URL as it may be shown: its userinfo replaced by <see cref="UrlSecrets.Mask"/>.</summary>
    public string Url => _url;

    /// <summary>Whether a clone exists in the state directory (so that the device can start offline from it).</summary>
    public bool HasClone => Repository.IsValid(_clonePath);

    /// <summary>
    /// Refuses URLs the device does not fetch over. Accepted: a local path, <c>file://</c>, <c>https://</c>,
    /// <c>ssh://</c> and scp-like <c>user@host:path</c>. Refused: <c>http://</c> and <c>git://</c> (no transport
    /// security) and anything else.
    /// </summary>
    /// <exception cref="GitOpsException">The scheme is not supported.</exception>
    public static void CheckScheme(string url)
    {
        var colon = url.IndexOf("://", StringComparison.Ordinal);
        if (colon < 0)
        {
            return; // a path, or scp-like user@host:path
        }

        var scheme = url[..colon].ToLowerInvariant();
        if (scheme is not ("file" or "https" or "ssh"))
        {
            throw new GitOpsException(GitOpsFailure.UnsupportedScheme, $"{UrlSecrets.Redact(url)}: scheme '{scheme}' is not supported (expected a path, file://, https://, ssh:// or user@host:path)");
        }
    }

    /// <summary>Clones (first time) or fetches the repository; a branch rewritten on the remote replaces the local one.</summary>
    /// <exception cref="GitOpsException">The remote is unreachable, refuses the credentials, or the clone is unusable.</exception>
    public void Fetch()
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
                Repository.Clone(_fetchUrl, _clonePath, new CloneOptions(Authenticated(new FetchOptions())) { IsBare = true });
            }

            using var repo = new Repository(_clonePath);
            if (repo.Network.Remotes["origin"]?.Url is { } stored && UrlSecrets.Split(stored) is { Password: not null } split)
            {
                // A clone made before credentials were taken off the URL keeps the token in its config: rewrite it.
                repo.Network.Remotes.Update("origin", r => r.Url = split.Url);
            }

            var refspecs = new[] { "+refs/heads/*:refs/remotes/origin/*", "+refs/heads/*:refs/heads/*" };
            Commands.Fetch(repo, "origin", refspecs, Authenticated(new FetchOptions { Prune = true }), logMessage: null);
        }
        catch (LibGit2SharpException e)
        {
            throw Classify(e);
        }
    }

    /// <summary>
    /// <paramref name="options"/> with the credentials callback (the URL's password, or the token file's token; asked
    /// for by libgit2 only when the server answers 401) and the certificate check of <see cref="RepositoryAccess.Trusts"/>.
    /// </summary>
    private FetchOptions Authenticated(FetchOptions options)
    {
        var password = _password ?? _access.Token();
        if (password is not null)
        {
            var credentials = new UsernamePasswordCredentials { Username = _user ?? RepositoryAccess.DefaultUser, Password = password };
            options.CredentialsProvider = (_, _, _) => credentials;
        }

        if (_access.HasCaFile)
        {
            options.CertificateCheck = _access.Trusts; // without a CA file, libgit2's own verification alone decides, as before
        }

        return options;
    }

    /// <summary>The commit id at the tip of <paramref name="branch"/> in the clone, or null when the branch does not exist.</summary>
    public string? Tip(string branch)
    {
        using var repo = Open();
        return (repo.Branches[branch]?.Tip ?? repo.Branches["origin/" + branch]?.Tip)?.Sha;
    }

    /// <summary>The last known good revision pinned in the clone, or null.</summary>
    public string? LastKnownGood()
    {
        if (!HasClone)
        {
            return null;
        }

        using var repo = Open();
        return repo.Refs[LastKnownGoodRef]?.TargetIdentifier;
    }

    /// <summary>Pins <paramref name="commit"/> as the last known good revision.</summary>
    public void PinLastKnownGood(string commit)
    {
        using var repo = Open();
        repo.Refs.Add(LastKnownGoodRef, new ObjectId(commit), allowOverwrite: true);
    }

    /// <summary>Whether <paramref name="commit"/> exists in the clone.</summary>
    public bool Contains(string commit)
    {
        using var repo = Open();
        return ObjectId.TryParse(commit, out var id) && repo.Lookup<Commit>(id) is not null;
    }

    /// <summary>True when <paramref name="ancestor"/> is reachable from <paramref name="descendant"/> (or equal to it).</summary>
    public bool IsAncestor(string ancestor, string descendant)
    {
        using var repo = Open();
        var a = repo.Lookup<Commit>(ancestor);
        var d = repo.Lookup<Commit>(descendant);
        return a is not null && d is not null && repo.ObjectDatabase.FindMergeBase(a, d)?.Sha == a.Sha;
    }

    /// <summary>The committer time of <paramref name="commit"/> (read from the raw object, as LibGit2Sharp's signature marshalling fails under Native AOT).</summary>
    public DateTimeOffset CommitTime(string commit) => Raw(commit).CommitTime;

    /// <summary>
    /// The commit's <c>gpgsig</c> header and the signed payload (the raw commit object without that header, as git signs
    /// it), or null when the commit is unsigned.
    /// </summary>
    public (string Signature, byte[] SignedData)? Signature(string commit)
    {
        var raw = Raw(commit);
        return raw.Signature is null ? null : (raw.Signature, raw.SignedData);
    }

    private RawCommit Raw(string commit)
    {
        try
        {
            return RawCommit.Parse(RawCommitReader.Read(_clonePath, commit));
        }
        catch (FormatException e)
        {
            throw new GitOpsException(GitOpsFailure.Other, $"commit {commit}: {e.Message}", e);
        }
    }

    /// <summary>The text of <paramref name="path"/> at <paramref name="commit"/>, or null when the file is absent.</summary>
    /// <exception cref="GitOpsException">The file is larger than <paramref name="maxBytes"/>.</exception>
    public byte[]? ReadFile(string commit, string path, long maxBytes = MaxFileBytes)
    {
        using var repo = Open();
        if (Find(repo, commit)[path]?.Target is not Blob blob)
        {
            return null;
        }

        if (blob.Size > maxBytes)
        {
            throw new GitOpsException(GitOpsFailure.Other, $"{path}: file is {blob.Size} bytes: larger than the {maxBytes} bytes the device reads");
        }

        using var stream = blob.GetContentStream();
        using var copy = new MemoryStream((int)blob.Size);
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The names of the entries directly inside folder <paramref name="path"/> at <paramref name="commit"/> (empty when absent).</summary>
    /// <param name="commit">The commit.</param>
    /// <param name="path">The folder.</param>
    /// <param name="folders">True for sub-folders, false for files.</param>
    public IReadOnlyList<string> List(string commit, string path, bool folders)
    {
        using var repo = Open();
        if (Find(repo, commit)[path]?.Target is not Tree tree)
        {
            return [];
        }

        var kind = folders ? TreeEntryTargetType.Tree : TreeEntryTargetType.Blob;
        return tree.Where(e => e.TargetType == kind).Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Clones or fetches, then reads <see cref="ConfigFile"/> at the tip of <paramref name="branch"/> (no verification: the demo's path).</summary>
    /// <param name="branch">The branch to follow; when null, the remote's default branch (HEAD).</param>
    /// <exception cref="GitOpsException">The repository cannot be reached, the branch does not exist or the file is missing.</exception>
    public ConfigRevision Pull(string? branch = null)
    {
        Fetch();
        using var repo = Open();
        var tip = (branch is null ? repo.Head?.Tip : repo.Branches[branch]?.Tip ?? repo.Branches["origin/" + branch]?.Tip)
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{_url}: branch '{branch ?? "HEAD"}' not found");
        var blob = tip[ConfigFile]?.Target as Blob
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{_url}: commit {tip.Sha[..12]} has no {ConfigFile} at the repository root");
        return new ConfigRevision(tip.Sha, ConfigFile, blob.GetContentText());
    }

    private static Commit Find(Repository repo, string commit) =>
        repo.Lookup<Commit>(commit) ?? throw new GitOpsException(GitOpsFailure.NotFound, $"commit {commit} is not in the clone");

    private Repository Open()
    {
        try
        {
            return new Repository(_clonePath);
        }
        catch (LibGit2SharpException e)
        {
            throw new GitOpsException(GitOpsFailure.NotFound, $"{_clonePath}: no usable clone ({e.Message})", e);
        }
    }

    private GitOpsException Classify(LibGit2SharpException e)
    {
        var m = e.Message;
        var failure =
            m.Contains("authentication", StringComparison.OrdinalIgnoreCase) || m.Contains("401", StringComparison.Ordinal) || m.Contains("403", StringComparison.Ordinal)
                || m.Contains("credentials", StringComparison.OrdinalIgnoreCase)
                ? GitOpsFailure.Authentication
            : m.Contains("unsupported URL protocol", StringComparison.OrdinalIgnoreCase)
                ? GitOpsFailure.UnsupportedScheme
            : e is RepositoryNotFoundException || m.Contains("failed to resolve", StringComparison.OrdinalIgnoreCase) || m.Contains("could not find repository", StringComparison.OrdinalIgnoreCase)
                || m.Contains("failed to connect", StringComparison.OrdinalIgnoreCase) || m.Contains("timed out", StringComparison.OrdinalIgnoreCase)
                || m.Contains("connection", StringComparison.OrdinalIgnoreCase) || m.Contains("no such file", StringComparison.OrdinalIgnoreCase)
                || m.Contains("failed to send request", StringComparison.OrdinalIgnoreCase) || m.Contains("object not found", StringComparison.OrdinalIgnoreCase)
                || m.Contains("path", StringComparison.OrdinalIgnoreCase) || m.Contains("not a git repository", StringComparison.OrdinalIgnoreCase)
                ? GitOpsFailure.Unreachable
            : GitOpsFailure.Other;
        var what = failure switch
        {
            GitOpsFailure.Authentication => "authentication failed",
            GitOpsFailure.Unreachable => "unreachable",
            GitOpsFailure.UnsupportedScheme => "unsupported scheme",
            _ => "fetch failed",
        };
        return new GitOpsException(failure, $"{_url}: {what}: {UrlSecrets.Redact(m)}", e);
    }

    /// <summary>
    /// Reads and verifies <c>models/<paramref name="name"/>/</c> at <paramref name="commit"/> (<see cref="ModelPackage.Verify"/>).
    /// </summary>
    /// <param name="commit">The commit.</param>
    /// <param name="name">The model folder's name.</param>
    /// <returns>The verified model.</returns>
    /// <exception cref="ConfigException">A file is missing or unlisted, a hash differs, or the self-test fails (file:line named).</exception>
    public ModelPackage LoadModel(string commit, string name)
    {
        var folder = $"models/{name}";
        return ModelPackage.Verify(name, folder, file => ReadFile(commit, $"{folder}/{file}", MaxModelBytes), List(commit, folder, folders: false));
    }
}
