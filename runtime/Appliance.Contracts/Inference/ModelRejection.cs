namespace Appliance.Contracts.Inference;

/// <summary>A candidate model that was refused; the previous model stays active. Sent upstream as an event.</summary>
/// <param name="Source">Where the candidate came from (its directory).</param>
/// <param name="Reason">Why: does not load, wrong input/output shape, self-test failed or produced NaN.</param>
/// <param name="AtUnixMs">When it was refused (Unix ms).</param>
public sealed record ModelRejection(string Source, string Reason, long AtUnixMs);
