namespace Appliance.Drivers.Buses;

/// <summary>A bus or chip fault, as configuration names it (<c>fault = "nack:2s+1s"</c>) and as the emulators in
/// Appliance.Drivers.Emulation inject it (<c>EmulatedBusFaults</c>).</summary>
public enum BusFaultKind
{
    /// <summary>The chip does not acknowledge: every transfer throws <see cref="IOException"/> (on Linux i2c-dev: ENXIO/EREMOTEIO).</summary>
    Nack,

    /// <summary>A transfer hangs for a set delay, then throws <see cref="IOException"/> (ETIMEDOUT).</summary>
    Timeout,

    /// <summary>The chip answers, but its measurement registers stop updating (a stuck value).</summary>
    StuckValue,

    /// <summary>The chip id register reads another id (another chip, or a floating bus at 0xFF).</summary>
    WrongChipId,

    /// <summary>Reads of one register come back with some bits inverted.</summary>
    BitFlip,
}
