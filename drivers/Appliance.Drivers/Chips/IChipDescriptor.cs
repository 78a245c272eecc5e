using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Chips;

/// <summary>
/// Everything the appliance knows about one chip, in one place: its configuration name, the bus it is wired to, the inputs a
/// sensor may select and the channels (with units) it reports, how fast it can be sampled, what <c>appliance doctor</c> checks,
/// how its Linux device node is opened, and how its driver is built over a bus device (real, or an emulator's).
/// </summary>
/// <remarks>
/// A chip is a folder <c>drivers/Appliance.Drivers/Chips/&lt;Chip&gt;/</c> holding its driver and one implementation of this
/// interface that registers itself with <see cref="ChipRegistry"/> (see there for how); configuration, the sensor factory and the
/// probe read everything chip-specific from here. Its register-level emulator, when it has one, lives apart in
/// <c>drivers/Appliance.Drivers.Emulation/Chips/&lt;Chip&gt;/</c>, so that the real path holds only real buses.
/// </remarks>
public interface IChipDescriptor
{
    /// <summary>The chip's name in configuration (<c>chip = "bme280"</c>) and in <c>emulated:NAME</c>: lower-case letters, digits, '-'.</summary>
    string Name { get; }

    /// <summary>The bus the chip is wired to: <see cref="BusKind.I2c"/>, <see cref="BusKind.Spi"/> or <see cref="BusKind.Gpio"/>
    /// (a GPIO chip needs a <c>line</c>; the others take none).</summary>
    BusKind Bus { get; }

    /// <summary>The 7-bit I2C address when configuration gives none (I2C chips); ignored on other buses.</summary>
    int DefaultAddress { get; }

    /// <summary>The fastest rate the chip delivers, samples per second (the data sheet's limit; configuration refuses more).</summary>
    double MaxRateHz { get; }

    /// <summary>The inputs a sensor may select with <c>channels = "a,b"</c>; empty when the chip takes no <c>channels</c>.</summary>
    IReadOnlyList<string> Inputs { get; }

    /// <summary>What <see cref="Open"/>'s driver checks as the chip's identity, for <c>appliance doctor</c> (<c>chip id 0x60</c>);
    /// null for chips without an id register.</summary>
    string? Identity { get; }

    /// <summary>The channels a sensor of this chip reports, names ending in their SI unit (<c>temperature_c</c>, <c>ain0_v</c>).</summary>
    /// <param name="inputs">The selected inputs (a subset of <see cref="Inputs"/>); empty for the chip's default.</param>
    /// <returns>One name per channel, in the order <see cref="ISampleSource.Read"/> fills them.</returns>
    IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs);

    /// <summary>Opens the chip's Linux device node (<c>/dev/i2c-N</c> at the sensor's address, <c>/dev/spidevB.C</c> in the
    /// chip's SPI mode and clock, <c>/dev/gpiochipN</c> through libgpiod).</summary>
    /// <param name="sensor">The sensor, on a bus of kind <see cref="Bus"/>.</param>
    /// <returns>The device, owned by the caller until handed to <see cref="Open"/>.</returns>
    /// <exception cref="IOException">The node could not be opened.</exception>
    ChipDevice OpenBus(SensorDescriptor sensor);

    /// <summary>Builds the chip's driver over <paramref name="device"/> (without touching the chip).</summary>
    /// <param name="sensor">The sensor.</param>
    /// <param name="device">The bus device (from <see cref="OpenBus"/> or an emulator); the driver owns it.</param>
    /// <param name="clock">The clock of the driver.</param>
    /// <returns>The sensor.</returns>
    /// <exception cref="ArgumentException">An input is not one of <see cref="Inputs"/>, or the device is not on <see cref="Bus"/>;
    /// the message names the sensor.</exception>
    IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock);
}
