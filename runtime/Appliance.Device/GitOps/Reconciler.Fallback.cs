using System.Text.Json;
using Appliance.Contracts.Config;
using Appliance.Device.State;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.GitOps;

/// <summary>The reconciler's fallbacks (last known good, baked-in, none), its last-known-good pin and its status file.</summary>
public sealed partial class Reconciler
{
    /// <summary>
    /// Pins <paramref name="commit"/> as last known good. A failure never stops the device: a lock file left by a killed process
    /// is cleared (when no other process is in the state directory) and the pin tried once more; what still fails is counted,
    /// logged and reported (<see cref="GitOpsStatus.PinFailures"/>), and the previous pin stays.
    /// </summary>
    private void PinLastKnownGood(string commit)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _repo.PinLastKnownGood(commit);
                return;
            }
            catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or IOException or UnauthorizedAccessException)
            {
                if (attempt == 0 && e is LibGit2Sharp.LockedFileException && ClearStaleLocks())
                {
                    continue;
                }

                var failures = _status.PinFailures + 1;
                Publish(_status with { PinFailures = failures, PinError = $"{ConfigRepository.LastKnownGoodRef} -> {Short(commit)}: {e.Message}" });
                ReconcilerLog.PinFailed(_logger, commit, failures, e.Message);
                return;
            }
        }
    }

    /// <summary>
    /// Deletes the lock files a killed process left in the clone, when no other process is in the state directory: its
    /// <see cref="StateDirectoryLock"/> is free, or held by this process (<c>appliance run</c> holds it). Failures are logged.
    /// </summary>
    /// <returns>True when the clone was checked and stale locks (if any) removed.</returns>
    private bool ClearStaleLocks()
    {
        try
        {
            try
            {
                using var probe = StateDirectoryLock.Acquire(_options.StateDirectory);
            }
            catch (StateDirectoryLockedException e) when (e.HolderPid == Environment.ProcessId)
            {
                // This process holds it: no other process can use the clone.
            }

            foreach (var path in _repo.ClearStaleLocks())
            {
                ReconcilerLog.StaleLockCleared(_logger, path);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReconcilerLog.StaleLockCheckFailed(_logger, _options.StateDirectory, e.Message);
            return false;
        }
    }

    /// <summary>
    /// Records that no revision runs: state <see cref="ConfigState.NoConfiguration"/>, <paramref name="why"/> as the error, and
    /// the next try after a backoff that grows with every attempt that left the device without one.
    /// </summary>
    private void NoConfiguration(string why)
    {
        _attemptsWithoutConfiguration++;
        _plannedDelay ??= NextDelay();
        Publish(_status with { ConfigRevision = string.Empty, ConfigState = ConfigState.NoConfiguration, ConfigError = why });
        ReconcilerLog.NoConfiguration(_logger, why, _attemptsWithoutConfiguration, _plannedDelay.Value);
    }

    /// <summary>The last known good revision, or the configuration baked into the image, or null when there is neither.</summary>
    private ConfigBundle? LoadFallback()
    {
        var lkg = _repo.LastKnownGood();
        if (lkg is not null && lkg != _refused)
        {
            try
            {
                return Load(lkg);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReconcilerLog.Rejected(_logger, lkg, "last known good revision no longer loads: " + e.Message);
            }
        }

        if (_options.BakedInToml is null)
        {
            return null;
        }

        var config = ConfigLoader.Parse(_options.BakedInToml, "baked-in appliance.toml");
        if (_options.DeviceId is not null)
        {
            config = config with { Device = config.Device with { Id = _options.DeviceId } };
        }

        // What the pipeline would refuse to be built from is refused here, so the running revision stays (not an apply that fails).
        Pipeline.DevicePipeline.Check(config, ConfigRepository.ConfigFile);

        return new ConfigBundle(ConfigBundle.BakedIn, config, [], "baked into the image");
    }

    private void Publish(GitOpsStatus status)
    {
        // Every message reaches status.json and heartbeats from here: no credentials of a URL get further.
        status = status with { ConfigError = UrlSecrets.Redact(status.ConfigError) };
        _status = status;
        var path = StatusPath;
        try
        {
            var tmp = path + ".tmp";
            using (var stream = File.Create(tmp))
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("config_revision", status.ConfigRevision);
                w.WriteString("config_state", status.StateName);
                w.WriteString("config_error", status.ConfigError);
                w.WriteString("failed_revision", status.FailedRevision);
                w.WriteString("last_fetch", status.LastFetch?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteNumber("fetch_failures", status.ConsecutiveFetchFailures);
                w.WriteNumber("lkg_pin_failures", status.PinFailures);
                w.WriteString("lkg_pin_error", status.PinError);
                w.WriteString("updated", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException e)
        {
            ReconcilerLog.StatusWriteFailed(_logger, path, e.Message);
        }
    }
}
