using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Device.GitOps;

/// <summary>
/// What one rollout of a revision (<c>rollouts/NAME.toml</c>) asks of this device, as <see cref="RolloutLoader"/> resolved
/// it: the device's role (<see cref="RolloutSpec.RoleOf"/>) and the candidate model, verified and self-tested, or why it
/// cannot run here (docs/models.md, "rollouts/NAME.toml on the device").
/// </summary>
/// <param name="Path">The file it was read from (<c>rollouts/NAME.toml</c>).</param>
/// <param name="Spec">The rollout.</param>
/// <param name="Role">What it asks of this device.</param>
/// <param name="Candidate">The candidate model (its files' hashes verified, its threshold present, its self-test passed);
/// null when <paramref name="Role"/> is <see cref="RolloutRole.None"/> or the candidate was rejected.</param>
/// <param name="Rejection">Why the candidate cannot run on this device (it does not load, fails its self-test, or its
/// incumbent is not a model this device scores with); empty when it can. A rejection never refuses the revision: the
/// incumbent keeps scoring and the rejection goes upstream in the heartbeat's <see cref="Appliance.Contracts.Wire.ShadowReport"/>.</param>
public sealed record DeviceRollout(string Path, RolloutSpec Spec, RolloutRole Role, ModelPackage? Candidate, string Rejection);
