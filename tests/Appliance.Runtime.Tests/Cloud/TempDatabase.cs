namespace Appliance.Runtime.Tests.Cloud;

/// <summary>A fresh directory for one test's SQLite file, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "appliance-tests", Guid.NewGuid().ToString("N"));

    public TempDatabase()
    {
        Directory.CreateDirectory(_dir);
    }

    public string Path => System.IO.Path.Combine(_dir, "collector.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; the test's own assertions already ran.
        }
    }
}
