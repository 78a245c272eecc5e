using Appliance.Contracts.Inference;
using Appliance.Contracts.Config;

namespace Appliance.Device.GitOps;

/// <summary>
/// What a new revision changes for a device that runs another one: a pipeline rebuild, only the model, or nothing.
/// The parsed configurations are compared with <c>[inference] model</c> and <c>[metrics]</c> (the endpoint is rebuilt on its own) left out, and the models by the SHA-256 of their
/// bytes (<see cref="ModelPackage.Sha256"/>); a model update is one only when both revisions name a model (a revision
/// that turns the on-device fitted model on or off rebuilds).
/// </summary>
/// <param name="Kind">Rebuild, model only, or none.</param>
/// <param name="Model">For <see cref="RevisionChangeKind.ModelOnly"/>, the new revision's model (verified, self-tested by
/// the reconciler); otherwise null.</param>
public sealed record RevisionChange(RevisionChangeKind Kind, ModelPackage? Model)
{
    private static readonly IReadOnlyList<SensorSettings> s_noSensors = [];

    /// <summary>Classifies the step from <paramref name="running"/> to <paramref name="next"/>.</summary>
    /// <param name="running">The revision the device runs.</param>
    /// <param name="next">The revision to apply (validated whole by the reconciler).</param>
    /// <returns>The change; <see cref="RevisionChangeKind.Rebuild"/> whenever anything but the model differs.</returns>
    public static RevisionChange Between(ConfigBundle running, ConfigBundle next)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(next);
        var rebuild = new RevisionChange(RevisionChangeKind.Rebuild, null);
        if (!SameExceptModel(running.Config, next.Config) || !SameMultivariateModels(running, next))
        {
            return rebuild;
        }

        var before = ConfiguredModel(running);
        var after = ConfiguredModel(next);
        if (running.Config.Inference.Model is null && next.Config.Inference.Model is null)
        {
            return new RevisionChange(RevisionChangeKind.None, null);
        }

        if (before is null || after is null || !next.Config.Inference.Enabled)
        {
            return rebuild;
        }

        return before.Sha256 == after.Sha256 && before.Name == after.Name
            ? new RevisionChange(RevisionChangeKind.None, null)
            : new RevisionChange(RevisionChangeKind.ModelOnly, after);
    }

    /// <summary>
    /// Whether two configurations are equal in everything but <c>[inference] model</c>. Record equality compares every
    /// scalar setting (also ones added later); the lists (sensors and their channels, alarms and their sensors) are compared
    /// element by element. A list setting added later compares by reference, so unequal: such revisions rebuild, the safe side.
    /// </summary>
    /// <param name="a">One configuration.</param>
    /// <param name="b">The other.</param>
    /// <returns>True when only the model may differ.</returns>
    public static bool SameExceptModel(ApplianceConfig a, ApplianceConfig b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Stripped(a) == Stripped(b)
            && a.Sensors.Count == b.Sensors.Count
            && a.Sensors.Zip(b.Sensors).All(p => SameSensor(p.First, p.Second))
            && SameAlarms(a.Alarms, b.Alarms)
            && (a.Multivariate ?? []).SequenceEqual(b.Multivariate ?? [], MultivariateComparer.Instance)
            && (a.Cameras ?? []).SequenceEqual(b.Cameras ?? [])
            && SameLabels(a.Device.Labels, b.Device.Labels);
    }

    // [device] labels compare by content (null is none): a change rebuilds, so the heartbeat carries the new ones.
    private static bool SameLabels(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Whether two <c>[[alarm]]</c> lists drive the same lines the same way, in order (<see cref="AlarmSettings.SameAs"/>); null is empty.</summary>
    /// <param name="a">One list, or null.</param>
    /// <param name="b">The other, or null.</param>
    /// <returns>True when the two are interchangeable.</returns>
    public static bool SameAlarms(IReadOnlyList<AlarmSettings>? a, IReadOnlyList<AlarmSettings>? b)
    {
        a ??= [];
        b ??= [];
        return a.Count == b.Count && a.Zip(b).All(p => p.First.SameAs(p.Second));
    }

    private static ApplianceConfig Stripped(ApplianceConfig c) =>
        c with { Device = c.Device with { Labels = null }, Sensors = s_noSensors, Alarms = null, Metrics = null, Multivariate = null, Cameras = null, Inference = c.Inference with { Model = null } };

    // A [[multivariate]] model's bytes changed: rebuild (the pipeline stages them when it is built).
    // A [[camera]] model's bytes changed: rebuild too (the camera stage loads it when it starts).
    private static bool SameMultivariateModels(ConfigBundle a, ConfigBundle b) =>
        (b.Config.Multivariate ?? []).Select(m => m.Model).Concat((b.Config.Cameras ?? []).Select(c => c.Model).OfType<string>())
            .All(name => a.Models.FirstOrDefault(p => p.Name == name)?.Sha256 is { } before
                && b.Models.FirstOrDefault(p => p.Name == name)?.Sha256 == before);

    private sealed class MultivariateComparer : IEqualityComparer<MultivariateSettings>
    {
        public static readonly MultivariateComparer Instance = new();

        public bool Equals(MultivariateSettings? x, MultivariateSettings? y) =>
            x is not null && y is not null && x.Model == y.Model && x.Threshold == y.Threshold && x.Cooldown == y.Cooldown
            && x.Sensors.SequenceEqual(y.Sensors, StringComparer.Ordinal)
            && (x.Features ?? []).SequenceEqual(y.Features ?? [], StringComparer.Ordinal) && (x.Features is null) == (y.Features is null);

        public int GetHashCode(MultivariateSettings obj) => StringComparer.Ordinal.GetHashCode(obj.Model);
    }

    private static bool SameSensor(SensorSettings a, SensorSettings b) =>
        a with { Channels = null, Spectral = null } == b with { Channels = null, Spectral = null }
        && (a.Channels ?? []).SequenceEqual(b.Channels ?? [], StringComparer.Ordinal)
        && SameSpectral(a.Spectral, b.Spectral);

    // Two parses of one spectral table hold equal values in different list objects (bands, channels).
    private static bool SameSpectral(SpectralSettings? a, SpectralSettings? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Options with { Bands = [] } == b.Options with { Bands = [] }
              && a.Options.Bands.SequenceEqual(b.Options.Bands)
              && (a.Channels is null) == (b.Channels is null)
              && (a.Channels ?? []).SequenceEqual(b.Channels ?? [], StringComparer.Ordinal);

    private static ModelPackage? ConfiguredModel(ConfigBundle bundle) =>
        bundle.Config.Inference.Model is { } name ? bundle.Models.FirstOrDefault(m => m.Name == name) : null;
}
