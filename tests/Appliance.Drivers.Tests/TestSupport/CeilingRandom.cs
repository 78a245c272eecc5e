namespace Appliance.Drivers.Tests.TestSupport;

/// <summary>
/// A random source whose every draw is 1: a full-jitter <see cref="Appliance.Drivers.Sampling.Backoff"/> then waits its
/// whole ceiling (min(cap, base · 2^n)), so tests of what happens around a backoff keep an exact, reproducible schedule.
/// </summary>
internal sealed class CeilingRandom : Random
{
    public override double NextDouble() => 1.0;

    protected override double Sample() => 1.0;
}
