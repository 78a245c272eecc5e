namespace Appliance.Contracts.Wire;

/// <summary>Severity of an <see cref="Alert"/>; written as a MessagePack positive fixint (0..2).</summary>
public enum AlertSeverity : byte
{
    /// <summary>Worth recording; no action expected.</summary>
    Info = 0,

    /// <summary>Out of the normal band; someone should look.</summary>
    Warning = 1,

    /// <summary>Out of the safe band; act now.</summary>
    Critical = 2,
}
