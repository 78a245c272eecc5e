using System.Device.Gpio;
using Appliance.Drivers.Chips;

namespace Appliance.Drivers.Sources;

/// <summary>
/// Opens <c>emulated:CHIP</c> buses for <see cref="SensorFactory"/>: implemented by <c>EmulatedBuses</c> in
/// Appliance.Drivers.Emulation, so that the real drivers know of emulators only through this interface.
/// </summary>
public interface IEmulatedBuses
{
    /// <summary>Opens the emulator of <paramref name="sensor"/>'s chip as its bus device.</summary>
    /// <param name="sensor">The sensor, on <c>emulated:CHIP</c> with CHIP its chip's name.</param>
    /// <param name="clock">The clock of the emulator.</param>
    /// <returns>The emulated device, of the chip's bus kind.</returns>
    /// <exception cref="ArgumentException">The chip has no emulator; the message names the sensor.</exception>
    ChipDevice Open(SensorDescriptor sensor, TimeProvider clock);

    /// <summary>Opens an emulated GPIO chip for an alarm output (<c>emulated:gpio</c>).</summary>
    /// <param name="alarm">The alarm's name.</param>
    /// <param name="line">The output's line offset.</param>
    /// <param name="clock">The clock of the emulated chip.</param>
    /// <returns>The GPIO chip's driver.</returns>
    GpioDriver OpenAlarmChip(string alarm, int line, TimeProvider clock);
}
