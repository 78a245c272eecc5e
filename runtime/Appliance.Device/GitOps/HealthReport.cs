namespace Appliance.Device.GitOps;

/// <summary>The outcome of a health check after an apply.</summary>
/// <param name="Healthy">True when every check passed within the grace period.</param>
/// <param name="Reason">What failed (e.g. "sensor env: no sample in 10 s"), or what passed.</param>
public sealed record HealthReport(bool Healthy, string Reason);
