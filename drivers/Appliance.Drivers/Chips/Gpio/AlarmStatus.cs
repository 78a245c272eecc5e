namespace Appliance.Drivers.Chips.Gpio;

/// <summary>One alarm output's state, as <c>status.json</c> (<c>"alarms"</c>) and the demo report it.</summary>
/// <param name="Name">The alarm's name, as in configuration.</param>
/// <param name="Raised">Whether the alarm is raised now (wanted on; see <paramref name="InSync"/> for whether the line follows).</param>
/// <param name="Raises">Times it went from cleared to raised.</param>
/// <param name="Clears">Times it went from raised to cleared (after its hold).</param>
/// <param name="Faults">GPIO writes that failed (each is retried).</param>
/// <param name="LastFault">The latest failed write's message, or null.</param>
/// <param name="InSync">True when the line is known to be at the wanted level (false after a failed write until a retry succeeds).</param>
public readonly record struct AlarmStatus(string Name, bool Raised, long Raises, long Clears, long Faults, string? LastFault, bool InSync);
