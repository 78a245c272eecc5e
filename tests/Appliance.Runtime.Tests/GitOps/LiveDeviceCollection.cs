namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// Tests that run a live device (real-time sampling, ONNX sessions, git) for several seconds: they run alone, after the
/// parallel tests, so that their load does not delay other tests' real-time sampling on a small CI machine, nor theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveDeviceCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "live device";
}
