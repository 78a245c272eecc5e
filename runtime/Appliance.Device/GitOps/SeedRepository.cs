using LibGit2Sharp;

namespace Appliance.Device.GitOps;

/// <summary>Writes a configuration repository: a fresh git repository with one commit on <c>main</c> holding the given files.</summary>
public static class SeedRepository
{
    /// <summary>Creates the repository at <paramref name="path"/> (which must not hold one) and commits <paramref name="files"/>.</summary>
    /// <param name="path">The repository's folder.</param>
    /// <param name="files">Paths inside the repository and their text.</param>
    /// <param name="message">The commit message.</param>
    /// <returns>The commit id.</returns>
    /// <exception cref="GitOpsException">The folder already holds a repository or cannot be written.</exception>
    public static string Create(string path, IReadOnlyDictionary<string, string> files, string message = "Initial configuration") =>
        Create(path, files.ToDictionary(f => f.Key, f => System.Text.Encoding.UTF8.GetBytes(f.Value)), message);

    /// <summary>Creates the repository at <paramref name="path"/> (which must not hold one) and commits <paramref name="files"/>.</summary>
    /// <param name="path">The repository's folder.</param>
    /// <param name="files">Paths inside the repository and their bytes (a model folder's <c>model.onnx</c>, for example).</param>
    /// <param name="message">The commit message.</param>
    /// <returns>The commit id.</returns>
    /// <exception cref="GitOpsException">The folder already holds a repository or cannot be written.</exception>
    public static string Create(string path, IReadOnlyDictionary<string, byte[]> files, string message = "Initial configuration")
    {
        if (Repository.IsValid(path))
        {
            throw new GitOpsException($"{path}: already holds a git repository");
        }

        try
        {
            Directory.CreateDirectory(path);
            Repository.Init(path);
            using var repo = new Repository(path);
            foreach (var (name, bytes) in files)
            {
                var full = System.IO.Path.Combine(path, name);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, bytes);
                Commands.Stage(repo, name);
            }

            var who = new Signature("appliance", "appliance@localhost", DateTimeOffset.UtcNow);
            // PrettifyMessage = false: under Native AOT, libgit2's prettify path stores an empty message (seen with 0.32).
            var commit = repo.Commit(message, who, who, new CommitOptions { PrettifyMessage = false });
            var main = repo.Branches["main"] ?? repo.CreateBranch("main", commit);
            repo.Refs.UpdateTarget("HEAD", main.CanonicalName);
            return commit.Sha;
        }
        catch (LibGit2SharpException e)
        {
            throw new GitOpsException($"{path}: {e.Message}", e);
        }
    }
}
