namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// A device stand-in for the reconciler: records what it was asked to run. A sensor named <c>dead</c> fails the health
/// check (it never answers); a sensor named <c>unopenable</c> fails the apply itself.
/// </summary>
internal sealed class FakeTarget : IConfigTarget
{
    public List<ConfigBundle> Applied { get; } = [];

    public ConfigBundle? Running => Applied.Count > 0 && !Stopped ? Applied[^1] : null;

    /// <summary>True after <see cref="UnapplyAsync"/> until the next apply: the device runs nothing.</summary>
    public bool Stopped { get; private set; }

    public Task ApplyAsync(ConfigBundle bundle, CancellationToken token)
    {
        if (bundle.Config.Sensors.Any(s => s.Name == "unopenable"))
        {
            throw new IOException("sensor 'unopenable': no answer at 0x76");
        }

        Applied.Add(bundle);
        Stopped = false;
        return Task.CompletedTask;
    }

    public Task UnapplyAsync(CancellationToken token)
    {
        Stopped = true;
        return Task.CompletedTask;
    }

    public Task<HealthReport> CheckHealthAsync(TimeSpan grace, CancellationToken token) =>
        Task.FromResult(Running!.Config.Sensors.Any(s => s.Name == "dead")
            ? new HealthReport(false, "no sample read (sensors do not answer)")
            : new HealthReport(true, "ok"));
}
