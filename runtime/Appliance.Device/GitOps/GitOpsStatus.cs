namespace Appliance.Device.GitOps;

/// <summary>A snapshot of the reconciler's state, as <c>appliance status --json</c> and the heartbeat report it.</summary>
/// <param name="ConfigRevision">The applied revision (commit id), <see cref="ConfigBundle.BakedIn"/>, or empty before any apply.</param>
/// <param name="ConfigState">The state.</param>
/// <param name="ConfigError">The last error (file:line for an invalid configuration), or null.</param>
/// <param name="FailedRevision">The revision that was rejected or rolled back, or null.</param>
/// <param name="LastFetch">When the last fetch succeeded, or null.</param>
/// <param name="ConsecutiveFetchFailures">Fetches failed in a row (backoff grows with it).</param>
public sealed record GitOpsStatus(string ConfigRevision, ConfigState ConfigState, string? ConfigError, string? FailedRevision, DateTimeOffset? LastFetch, int ConsecutiveFetchFailures)
{
    /// <summary>How many times pinning the last known good revision failed (<c>lkg_pin_failures</c>); sampling goes on regardless.</summary>
    public int PinFailures { get; init; }

    /// <summary>Why pinning the last known good revision last failed (<c>lkg_pin_error</c>), or null.</summary>
    public string? PinError { get; init; }

    /// <summary><see cref="ConfigState"/> as written in JSON and heartbeats: applied, rejected, rolled_back, pending or
    /// <c>no configuration</c>.</summary>
    public string StateName => ConfigState switch
    {
        ConfigState.Applied => "applied",
        ConfigState.Rejected => "rejected",
        ConfigState.RolledBack => "rolled_back",
        ConfigState.NoConfiguration => "no configuration",
        _ => "pending",
    };
}
