using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips;

namespace Appliance.Drivers.Sources;

/// <summary>What configuration says about one bus sensor: enough for <see cref="SensorFactory"/> to open it.</summary>
/// <param name="Name">The sensor's name.</param>
/// <param name="Chip">The chip (from <see cref="ChipRegistry"/>).</param>
/// <param name="Bus">Where it is attached (<c>i2c:1</c>, <c>spi:0.0</c>, <c>gpio:0</c>, <c>emulated:CHIP</c>).</param>
/// <param name="Address">The 7-bit I2C address (I2C chips).</param>
/// <param name="Line">The GPIO line (GPIO chips); -1 otherwise.</param>
/// <param name="Inputs">Inputs to read, from the chip's <see cref="IChipDescriptor.Inputs"/> (ADS1115 <c>ain0</c>..<c>ain3</c>,
/// <c>ain0-ain1</c>, …; MCP3008 <c>0</c>..<c>7</c>). Empty: the chip's default (ADS1115 <c>ain0</c>; MCP3008 all eight).</param>
/// <param name="RateHz">The sampling rate, Hz.</param>
/// <param name="Debounce">A pulse counter's debounce time (<see cref="Chips.Gpio.PulseCounterSensor"/>); null for none and for other chips.</param>
public sealed record SensorDescriptor(string Name, IChipDescriptor Chip, BusSpec Bus, int Address, int Line, IReadOnlyList<string> Inputs, double RateHz, TimeSpan? Debounce = null);
