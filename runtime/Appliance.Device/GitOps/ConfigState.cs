namespace Appliance.Device.GitOps;

/// <summary>Where the device stands with its configuration repository (reported as <c>config_state</c>).</summary>
public enum ConfigState
{
    /// <summary>A revision is being verified, applied or health-checked, or none has been applied yet.</summary>
    Pending,

    /// <summary>The revision at the branch tip (or, offline, the last known good one) runs and passed its health check.</summary>
    Applied,

    /// <summary>The branch tip was refused before apply (invalid, unsigned, a downgrade); the previous revision still runs.</summary>
    Rejected,

    /// <summary>The branch tip was applied, failed (apply or health check), and the device went back to its last known good revision.</summary>
    RolledBack,

    /// <summary>
    /// No revision runs: the first configuration failed (unreachable or mistyped repository, missing branch, refused or failing
    /// tip) and there is no last known good one; the device samples nothing and sends nothing, and retries with backoff.
    /// </summary>
    NoConfiguration,
}
