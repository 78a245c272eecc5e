namespace Appliance.Device.GitOps;

/// <summary>Why the configuration repository could not be used; the reconciler backs off on the transient ones.</summary>
public enum GitOpsFailure
{
    /// <summary>Any other repository error (a corrupt clone, a libgit2 error not classified below).</summary>
    Other,

    /// <summary>The remote cannot be reached now (no route, refused, no such path, vanished mid-fetch): transient, retried with backoff.</summary>
    Unreachable,

    /// <summary>The remote refused the credentials (libgit2: "too many redirects or authentication replays", HTTP 401/403).</summary>
    Authentication,

    /// <summary>The URL's scheme is not one the device fetches over (file, https, ssh); refused at start.</summary>
    UnsupportedScheme,

    /// <summary>The followed branch, or a required file in its commit, does not exist.</summary>
    NotFound,

    /// <summary>The commit is unsigned, signed by an untrusted key, or its signature does not verify.</summary>
    Verification,

    /// <summary>The branch now points at a revision older than the applied one (refused unless downgrades are allowed).</summary>
    Downgrade,
}
