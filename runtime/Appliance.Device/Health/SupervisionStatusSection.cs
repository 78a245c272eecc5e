using System.Text.Json;

namespace Appliance.Device.Health;

/// <summary>
/// The supervision keys of the status file: <c>"stage_restarts"</c> (restarts of every stage since start), <c>"stages"</c>
/// (one object per stage that failed: <c>{"stage", "restarts", "last_error", "last_failure"}</c>, the time in ISO 8601 UTC),
/// and, when a watchdog runs, <c>"watchdog_fed"</c>, <c>"watchdog_withheld"</c> (ticks at which it was not fed) and
/// <c>"watchdog_stall"</c> (what stalled at the last withheld tick, or null).
/// </summary>
/// <param name="supervisor">The device's stage supervisor.</param>
/// <param name="watchdog">The device's watchdog now, or null.</param>
public sealed class SupervisionStatusSection(StageSupervisor supervisor, Func<ServiceWatchdog?> watchdog) : IStatusSection
{
    /// <inheritdoc />
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("stage_restarts", supervisor.Restarts);
        writer.WriteStartArray("stages");
        foreach (var s in supervisor.Snapshot())
        {
            writer.WriteStartObject();
            writer.WriteString("stage", s.Stage);
            writer.WriteNumber("restarts", s.Restarts);
            writer.WriteString("last_error", s.LastError);
            writer.WriteString("last_failure", s.LastFailure.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (watchdog() is { } w)
        {
            writer.WriteNumber("watchdog_fed", w.Fed);
            writer.WriteNumber("watchdog_withheld", w.Withheld);
            writer.WriteString("watchdog_stall", w.LastStall);
        }
    }
}
