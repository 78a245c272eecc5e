namespace Appliance.Runtime.GitOps;

/// <summary>The configuration repository could not be read: unreachable, no such branch, or no configuration file.</summary>
public sealed class GitOpsException : Exception
{
    /// <summary>Creates the error.</summary>
    public GitOpsException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
