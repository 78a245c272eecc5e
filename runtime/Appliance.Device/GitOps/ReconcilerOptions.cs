namespace Appliance.Device.GitOps;

/// <summary>The device's own GitOps settings (command line or image, never the repository).</summary>
public sealed record ReconcilerOptions
{
    /// <summary>The repository URL (path, <c>file://</c>, <c>https://</c>, <c>ssh://</c>, <c>user@host:path</c>).</summary>
    public required string Url { get; init; }

    /// <summary>The token file and CA file for an <c>https://</c> repository; none when null.</summary>
    public RepositoryAccess? Access { get; init; }

    /// <summary>The device's state directory: the clone (<c>repo/</c>) and <c>gitops-status.json</c>.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>The branch followed until an applied configuration's <c>[gitops] branch</c> names another.</summary>
    public string Branch { get; init; } = "main";

    /// <summary>The device id: selects <c>devices/ID.toml</c> and replaces <c>[device] id</c>; null to use the root file's id.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Who may sign revisions.</summary>
    public required CommitVerifier Verifier { get; init; }

    /// <summary>Accept a branch tip older than the applied revision (an ancestor of it, or committed earlier).</summary>
    public bool AllowDowngrade { get; init; }

    /// <summary>
    /// A configuration in the image, used with no network and no last known good revision; null (<c>appliance run</c>) for
    /// none: a device whose first configuration fails then runs nothing (<see cref="ConfigState.NoConfiguration"/>). Only
    /// <c>appliance demo</c> gives one (its simulated sensors must never run on a board).
    /// </summary>
    public string? BakedInToml { get; init; }

    /// <summary>The longest wait between fetch attempts after failures (backoff doubles up to this).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Refuse buses absent on this machine at validation (off in tests that run elsewhere).</summary>
    public bool CheckBuses { get; init; } = true;

    /// <summary>How much a fetch and a revision may bring (per file, per revision).</summary>
    public RepositoryLimits Limits { get; init; } = RepositoryLimits.Default;
}
