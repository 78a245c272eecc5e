namespace Appliance.Drivers.Buses;

/// <summary>The kind of bus a sensor is on (the part of a <see cref="BusSpec"/> before the colon).</summary>
public enum BusKind
{
    /// <summary>A Linux I2C adapter, <c>/dev/i2c-N</c> (<c>i2c:N</c>).</summary>
    I2c,

    /// <summary>A Linux SPI device, <c>/dev/spidevB.C</c> (<c>spi:B.C</c>).</summary>
    Spi,

    /// <summary>A Linux GPIO character device, <c>/dev/gpiochipN</c> through libgpiod (<c>gpio:N</c>, with a <c>line</c>).</summary>
    Gpio,

    /// <summary>An in-process register-level emulator of a chip (<c>emulated:CHIP</c>).</summary>
    Emulated,

    /// <summary>A recorded CSV replayed as a sensor (<c>replay:PATH</c>).</summary>
    Replay,
}
