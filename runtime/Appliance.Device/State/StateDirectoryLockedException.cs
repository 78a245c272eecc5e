namespace Appliance.Device.State;

/// <summary>The state directory is locked by another device process (<see cref="StateDirectoryLock"/>).</summary>
public sealed class StateDirectoryLockedException : IOException
{
    /// <summary>Creates the exception; the message is one line naming the directory and the holder's pid.</summary>
    /// <param name="directory">The state directory.</param>
    /// <param name="holderPid">The holder's pid as written in the lock file, or null when it wrote none yet.</param>
    public StateDirectoryLockedException(string directory, int? holderPid)
        : base($"--state {directory}: in use by another appliance process (pid {(holderPid is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")}); stop it or give another state directory")
    {
        Directory = directory;
        HolderPid = holderPid;
    }

    /// <summary>The locked state directory.</summary>
    public string Directory { get; }

    /// <summary>The holder's pid, or null when the lock file held none.</summary>
    public int? HolderPid { get; }
}
