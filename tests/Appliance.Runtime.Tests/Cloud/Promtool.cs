namespace Appliance.Runtime.Tests.Cloud;

/// <summary><c>promtool check metrics</c> (Debian package <c>prometheus</c>, installed by <c>./build.sh test</c>): reads an
/// exposition on standard input and exits non-zero on a format error or a naming-convention problem.</summary>
internal static class Promtool
{
    public static void CheckMetrics(string exposition)
    {
        const string path = "/usr/bin/promtool";
        Assert.True(File.Exists(path), $"{path} not found: install Debian's prometheus package (./build.sh test does)");
        var psi = new ProcessStartInfo(path, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(exposition);
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "promtool did not finish");
        Assert.True(p.ExitCode == 0, $"promtool check metrics failed ({p.ExitCode}):\n{output}\n--- exposition ---\n{exposition}");
    }
}
