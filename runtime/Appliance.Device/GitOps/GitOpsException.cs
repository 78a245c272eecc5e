namespace Appliance.Device.GitOps;

/// <summary>
/// The configuration repository could not be read or its tip cannot be used: unreachable, refused credentials, an
/// unsupported scheme, no such branch or file, a failed signature check, or a downgrade. <see cref="Failure"/> says which.
/// </summary>
public sealed class GitOpsException : Exception
{
    /// <summary>Creates the error (<see cref="GitOpsFailure.Other"/>).</summary>
    public GitOpsException(string message, Exception? inner = null)
        : this(GitOpsFailure.Other, message, inner)
    {
    }

    /// <summary>Creates the error of kind <paramref name="failure"/>.</summary>
    public GitOpsException(GitOpsFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>What kind of failure this is.</summary>
    public GitOpsFailure Failure { get; }

    /// <summary>True for failures that may clear by themselves (retried with backoff): unreachable remotes.</summary>
    public bool IsTransient => Failure is GitOpsFailure.Unreachable or GitOpsFailure.Other;
}
