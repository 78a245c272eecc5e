using System.Reflection;
using System.Runtime.InteropServices;

namespace Appliance.Device.GitOps;

/// <summary>
/// Reads a commit object's raw bytes from a repository's object database through libgit2's C API
/// (<c>git_odb_read</c>, https://libgit2.org/docs/reference/main/odb/git_odb_read.html), calling the same native
/// library LibGit2Sharp ships. Needed because LibGit2Sharp 0.32's string marshalling (custom marshalers) does not work
/// under Native AOT: <c>Commit.ExtractSignature</c> returns null there, and the signature check needs the exact bytes.
/// </summary>
internal static unsafe partial class RawCommitReader
{
    private const string Library = "appliance-libgit2";
    private const int ObjectCommit = 1; // GIT_OBJECT_COMMIT

    static RawCommitReader() => NativeLibrary.SetDllImportResolver(typeof(RawCommitReader).Assembly, Resolve);

    /// <summary>The raw commit object <paramref name="sha"/> (40 hex digits) of the repository at <paramref name="repositoryPath"/>.</summary>
    /// <exception cref="GitOpsException">The repository or the commit cannot be read.</exception>
    public static byte[] Read(string repositoryPath, string sha)
    {
        if (sha.Length != 40)
        {
            throw new GitOpsException(GitOpsFailure.NotFound, $"'{sha}' is not a commit id (expected 40 hex digits)");
        }

        var oid = stackalloc byte[20]; // git_oid: unsigned char id[20] (SHA-1 repositories)
        Convert.FromHexString(sha).CopyTo(new Span<byte>(oid, 20));
        git_libgit2_init();
        nint repo = 0, odb = 0, obj = 0;
        try
        {
            Check(git_repository_open(out repo, repositoryPath), "git_repository_open", repositoryPath);
            Check(git_repository_odb(out odb, repo), "git_repository_odb", repositoryPath);
            Check(git_odb_read(out obj, odb, oid), "git_odb_read", sha);
            if (git_odb_object_type(obj) != ObjectCommit)
            {
                throw new GitOpsException(GitOpsFailure.NotFound, $"{sha} is not a commit");
            }

            var size = checked((int)git_odb_object_size(obj));
            return new ReadOnlySpan<byte>((void*)git_odb_object_data(obj), size).ToArray();
        }
        finally
        {
            if (obj != 0)
            {
                git_odb_object_free(obj);
            }

            if (odb != 0)
            {
                git_odb_free(odb);
            }

            if (repo != 0)
            {
                git_repository_free(repo);
            }

            git_libgit2_shutdown();
        }
    }

    private static void Check(int rc, string call, string what)
    {
        if (rc < 0)
        {
            throw new GitOpsException(GitOpsFailure.NotFound, $"{call} failed for {what} (libgit2 error {rc})");
        }
    }

    /// <summary>Finds LibGit2Sharp's native library (<c>libgit2-HASH.so</c>) beside the binary (published) or under runtimes/RID/native (dotnet test).</summary>
    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return 0;
        }

        var rid = RuntimeInformation.RuntimeIdentifier;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"), Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-" + arch, "native") })
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "libgit2-*.so").Concat(Directory.EnumerateFiles(dir, "libgit2-*.dylib")).Concat(Directory.EnumerateFiles(dir, "git2-*.dll")))
            {
                if (NativeLibrary.TryLoad(file, out var handle))
                {
                    return handle;
                }
            }
        }

        return 0;
    }

    [LibraryImport(Library)]
    private static partial int git_libgit2_init();

    [LibraryImport(Library)]
    private static partial int git_libgit2_shutdown();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int git_repository_open(out nint repository, string path);

    [LibraryImport(Library)]
    private static partial int git_repository_odb(out nint odb, nint repository);

    [LibraryImport(Library)]
    private static partial int git_odb_read(out nint obj, nint odb, byte* oid);

    [LibraryImport(Library)]
    private static partial int git_odb_object_type(nint obj);

    [LibraryImport(Library)]
    private static partial nuint git_odb_object_size(nint obj);

    [LibraryImport(Library)]
    private static partial nint git_odb_object_data(nint obj);

    [LibraryImport(Library)]
    private static partial void git_odb_object_free(nint obj);

    [LibraryImport(Library)]
    private static partial void git_odb_free(nint odb);

    [LibraryImport(Library)]
    private static partial void git_repository_free(nint repository);
}
