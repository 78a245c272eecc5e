using Microsoft.Extensions.Logging;

namespace Appliance.Device.Hosting;

/// <summary>
/// A minimum log level that can change while the process runs (the cloud's <c>set-log-level</c> command): the logger factory
/// of <c>appliance run</c> filters every log call on <see cref="Minimum"/>.
/// </summary>
public sealed class LogLevelSwitch
{
    private volatile int _minimum;

    /// <summary>Creates the switch.</summary>
    /// <param name="minimum">The initial minimum level.</param>
    public LogLevelSwitch(LogLevel minimum = LogLevel.Information) => _minimum = (int)minimum;

    /// <summary>The minimum level logged now.</summary>
    public LogLevel Minimum
    {
        get => (LogLevel)_minimum;
        set => _minimum = (int)value;
    }

    /// <summary>Parses a level as the <c>set-log-level</c> command names it.</summary>
    /// <param name="name">trace, debug, information, warning, error or critical.</param>
    /// <param name="level">The level.</param>
    /// <returns>False for any other name.</returns>
    public static bool TryParse(string name, out LogLevel level)
    {
        (level, bool ok) = name switch
        {
            "trace" => (LogLevel.Trace, true),
            "debug" => (LogLevel.Debug, true),
            "information" => (LogLevel.Information, true),
            "warning" => (LogLevel.Warning, true),
            "error" => (LogLevel.Error, true),
            "critical" => (LogLevel.Critical, true),
            _ => (LogLevel.None, false),
        };
        return ok;
    }
}
