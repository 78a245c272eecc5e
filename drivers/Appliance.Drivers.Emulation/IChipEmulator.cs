namespace Appliance.Drivers.Emulation;

/// <summary>
/// Builds the register-level emulator of one chip as the bus device of an <c>emulated:CHIP</c> sensor. Each lives in
/// <c>Chips/&lt;Chip&gt;/</c> of this project beside the emulator, and registers itself with <see cref="ChipEmulators"/>.
/// </summary>
public interface IChipEmulator
{
    /// <summary>The chip it emulates (<see cref="IChipDescriptor.Name"/>).</summary>
    string Chip { get; }

    /// <summary>Creates the emulator.</summary>
    /// <param name="sensor">The sensor on <c>emulated:CHIP</c> (address, line, rate as configured).</param>
    /// <param name="clock">The emulator's clock.</param>
    /// <param name="signal">What the emulated chip measures (an <see cref="IBme280Signal"/> for a BME280, an
    /// <see cref="IChannelSignal"/> for the others); null for the chip's default signal.</param>
    /// <returns>The emulated bus device and its fault set.</returns>
    /// <exception cref="ArgumentException">The signal is not of the kind the chip measures.</exception>
    EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal);
}

/// <summary>An emulated chip as a bus device, and the faults that can be injected into it.</summary>
/// <param name="Device">The emulated I2C, SPI or GPIO device.</param>
/// <param name="Faults">Its fault set.</param>
public sealed record EmulatedChip(ChipDevice Device, EmulatedBusFaults Faults);
