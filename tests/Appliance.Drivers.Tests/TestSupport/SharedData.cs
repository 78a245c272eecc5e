namespace Appliance.Drivers.Tests.TestSupport;

/// <summary>
/// Finds the project's real data (shared/data/README.md): walk up from the test binary to the directory holding
/// Appliance.sln, then ../shared/data. The data is never copied into the repository, so a missing directory fails the test.
/// </summary>
internal static class SharedData
{
    public static string PathTo(string relative)
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, $"No directory holding Appliance.sln above {AppContext.BaseDirectory}; cannot locate ../shared/data.");
        string root = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data"));
        string path = Path.Combine(root, relative);
        Assert.True(
            File.Exists(path),
            $"Shared data file {path} is missing (expected the project's real data under {root}, see shared/data/README.md; CI={Environment.GetEnvironmentVariable("CI") ?? "unset"}). This test fails rather than skips.");
        return path;
    }
}
