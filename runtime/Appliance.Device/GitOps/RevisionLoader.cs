using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;

namespace Appliance.Device.GitOps;

/// <summary>
/// Reads and validates one revision of the configuration repository: its tree (sizes, submodules), <c>appliance.toml</c>
/// with <c>devices/ID.toml</c> over it, what the pipeline would refuse, and the model <c>[inference] model</c> names, and the rollouts (<c>rollouts/*.toml</c>, <see cref="RolloutLoader"/>). The one
/// code path of the device (<see cref="Reconciler.Load"/>) and of <c>appliance check</c>, so that what check passes, run
/// applies. Files the configuration does not reference are never read.
/// </summary>
public static class RevisionLoader
{
    /// <summary>The whole revision, after its signature was verified by the caller.</summary>
    /// <param name="repo">The repository.</param>
    /// <param name="commit">The commit id.</param>
    /// <param name="deviceId">The device id (selects <c>devices/ID.toml</c> and replaces <c>[device] id</c>); null for the root's.</param>
    /// <param name="checkBuses">Refuse buses absent on this machine.</param>
    /// <param name="signer">Who signed it, for the bundle.</param>
    /// <exception cref="ConfigException">Invalid (file:line named), too large, or a submodule.</exception>
    /// <exception cref="GitOpsException">The commit is not in the repository.</exception>
    public static ConfigBundle Load(ConfigRepository repo, string commit, string? deviceId, bool checkBuses, string signer)
    {
        ArgumentNullException.ThrowIfNull(repo);
        repo.CheckTree(commit);
        var config = Config(repo, commit, deviceId, checkBuses);
        var rollouts = RolloutLoader.ForDevice(repo, commit, config, RolloutLoader.Read(repo, commit));
        config = RolloutLoader.WithActiveCandidates(config, rollouts);
        return new ConfigBundle(commit, config, Models(repo, commit, config), signer) { Rollouts = rollouts };
    }

    /// <summary>The merged configuration of <paramref name="deviceId"/> at <paramref name="commit"/>, checked as the pipeline would check it.</summary>
    /// <exception cref="ConfigException">Invalid (file:line named).</exception>
    public static ApplianceConfig Config(ConfigRepository repo, string commit, string? deviceId, bool checkBuses)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var rootText = Text(repo, commit, ConfigRepository.ConfigFile)
            ?? throw new ConfigException(ConfigRepository.ConfigFile, 0, "missing: the repository root must hold appliance.toml (appliance init-config DIR writes one)");
        var overridePath = $"devices/{deviceId ?? ConfigLoader.Parse(rootText, ConfigRepository.ConfigFile).Device.Id}.toml";
        var overrideText = Text(repo, commit, overridePath);
        var config = ConfigLoader.Parse(rootText, ConfigRepository.ConfigFile, overrideText, overridePath, checkBuses);
        if (deviceId is not null)
        {
            config = config with { Device = config.Device with { Id = deviceId } };
        }

        // What the pipeline would refuse to be built from is refused here, so the running revision stays (not an apply that fails).
        Pipeline.DevicePipeline.Check(config, ConfigRepository.ConfigFile);
        return config;
    }

    /// <summary>
    /// The model <c>[inference] model</c> names, read, verified and staged as the pipeline will stage it (known window
    /// features, a positive threshold, its bundled self-test) when <c>[inference] enabled</c>, then the models of the
    /// <c>[[multivariate]]</c> tables (read and verified); empty when none is named. Other model folders are not read.
    /// </summary>
    /// <exception cref="ConfigException">The folder is missing, or the model is refused (file:line named).</exception>
    public static IReadOnlyList<ModelPackage> Models(ConfigRepository repo, string commit, ApplianceConfig config)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(config);
        var models = new List<ModelPackage>();
        bool anyCameraModel = (config.Cameras ?? []).Any(c => c.Model is not null);
        // [inference] model is read (and ONNX Runtime loaded for its self-test) only while [inference] is enabled: a disabled
        // device that keeps a model in its repository does not carry ONNX Runtime's 22 MiB for it.
        string? inferenceModel = config.Inference.Enabled ? config.Inference.Model : null;
        IReadOnlyList<string> folders = inferenceModel is null && config.Multivariate is not { Count: > 0 } && !anyCameraModel ? [] : repo.List(commit, "models", folders: true);
        if (inferenceModel is { } name)
        {
            if (!folders.Contains(name, StringComparer.Ordinal))
            {
                var line = LineOf(Text(repo, commit, ConfigRepository.ConfigFile) ?? string.Empty, "inference", "model");
                throw new ConfigException(ConfigRepository.ConfigFile, line, $"[inference] model = \"{name}\": no folder models/{name}/ in this revision (expected model.onnx, selftest.toml and SHA256SUMS there: appliance train --out models/{name})");
            }

            models.Add(Model(repo, commit, name));
        }

        // [[multivariate]] models: verified (hashes, self-test) here; their row shape is checked when the pipeline stages them.
        foreach (var m in config.Multivariate ?? [])
        {
            if (!folders.Contains(m.Model, StringComparer.Ordinal))
            {
                throw new ConfigException(ConfigRepository.ConfigFile, 0, $"[[multivariate]] model = \"{m.Model}\": no folder models/{m.Model}/ in this revision (expected model.onnx, selftest.toml and SHA256SUMS there)");
            }

            if (!models.Exists(p => p.Name == m.Model))
            {
                models.Add(repo.LoadModel(commit, m.Model));
            }
        }

        // [[camera]] models: verified (hashes, self-test) here; their frame shape is checked when the camera stage loads them.
        foreach (var c in config.Cameras ?? [])
        {
            if (c.Model is not { } cameraModel)
            {
                continue;
            }

            if (!folders.Contains(cameraModel, StringComparer.Ordinal))
            {
                throw new ConfigException(ConfigRepository.ConfigFile, 0, $"[[camera]] '{c.Name}' model = \"{cameraModel}\": no folder models/{cameraModel}/ in this revision (expected model.onnx, selftest.toml and SHA256SUMS there: appliance train-frames --out models/{cameraModel})");
            }

            if (!models.Exists(p => p.Name == cameraModel))
            {
                models.Add(repo.LoadModel(commit, cameraModel));
            }
        }

        return models;
    }

    /// <summary>Reads, verifies and stages <c>models/<paramref name="name"/>/</c> as the pipeline will.</summary>
    /// <exception cref="ConfigException">A file is missing or unlisted, a hash differs, the self-test fails, or the pipeline refuses it.</exception>
    public static ModelPackage Model(ConfigRepository repo, string commit, string name)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var package = repo.LoadModel(commit, name);
        using var check = new HotSwapScorer(package.Streams, GpuPolicy.Off);
        if (!check.Stage($"models/{name}", package.Onnx, package.SelfTestCase))
        {
            throw new ConfigException($"models/{name}/{ModelPackage.ModelFile}", 0, $"refused: {check.LastRejection!.Reason}");
        }

        return package;
    }

    /// <summary>The text of <paramref name="path"/> (strict UTF-8), or null when absent.</summary>
    /// <exception cref="ConfigException">Too large, or not UTF-8 (line named).</exception>
    public static string? Text(ConfigRepository repo, string commit, string path)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var bytes = repo.ReadFile(commit, path);
        return bytes is null ? null : ConfigText.Decode(bytes, path);
    }

    /// <summary>The line of <c>KEY =</c> in table <c>[TABLE]</c> of a TOML text, for an error the parser cannot place (what
    /// the revision lacks is known only here); 0 when not found.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="table">The table's name, without brackets.</param>
    /// <param name="key">The key.</param>
    internal static int LineOf(string text, string table, string key)
    {
        var lines = text.Split('\n');
        var inTable = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].Trim();
            if (t.StartsWith('['))
            {
                inTable = t.StartsWith($"[{table}]", StringComparison.Ordinal);
            }
            else if (inTable && t.StartsWith(key, StringComparison.Ordinal) && t[key.Length..].TrimStart().StartsWith('='))
            {
                return i + 1;
            }
        }

        return 0;
    }
}
