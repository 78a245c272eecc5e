using Appliance.Contracts.Inference;
using Appliance.Contracts.Config;

namespace Appliance.Device.GitOps;

/// <summary>Everything one revision asks the device to run, read and validated whole before anything is applied.</summary>
/// <param name="Revision">The commit id (40 hex digits), or <see cref="BakedIn"/> for the configuration in the image.</param>
/// <param name="Config">The merged, validated configuration (<c>appliance.toml</c> with <c>devices/ID.toml</c> over it).</param>
/// <param name="Models">The verified model folders (<c>models/NAME/</c>).</param>
/// <param name="Signer">Who signed the revision (the allowed-signers principal and key fingerprint), or why it was not checked.</param>
public sealed record ConfigBundle(string Revision, ApplianceConfig Config, IReadOnlyList<ModelPackage> Models, string Signer)
{
    /// <summary>
    /// What the revision's rollouts (<c>rollouts/NAME.toml</c>) ask of this device, one per rollout that gives it a role
    /// (<see cref="RolloutLoader.ForDevice"/>); empty when none does. An active candidate is already in
    /// <see cref="Config"/> in place of its incumbent (<see cref="RolloutLoader.WithActiveCandidates"/>).
    /// </summary>
    public IReadOnlyList<DeviceRollout> Rollouts { get; init; } = [];

    /// <summary>The revision name of the configuration baked into the image.</summary>
    public const string BakedIn = "baked-in";
}
