using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips;
using Appliance.Drivers.Chips.Gpio;

namespace Appliance.Drivers.Sources;

/// <summary>
/// Opens the sensor a <see cref="SensorDescriptor"/> names: its chip's driver (<see cref="IChipDescriptor.Open"/>) over the
/// Linux character device of its bus (<see cref="IChipDescriptor.OpenBus"/>: <c>/dev/i2c-N</c>, <c>/dev/spidevB.C</c>,
/// <c>/dev/gpiochipN</c> through libgpiod), or over the chip's emulator for <c>emulated:CHIP</c> when the factory was given
/// <see cref="IEmulatedBuses"/> (Appliance.Drivers.Emulation), so that the same pipeline runs on a laptop, in CI and on a board.
/// </summary>
public sealed class SensorFactory
{
    private readonly TimeProvider _clock;
    private readonly IEmulatedBuses? _emulated;

    /// <summary>Creates a factory.</summary>
    /// <param name="clock">The clock of the sensors and emulators; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="emulated">Opens <c>emulated:</c> buses; null to refuse them (real buses only).</param>
    public SensorFactory(TimeProvider? clock = null, IEmulatedBuses? emulated = null)
    {
        _clock = clock ?? TimeProvider.System;
        _emulated = emulated;
    }

    /// <summary>
    /// Opens an alarm output (<c>[[alarm]]</c>): a GPIO line on <c>/dev/gpiochipN</c> through libgpiod for <c>gpio:N</c>, or on an
    /// emulated GPIO chip for <c>emulated:gpio</c> (through <see cref="IEmulatedBuses.OpenAlarmChip"/>). The line itself is
    /// requested at the first write.
    /// </summary>
    /// <param name="name">The alarm's name.</param>
    /// <param name="bus"><c>gpio:N</c> or <c>emulated:gpio</c>.</param>
    /// <param name="line">The line offset on the chip; 0 or more.</param>
    /// <param name="activeLow">True for an active-low relay board (raised = low level).</param>
    /// <param name="logger">Log for write faults; none when null.</param>
    /// <returns>The output, owning its GPIO controller.</returns>
    /// <exception cref="ArgumentException">The bus is not a GPIO chip, or the line is negative; the message names the alarm.</exception>
    /// <exception cref="IOException">The GPIO chip could not be opened.</exception>
    public AlarmOutput CreateAlarm(string name, BusSpec bus, int line, bool activeLow, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (line < 0)
        {
            throw new ArgumentException($"alarm '{name}': line = {line}: expected the GPIO line offset on the chip (0 or more).", nameof(line));
        }

        GpioDriver driver = bus switch
        {
            { Kind: BusKind.Emulated, Target: "gpio" } => Emulated(name).OpenAlarmChip(name, line, _clock),
            { Kind: BusKind.Gpio } => new LibGpiodDriver(bus.Bus),
            _ => throw new ArgumentException($"alarm '{name}': bus = '{bus}' is not a GPIO chip (expected gpio:N for /dev/gpiochipN, or emulated:gpio).", nameof(bus)),
        };
        return new AlarmOutput(name, new GpioController(driver), line, activeLow, logger);
    }

    /// <summary>Opens the sensor (without touching the chip: call <see cref="IBusSensor.Open"/> to check it).</summary>
    /// <param name="sensor">The sensor's description.</param>
    /// <returns>The sensor, owning its bus device.</returns>
    /// <exception cref="ArgumentException">The bus kind does not suit the chip (an SPI chip on <c>i2c:N</c>), an emulated bus names
    /// another chip or the factory has no emulators, a GPIO sensor has no line, or an input is not one of the chip's; the message
    /// names the sensor and what was expected.</exception>
    /// <exception cref="IOException">The bus's device node could not be opened.</exception>
    public IBusSensor Create(SensorDescriptor sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        IChipDescriptor chip = sensor.Chip;
        BusSpec bus = sensor.Bus;
        bool emulated = bus.Kind == BusKind.Emulated;
        if (emulated && bus.Target != chip.Name)
        {
            throw new ArgumentException($"sensor '{sensor.Name}': bus '{bus}' emulates {bus.Target}, but chip = '{chip.Name}' (expected emulated:{chip.Name}).");
        }

        if (!emulated && bus.Kind != chip.Bus)
        {
            string example = chip.Bus == BusKind.Gpio ? "gpio:0 with line = 17" : BusSpec.Example(chip.Bus);
            throw new ArgumentException($"sensor '{sensor.Name}': chip {chip.Name} is on {chip.Bus.ToString().ToUpperInvariant()}, but bus = '{bus}' (expected for example {example}, or emulated:{chip.Name}).");
        }

        if (chip.Bus == BusKind.Gpio && sensor.Line < 0)
        {
            throw new ArgumentException($"sensor '{sensor.Name}': chip {chip.Name} needs line = N (the GPIO line offset on the chip).");
        }

        ChipDevice device = emulated ? Emulated(sensor.Name).Open(sensor, _clock) : chip.OpenBus(sensor);
        try
        {
            return chip.Open(sensor, device, _clock);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private IEmulatedBuses Emulated(string name) => _emulated
        ?? throw new ArgumentException($"'{name}': emulated buses need the emulators (Appliance.Drivers.Emulation's EmulatedBuses given to the SensorFactory).");
}
