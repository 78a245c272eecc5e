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
    private readonly RepositoryLimits _limits;

    /// <summary>Creates the reader for <paramref name="url"/>.</summary>
    /// <param name="url">The repository: a local path, <c>file://</c>, <c>https://</c>, <c>ssh://</c> or <c>user@host:path</c>.
    /// Credentials in it (<c>https://user:TOKEN@host/...</c>) are taken off: sent through the credentials callback, never
    /// stored in the clone, shown as <see cref="UrlSecrets.Mask"/>.</param>
    /// <param name="stateDirectory">The device's state directory; the clone lives in its <c>repo</c> folder.</param>
    /// <param name="access">The token file and CA file for <c>https://</c>; <see cref="RepositoryAccess.None"/> when null.</param>
    /// <exception cref="GitOpsException">The URL's scheme is not supported (<see cref="GitOpsFailure.UnsupportedScheme"/>).</exception>
    /// <param name="limits">How much a fetch and a revision may bring (<see cref="RepositoryLimits.Default"/> when null).</param>
    public ConfigRepository(string url, string stateDirectory, RepositoryAccess? access = null, RepositoryLimits? limits = null)
    {
        CheckScheme(url);
        _url = UrlSecrets.Redact(url)!;
        (_fetchUrl, _user, _password) = UrlSecrets.Split(url);
        _access = access ?? RepositoryAccess.None;
        _clonePath = System.IO.Path.Combine(stateDirectory, "repo");
        _limits = limits ?? RepositoryLimits.Default;
    }

    private ConfigRepository(string path, RepositoryLimits limits)
    {
        _url = path;
        _fetchUrl = path;
        _access = RepositoryAccess.None;
        _clonePath = path;
        _limits = limits;
    }

    /// <summary>A reader over a repository already on disk (an operator's working clone, for <c>appliance check</c>): nothing is
    /// fetched; revisions are read from its commits exactly as the device reads them from its clone.</summary>
    /// <param name="path">The repository (its working tree or its <c>.git</c> folder, or a bare repository).</param>
    /// <param name="limits">The limits revisions are held to.</param>
    /// <exception cref="GitOpsException">No git repository there (<see cref="GitOpsFailure.NotFound"/>).</exception>
    public static ConfigRepository OpenLocal(string path, RepositoryLimits limits)
    {
        // Repository.Discover returns null in the published (Native AOT) binary: look for the repository itself.
        var found = new[] { path, System.IO.Path.Combine(path, ".git") }.FirstOrDefault(Repository.IsValid);
        if (found is null)
        {
            throw new GitOpsException(GitOpsFailure.NotFound, $"{path}: not a git repository (the device reads committed revisions: git init, git add -A, git commit)");
        }

        return new ConfigRepository(found, limits);
    }

    /// <summary>The commit that <paramref name="revision"/> (a commit id, branch, tag or <c>HEAD</c>) names.</summary>
    /// <exception cref="GitOpsException">It names no commit.</exception>
    public string Resolve(string revision)
    {
        using var repo = Open();
        return (repo.Lookup(revision) as Commit ?? (repo.Lookup(revision) as TagAnnotation)?.Target as Commit)?.Sha
            ?? throw new GitOpsException(GitOpsFailure.NotFound, $"{_url}: '{revision}' names no commit (an empty repository has none: commit first)");
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

    /// <summary>The folder a local repository URL (a path or <c>file://</c>) names, or null for a remote URL (<c>https://</c>,
    /// <c>ssh://</c>, scp-like <c>host:path</c>: a colon before the first slash, as git reads it).</summary>
    public static string? LocalPath(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.LocalPath : url["file://".Length..];
        }

        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return url.Contains("://", StringComparison.Ordinal) || (colon > 0 && (slash < 0 || colon < slash)) ? null : url;
    }

    /// <summary>Refuses a local repository URL whose folder does not exist (a mistyped path), naming it.</summary>
    /// <exception cref="GitOpsException"><see cref="GitOpsFailure.NotFound"/>: no such folder.</exception>
    public static void CheckLocalPath(string url)
    {
        if (LocalPath(url) is { } path && !Directory.Exists(path))
        {
            throw new GitOpsException(GitOpsFailure.NotFound, $"{url}: no such directory (a local --repo names a git repository on this machine; remote ones are https://, ssh:// or user@host:path)");
        }
    }

    /// <summary>Clones (first time) or fetches the repository; a branch rewritten on the remote replaces the local one.</summary>
    /// <exception cref="GitOpsException">The remote is unreachable, refuses the credentials, or the clone is unusable.</exception>
    public void Fetch()
    {
        _received = 0;
        try
        {
            if (!Repository.IsValid(_clonePath))
            {
                if (Directory.Exists(_clonePath))
                {
                    Directory.Delete(_clonePath, recursive: true);
                }

                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_clonePath)!);
                var clone = new CloneOptions(Authenticated(new FetchOptions { OnTransferProgress = WithinFetchLimit })) { IsBare = true };
                Repository.Clone(_fetchUrl, _clonePath, clone);
            }

            using var repo = new Repository(_clonePath);
            if (repo.Network.Remotes["origin"]?.Url is { } stored && UrlSecrets.Split(stored) is { Password: not null } split)
            {
                // A clone made before credentials were taken off the URL keeps the token in its config: rewrite it.
                repo.Network.Remotes.Update("origin", r => r.Url = split.Url);
            }

            var refspecs = new[] { "+refs/heads/*:refs/remotes/origin/*", "+refs/heads/*:refs/heads/*" };
            Commands.Fetch(repo, "origin", refspecs, Authenticated(new FetchOptions { Prune = true, OnTransferProgress = WithinFetchLimit }), logMessage: null);
        }
        catch (LibGit2SharpException e) when (_received > _limits.MaxFetchBytes)
        {
            throw new GitOpsException(GitOpsFailure.Other, $"{_url}: fetch stopped after {_received} bytes: more than the {_limits.MaxFetchBytes} bytes a fetch may bring (4 x --max-revision-size {_limits.MaxRevisionBytes})", e);
        }
        catch (LibGit2SharpException e)
        {
            throw Classify(e);
        }
    }

    private long _received;

    /// <summary>libgit2 asks after every chunk received; false cancels the fetch, so a huge push is never downloaded whole.</summary>
    private bool WithinFetchLimit(TransferProgress progress)
    {
        _received = progress.ReceivedBytes;
        return progress.ReceivedBytes <= _limits.MaxFetchBytes;
    }

    /// <summary>
    /// Checks the tree of <paramref name="commit"/> before anything of it is read: every blob's size comes from the object
    /// database's header (<c>git_odb_read_header</c>: no content is inflated), each must be at most
    /// <see cref="RepositoryLimits.MaxFileBytes"/> and all together at most <see cref="RepositoryLimits.MaxRevisionBytes"/>;
    /// a submodule (gitlink) is refused, as the device fetches only this repository.
    /// </summary>
    /// <returns>The number of files and their total size in bytes.</returns>
    /// <exception cref="ConfigException">A file too large, the revision too large, or a submodule (the path named).</exception>
    public (int Files, long Bytes) CheckTree(string commit)
    {
        using var repo = Open();
        var files = 0;
        var total = 0L;
        var pending = new Stack<(Tree Tree, string Prefix)>();
        pending.Push((Find(repo, commit).Tree, string.Empty));
        while (pending.Count > 0)
        {
            var (tree, prefix) = pending.Pop();
            foreach (var e in tree)
            {
                var path = prefix + e.Name;
                switch (e.TargetType)
                {
                    case TreeEntryTargetType.Tree:
                        pending.Push(((Tree)e.Target, path + "/"));
                        break;
                    case TreeEntryTargetType.GitLink:
                        throw new ConfigException(path, 0, $"a submodule (gitlink to {e.Target.Sha[..12]}): the device fetches only this repository and would not see its files (expected plain files: git rm --cached {path})");
                    default:
                        var size = repo.ObjectDatabase.RetrieveObjectMetadata(e.Target.Id).Size;
                        if (size > _limits.MaxFileBytes)
                        {
                            throw new ConfigException(path, 0, $"file is {size} bytes: larger than the {_limits.MaxFileBytes} bytes a file of a revision may hold (--max-file-size); revision {commit[..Math.Min(12, commit.Length)]} is not read");
                        }

                        files++;
                        total += size;
                        break;
                }
            }
        }

        if (total > _limits.MaxRevisionBytes)
        {
            throw new ConfigException(ConfigFile, 0, $"revision {commit[..Math.Min(12, commit.Length)]} holds {files} files of {total} bytes: more than the {_limits.MaxRevisionBytes} bytes a revision may hold (--max-revision-size); it is not read");
        }

        return (files, total);
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

    /// <summary>
    /// Deletes the lock files git leaves in the clone when a process dies while it writes a ref or the configuration
    /// (<c>refs/appliance/lkg.lock</c>, <c>packed-refs.lock</c>, <c>refs/heads/*.lock</c>, ...): each makes every later write of
    /// that ref fail with <see cref="LockedFileException"/>. Call only when no other process can be using the clone (the
    /// state directory's lock tells).
    /// </summary>
    /// <returns>The removed files, relative to the clone.</returns>
    /// <exception cref="IOException">A lock file cannot be deleted.</exception>
    public IReadOnlyList<string> ClearStaleLocks()
    {
        if (!Directory.Exists(_clonePath))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(_clonePath, "*.lock", SearchOption.AllDirectories))
        {
            File.Delete(file);
            removed.Add(System.IO.Path.GetRelativePath(_clonePath, file));
        }

        return removed;
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

        // The size from the object's header: a file over the limit is refused without its content being read.
        var size = repo.ObjectDatabase.RetrieveObjectMetadata(blob.Id).Size;
        if (size > Math.Min(maxBytes, _limits.MaxFileBytes))
        {
            throw new ConfigException(path, 0, $"file is {size} bytes: larger than the {Math.Min(maxBytes, _limits.MaxFileBytes)} bytes the device reads from it");
        }

        using var stream = blob.GetContentStream();
        using var copy = new MemoryStream((int)size);
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
        if (LocalPath(_url) is { } local && !Directory.Exists(local))
        {
            // libgit2 calls a missing local path an "unsupported URL protocol".
            return new GitOpsException(GitOpsFailure.Unreachable, $"{_url}: unreachable: no such directory", e);
        }

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
    public ModelPackage LoadModel(string commit, string name) => ModelPackage.Load(name, $"models/{name}", ModelFiles(commit, name));

    /// <summary>
    /// Reads <c>models/<paramref name="name"/>/</c> at <paramref name="commit"/> and verifies its manifest and hashes only
    /// (<see cref="ModelPackage.VerifyManifest"/>): the first half of <see cref="LoadModel"/>.
    /// </summary>
    /// <param name="commit">The commit.</param>
    /// <param name="name">The model folder's name.</param>
    /// <returns>The listed files' bytes by name.</returns>
    /// <exception cref="ConfigException">A file is missing or unlisted, or a hash differs (file:line named).</exception>
    public IReadOnlyDictionary<string, byte[]> ModelFiles(string commit, string name)
    {
        var folder = $"models/{name}";
        return ModelPackage.VerifyManifest(name, folder, file => ReadFile(commit, $"{folder}/{file}", MaxModelBytes), List(commit, folder, folders: false));
    }
}
