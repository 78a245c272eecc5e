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
    /// <summary><see cref="ConfigState"/> as written in JSON and heartbeats: applied, rejected, rolled_back or pending.</summary>
    public string StateName => ConfigState switch
    {
        ConfigState.Applied => "applied",
        ConfigState.Rejected => "rejected",
        ConfigState.RolledBack => "rolled_back",
        _ => "pending",
    };
}
