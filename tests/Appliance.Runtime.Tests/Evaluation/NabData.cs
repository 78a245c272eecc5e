namespace Appliance.Runtime.Tests.Evaluation;

/// <summary>
/// The NAB corpus under ../shared/data/nab (shared/data/README.md), found by walking up from the test binary to the
/// directory holding Appliance.sln. Loaded once for all tests of a class. A missing corpus fails the test, never skips it.
/// </summary>
public sealed class NabData
{
    private static readonly Lazy<NabCorpus> s_corpus = new(() => NabCorpus.Load(Root));

    /// <summary>The corpus directory.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
            {
                dir = dir.Parent;
            }

            Assert.True(dir is not null, $"No directory holding Appliance.sln above {AppContext.BaseDirectory}; cannot locate ../shared/data.");
            var root = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data", "nab"));
            Assert.True(Directory.Exists(Path.Combine(root, "data")), $"NAB corpus missing at {root} (see shared/data/README.md). This test fails rather than skips.");
            return root;
        }
    }

    /// <summary>The loaded corpus.</summary>
    public NabCorpus Corpus => s_corpus.Value;
}
