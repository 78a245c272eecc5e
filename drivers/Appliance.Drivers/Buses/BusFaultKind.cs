namespace Appliance.Drivers.Buses;

/// <summary>A bus or chip fault that an emulated chip can inject (<see cref="EmulatedBusFaults"/>).</summary>
public enum BusFaultKind
{
    /// <summary>The chip does not acknowledge: every transfer throws <see cref="IOException"/> (on Linux i2c-dev: ENXIO/EREMOTEIO).</summary>
    Nack,

    /// <summary>A transfer hangs for <see cref="EmulatedBusFaults.TimeoutDelay"/>, then throws <see cref="IOException"/> (ETIMEDOUT).</summary>
    Timeout,

    /// <summary>The chip answers, but its measurement registers stop updating (a stuck value).</summary>
    StuckValue,

    /// <summary>The chip id register reads <see cref="EmulatedBusFaults.WrongChipId"/> (another chip, or a floating bus at 0xFF).</summary>
    WrongChipId,

    /// <summary>Reads of <see cref="EmulatedBusFaults.FlipRegister"/> come back with the bits of <see cref="EmulatedBusFaults.FlipMask"/> inverted.</summary>
    BitFlip,
}
