using System.Text.Json;
using Appliance.Drivers.Chips.Gpio;

namespace Appliance.Device.Health;

/// <summary>
/// The <c>"alarms"</c> key of the status file: one object per <c>[[alarm]]</c> output,
/// <c>{"name", "raised", "raises", "clears", "faults", "last_fault", "in_sync"}</c> (<c>raised</c>: the alarm is on now;
/// <c>last_fault</c>: the latest failed GPIO write, or null; <c>in_sync</c>: the line is known to be at the wanted level).
/// An empty array when the device has no alarm.
/// </summary>
/// <param name="panel">The device's alarm panel now (it changes when a new configuration is applied); null for none.</param>
public sealed class AlarmStatusSection(Func<AlarmPanel?> panel) : IStatusSection
{
    /// <inheritdoc />
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray("alarms");
        foreach (AlarmStatus a in panel()?.Snapshot() ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("name", a.Name);
            writer.WriteBoolean("raised", a.Raised);
            writer.WriteNumber("raises", a.Raises);
            writer.WriteNumber("clears", a.Clears);
            writer.WriteNumber("faults", a.Faults);
            writer.WriteString("last_fault", a.LastFault); // JSON null when there was none

            writer.WriteBoolean("in_sync", a.InSync);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
