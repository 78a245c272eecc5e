namespace Appliance.Runtime.Tests.State;

public sealed class StateDirectoryLockTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "state-lock-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Acquire_Twice_SecondThrowsWithHolderPid_UntilTheFirstIsReleased()
    {
        // flock(2) locks belong to the open file description, so a second open in the same process conflicts too.
        StateDirectoryLock first = StateDirectoryLock.Acquire(_dir);
        var refused = Assert.Throws<StateDirectoryLockedException>(() => StateDirectoryLock.Acquire(_dir));
        Assert.Equal(Environment.ProcessId, refused.HolderPid);
        Assert.IsAssignableFrom<IOException>(refused); // the CLI maps it to one line and exit 2

        first.Dispose();
        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(Path.Combine(_dir, StateDirectoryLock.FileName))); // once released: .NET's open takes a shared flock
        using StateDirectoryLock second = StateDirectoryLock.Acquire(_dir);
        Assert.True(File.Exists(second.Path));
    }
}
