namespace Appliance.Runtime.Tests.Outbox;

/// <summary>
/// Tests that assert on the process's managed heap (<see cref="GC.GetTotalMemory(bool)"/>): it counts every test's objects,
/// so beside the parallel tests it measures theirs (seen in CI: <c>JournalDiskFullTests</c>' last sample 9 MB over its first
/// while the rollout and training tests ran). They run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process memory";
}
