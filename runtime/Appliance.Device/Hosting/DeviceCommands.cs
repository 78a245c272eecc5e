using Appliance.Contracts.Wire;
using Appliance.Device.GitOps;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>
/// Carries out the cloud's commands on a <see cref="DeviceRuntime"/> (layouts: <see cref="CommandKind"/>) and words the result
/// the device sends back: pull-config → <c>rev=R state=S</c>, identify → <c>raised N alarm lines for S s</c>, restart-pipeline →
/// <c>pipeline restarted on rev=R</c>, set-log-level → <c>log level L</c>. A command that cannot be carried out is a failed
/// result naming why; nothing here throws.
/// </summary>
internal sealed class DeviceCommands(DeviceRuntime device, ILogger logger)
{
    /// <summary>The longest wait for a pull's fetch and apply before the command is answered as failed.</summary>
    private static readonly TimeSpan s_pullTimeout = TimeSpan.FromMinutes(5);

    public async Task<CommandResult> ExecuteAsync(Command command)
    {
        bool ok;
        string text;
        try
        {
            (ok, text) = command.Kind switch
            {
                CommandKind.PullConfig => await PullAsync(),
                CommandKind.Identify => Identify(command.Arguments),
                CommandKind.RestartPipeline => (true, await device.RestartPipelineAsync(CancellationToken.None)),
                CommandKind.SetLogLevel => SetLogLevel(command.Arguments),
                _ => (false, $"unknown command kind {(int)command.Kind} (this device knows pull-config, identify, restart-pipeline, set-log-level)"),
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            (ok, text) = (false, $"{ex.GetType().Name}: {ex.Message}");
        }

        if (text.Length > WireLimits.MaxTextLength)
        {
            text = text[..WireLimits.MaxTextLength];
        }

        DeviceRuntimeLog.CommandDone(logger, command.Id, command.Kind.ToString(), ok, text);
        return new CommandResult { Id = command.Id, Succeeded = ok, Text = text };
    }

    private async Task<(bool, string)> PullAsync()
    {
        if (device.PullAndWait is not { } pull)
        {
            return (false, "this device follows no configuration repository");
        }

        GitOpsStatus s = await pull().WaitAsync(s_pullTimeout);
        string text = $"rev={s.ConfigRevision} state={s.StateName}" + (s.ConfigError is { Length: > 0 } e ? $" error={e}" : "");
        return (s.ConsecutiveFetchFailures == 0, text);
    }

    private (bool, string) Identify(IReadOnlyList<string> arguments)
    {
        if (arguments.Count != 1 || !int.TryParse(arguments[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 3600)
        {
            return (false, $"identify {string.Join(' ', arguments)}: expected SECONDS, 1 to 3600");
        }

        int raised = device.Alarms?.Identify(TimeSpan.FromSeconds(seconds)) ?? 0;
        return raised > 0 ? (true, $"raised {raised} alarm line{(raised == 1 ? "" : "s")} for {seconds} s") : (false, "no alarm line configured ([[alarm]])");
    }

    private (bool, string) SetLogLevel(IReadOnlyList<string> arguments)
    {
        if (arguments.Count != 1 || !LogLevelSwitch.TryParse(arguments[0], out LogLevel level))
        {
            return (false, $"set-log-level {string.Join(' ', arguments)}: expected one of trace, debug, information, warning, error, critical");
        }

        if (device.LogLevels is not { } levels)
        {
            return (false, "this device's log level cannot be changed while it runs");
        }

        levels.Minimum = level;
        return (true, $"log level {arguments[0]}");
    }
}
