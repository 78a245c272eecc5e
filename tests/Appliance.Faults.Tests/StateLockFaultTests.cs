namespace Appliance.Faults.Tests;

/// <summary>The state directory lock between real processes: the second holder is refused with the first one's pid,
/// and a SIGKILLed holder leaves no stale lock (the kernel drops a flock when its descriptor closes).</summary>
public sealed class StateLockFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Acquire_WhileAnotherProcessHoldsIt_ThrowsNamingTheHolderPid_AndSucceedsOnceTheHolderIsKilled()
    {
        using FaultProcess holder = FaultProcess.Start("lock", "--state", _dir);
        holder.WaitForLine("locked", TimeSpan.FromSeconds(60));

        var refused = Assert.Throws<StateDirectoryLockedException>(() => StateDirectoryLock.Acquire(_dir));
        Assert.Equal(holder.Pid, refused.HolderPid);
        Assert.Contains($"pid {holder.Pid}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);

        holder.KillHard();
        string path;
        using (StateDirectoryLock mine = StateDirectoryLock.Acquire(_dir))
        {
            path = mine.Path;
        }

        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(path)); // read once released: .NET's own open takes a shared flock
    }
}
