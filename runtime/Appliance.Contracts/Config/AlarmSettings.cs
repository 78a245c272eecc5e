using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips.Gpio;
using Appliance.Drivers.Sources;
using Microsoft.Extensions.Logging;

namespace Appliance.Contracts.Config;

/// <summary>
/// One <c>[[alarm]]</c> table: a GPIO output (a relay or a lamp) that the device raises itself when an alert fires, without the
/// cloud, and clears after <paramref name="Hold"/> with no new alert.
/// </summary>
/// <param name="Name">Unique alarm name.</param>
/// <param name="Bus"><c>gpio:N</c> (<c>/dev/gpiochipN</c>, through libgpiod) or <c>emulated:gpio</c> (an in-process emulated GPIO chip), parsed.</param>
/// <param name="Line">The output line offset on the chip, 0 to 1023.</param>
/// <param name="Sensors">The sensors whose alerts raise it; empty (or absent) for alerts from any sensor.</param>
/// <param name="ActiveLow"><c>active = "low"</c>: raised drives the line low (active-low relay boards); <c>"high"</c> (the default) drives it high.</param>
/// <param name="Hold">How long the alarm stays raised after the latest alert (<c>hold = "5s"</c>, the default), 10 ms to 1 d.</param>
public sealed record AlarmSettings(string Name, BusSpec Bus, int Line, IReadOnlyList<string> Sensors, bool ActiveLow, TimeSpan Hold)
{
    /// <summary>The hold when <c>hold</c> is absent.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(5);

    /// <summary>Whether <paramref name="other"/> drives the same line the same way (every field equal, sensors in order).</summary>
    /// <param name="other">The other alarm.</param>
    /// <returns>True when the two are interchangeable.</returns>
    public bool SameAs(AlarmSettings? other) =>
        other is not null && Name == other.Name && Bus == other.Bus && Line == other.Line && ActiveLow == other.ActiveLow
        && Hold == other.Hold && Sensors.SequenceEqual(other.Sensors, StringComparer.Ordinal);

    /// <summary>
    /// Opens the outputs of <paramref name="alarms"/> through <paramref name="factory"/> (<see cref="SensorFactory.CreateAlarm"/>) on
    /// one <see cref="AlarmPanel"/>; nothing is written to a line until an alert raises it. The panel is not started.
    /// </summary>
    /// <param name="alarms">The validated <c>[[alarm]]</c> tables; null for none.</param>
    /// <param name="factory">Opens the GPIO chips (emulated ones through its emulated buses, which keep them).</param>
    /// <param name="logger">Log for write faults; none when null.</param>
    /// <param name="clock">The clock of the hold times; the system clock when null.</param>
    /// <returns>The panel, owning the outputs.</returns>
    /// <exception cref="ConfigException">An output cannot be opened (no such GPIO chip, libgpiod missing); the message names the alarm.</exception>
    public static AlarmPanel OpenPanel(IReadOnlyList<AlarmSettings>? alarms, SensorFactory factory, ILogger? logger = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var panel = new AlarmPanel(clock);
        try
        {
            foreach (var a in alarms ?? [])
            {
                AlarmOutput output;
                try
                {
                    output = factory.CreateAlarm(a.Name, a.Bus, a.Line, a.ActiveLow, logger);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException
                    or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
                {
                    throw new ConfigException("appliance.toml", 0, $"alarm '{a.Name}' bus = '{a.Bus}': the GPIO chip cannot be opened: {e.Message}");
                }

                panel.Add(output, a.Sensors, a.Hold);
            }
        }
        catch
        {
            panel.Dispose();
            throw;
        }

        return panel;
    }

    /// <summary>
    /// Reads and checks every <c>[[alarm]]</c> table of the document: unique names, a GPIO bus (and, when
    /// <paramref name="busMissing"/> is given, one that exists on this device), a line not used twice on one chip (nor by a
    /// <c>pulse</c> sensor), sensor names that are configured, <c>active</c> high or low, and a hold of 10 ms to 1 d.
    /// </summary>
    /// <exception cref="ConfigException">A table breaks one of the rules; the message names the file, line and key.</exception>
    internal static IReadOnlyList<AlarmSettings> ReadAll(TableReader root, IReadOnlyList<SensorSettings> sensors, Func<BusSpec, string?>? busMissing)
    {
        var alarms = new List<AlarmSettings>();
        foreach (var a in root.TableArray("alarm"))
        {
            a.RejectUnknown(["name", "bus", "line", "sensors", "active", "hold"]);
            var name = a.String("name", required: true)!;
            if (alarms.Exists(x => x.Name == name))
            {
                throw a.Error("name", $"alarm '{name}' is defined twice (alarm names must be unique)");
            }

            var bus = a.String("bus", required: true)!;
            if (!BusSpec.TryParse(bus, out var spec, out var busError))
            {
                throw a.Error("bus", $"alarm '{name}' {busError}");
            }

            if (!(spec.Kind == BusKind.Gpio || (spec.Kind == BusKind.Emulated && spec.Target == "gpio")))
            {
                throw a.Error("bus", $"alarm '{name}' bus = '{bus}': an alarm drives a GPIO line (expected gpio:N for /dev/gpiochipN, or emulated:gpio)");
            }

            if (busMissing?.Invoke(spec) is { } missing)
            {
                throw a.Error("bus", $"alarm '{name}' bus = '{bus}': the bus does not exist on this device ({missing} not found)");
            }

            var line = (int)a.Integer("line", -1, long.MinValue, long.MaxValue);
            if (line is < 0 or > 1023)
            {
                throw a.Error("line", line == -1 && !a.Has("line")
                    ? $"alarm '{name}': missing key (expected line = N, the GPIO output line offset on the chip, e.g. line = 4)"
                    : $"alarm '{name}' line = {line}: must be between 0 and 1023 (the GPIO line offset on the chip)");
            }

            if (spec.Kind == BusKind.Gpio)
            {
                if (alarms.Find(x => x.Bus == spec && x.Line == line) is { } twice)
                {
                    throw a.Error("line", $"alarm '{name}' line = {line}: alarm '{twice.Name}' drives that line of {bus} already");
                }

                if (sensors.FirstOrDefault(s => s.Chip?.Bus == BusKind.Gpio && s.Bus == spec && s.Line == line) is { } pulse)
                {
                    throw a.Error("line", $"alarm '{name}' line = {line}: sensor '{pulse.Name}' reads that line of {bus} as a pulse input");
                }
            }

            var listed = a.StringArray("sensors") ?? [];
            foreach (var s in listed)
            {
                if (!sensors.Any(x => x.Name == s))
                {
                    throw a.Error("sensors", $"alarm '{name}' sensors: '{s}' is not a configured sensor (expected names of [[sensor]] tables: {string.Join(", ", sensors.Select(x => x.Name))})");
                }
            }

            var active = a.String("active", required: false) ?? "high";
            if (active is not ("high" or "low"))
            {
                throw a.Error("active", $"alarm '{name}' active = '{active}': expected \"high\" or \"low\" (the level that raises the alarm)");
            }

            var hold = a.Duration("hold", required: false) ?? DefaultHold;
            if (hold < TimeSpan.FromMilliseconds(10) || hold > TimeSpan.FromDays(1))
            {
                throw a.Error("hold", $"alarm '{name}' hold = '{a.String("hold", required: false)}': must be between 10ms and 1d");
            }

            alarms.Add(new AlarmSettings(name, spec, line, listed.Distinct(StringComparer.Ordinal).ToArray(), active == "low", hold));
        }

        return alarms;
    }
}
