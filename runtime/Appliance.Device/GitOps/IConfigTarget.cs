namespace Appliance.Device.GitOps;

/// <summary>
/// The seam between the reconciler and the running device: what applies a validated <see cref="ConfigBundle"/> and
/// checks that the device is healthy on it. <c>appliance run</c> implements it over the device's sensors, pipeline and
/// uplink; tests implement it with fakes.
/// </summary>
public interface IConfigTarget
{
    /// <summary>
    /// Swaps the running device over to <paramref name="bundle"/> atomically (the previous one keeps running until the
    /// new one is fully built; the swap happens at a window boundary).
    /// </summary>
    /// <exception cref="Exception">Any exception means the bundle could not be applied; the previous configuration must still run.</exception>
    Task ApplyAsync(ConfigBundle bundle, CancellationToken token);

    /// <summary>Waits up to <paramref name="grace"/> for the device to be healthy on the applied bundle.</summary>
    Task<HealthReport> CheckHealthAsync(TimeSpan grace, CancellationToken token);

    /// <summary>
    /// Stops running the applied bundle and runs nothing (a first revision that failed its health check with nothing to roll
    /// back to): sampling stops, nothing new is sent; what was already journaled is still delivered.
    /// </summary>
    Task UnapplyAsync(CancellationToken token);
}
