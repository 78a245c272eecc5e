using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Device.GitOps;

/// <summary>
/// Reads the rollouts of a revision (every <c>rollouts/*.toml</c>, <see cref="RolloutFile"/>) and resolves what each asks
/// of this device (docs/models.md, "rollouts/NAME.toml on the device"). A file that does not parse, two rollouts in progress
/// over one incumbent, or a candidate folder that is missing or whose manifest or hashes do not verify refuse the revision
/// like any configuration error (file:line: key: why). A candidate whose files verify but whose model does not load (bad
/// bytes, no threshold, a failed self-test) does not: <see cref="DeviceRollout.Rejection"/> says why, the incumbent stays.
/// </summary>
public static class RolloutLoader
{
    /// <summary>Every <c>rollouts/*.toml</c> of <paramref name="commit"/>, parsed, in file-name order, checked together.</summary>
    /// <param name="repo">The repository.</param>
    /// <param name="commit">The commit.</param>
    /// <returns>Each rollout with the path it was read from; empty without a <c>rollouts/</c> folder.</returns>
    /// <exception cref="ConfigException">A file is invalid, or two rollouts in progress replace one incumbent (file:line named).</exception>
    public static IReadOnlyList<(string Path, RolloutSpec Spec)> Read(ConfigRepository repo, string commit)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var rollouts = new List<(string Path, RolloutSpec Spec)>();
        foreach (var file in repo.List(commit, RolloutFile.Folder, folders: false).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".toml", StringComparison.Ordinal))
            {
                continue; // a README or notes beside the rollouts
            }

            var path = $"{RolloutFile.Folder}/{file}";
            rollouts.Add((path, RolloutFile.Parse(RevisionLoader.Text(repo, commit, path) ?? string.Empty, path)));
        }

        RolloutFile.CheckTogether(rollouts);
        return rollouts;
    }

    /// <summary>
    /// What each rollout asks of the device whose merged configuration is <paramref name="config"/>: the candidate folder of
    /// every rollout not aborted must be in the revision with a verified manifest; the candidate of a rollout that gives this
    /// device a role is loaded and self-tested (a failure is a <see cref="DeviceRollout.Rejection"/>, not an error).
    /// </summary>
    /// <param name="repo">The repository.</param>
    /// <param name="commit">The commit.</param>
    /// <param name="config">The device's configuration (its <c>[device] id</c> gives the role).</param>
    /// <param name="rollouts">The revision's rollouts (<see cref="Read"/>).</param>
    /// <returns>One entry per rollout that gives this device a role (shadow or active).</returns>
    /// <exception cref="ConfigException">A candidate folder is missing, or its manifest or a hash does not verify (file:line named).</exception>
    public static IReadOnlyList<DeviceRollout> ForDevice(ConfigRepository repo, string commit, ApplianceConfig config, IReadOnlyList<(string Path, RolloutSpec Spec)> rollouts)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rollouts);
        var result = new List<DeviceRollout>();
        IReadOnlyList<string>? folders = null;
        foreach (var (path, spec) in rollouts)
        {
            if (spec.State.Phase == RolloutPhase.Aborted)
            {
                continue; // every device back on the incumbent: the candidate may already be gone from models/
            }

            folders ??= repo.List(commit, "models", folders: true);
            if (!folders.Contains(spec.Model, StringComparer.Ordinal))
            {
                var line = RevisionLoader.LineOf(RevisionLoader.Text(repo, commit, path) ?? string.Empty, "rollout", "model");
                throw new ConfigException(path, line, $"[rollout] model = \"{spec.Model}\": no folder models/{spec.Model}/ in this revision (expected model.onnx, selftest.toml and SHA256SUMS there)");
            }

            var files = repo.ModelFiles(commit, spec.Model); // a manifest or hash that does not verify refuses the revision
            var role = spec.RoleOf(config.Device.Id);
            if (role == RolloutRole.None)
            {
                continue;
            }

            var rejection = IncumbentProblem(spec, role, config);
            ModelPackage? candidate = null;
            if (rejection.Length == 0)
            {
                try
                {
                    candidate = ModelPackage.Load(spec.Model, $"models/{spec.Model}", files);
                }
                catch (ConfigException e)
                {
                    rejection = e.Message;
                }
            }

            result.Add(new DeviceRollout(path, spec, role, candidate, rejection));
        }

        return result;
    }

    /// <summary>
    /// <paramref name="config"/> with every candidate this device runs as active (<see cref="RolloutRole.Active"/>, loaded)
    /// put where the configuration names its incumbent: <c>[inference] model</c> and <c>[[multivariate]] model</c>.
    /// </summary>
    /// <param name="config">The device's configuration.</param>
    /// <param name="rollouts">Its rollouts (<see cref="ForDevice"/>).</param>
    public static ApplianceConfig WithActiveCandidates(ApplianceConfig config, IReadOnlyList<DeviceRollout> rollouts)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rollouts);
        foreach (var r in rollouts)
        {
            if (r.Role != RolloutRole.Active || r.Candidate is null)
            {
                continue;
            }

            string incumbent = r.Spec.Incumbent, candidate = r.Spec.Model;
            if (config.Inference.Model == incumbent)
            {
                config = config with { Inference = config.Inference with { Model = candidate } };
            }

            if (config.Multivariate is { } mv && mv.Any(m => m.Model == incumbent))
            {
                config = config with { Multivariate = [.. mv.Select(m => m.Model == incumbent ? m with { Model = candidate } : m)] };
            }
        }

        return config;
    }

    // The incumbent must be a model this device scores with; in shadow, the [inference] model (the candidate scores the same
    // rows of the same batch). Empty when the role can be taken.
    private static string IncumbentProblem(RolloutSpec spec, RolloutRole role, ApplianceConfig config)
    {
        bool inference = config.Inference.Enabled && config.Inference.Model == spec.Incumbent;
        bool multivariate = (config.Multivariate ?? []).Any(m => m.Model == spec.Incumbent);
        if (!inference && !multivariate)
        {
            return $"incumbent \"{spec.Incumbent}\" is neither this device's [inference] model nor a [[multivariate]] model: nothing to replace";
        }

        return role == RolloutRole.Shadow && !inference
            ? $"incumbent \"{spec.Incumbent}\" is a [[multivariate]] model: this device scores in shadow only beside its [inference] model"
            : string.Empty;
    }
}
