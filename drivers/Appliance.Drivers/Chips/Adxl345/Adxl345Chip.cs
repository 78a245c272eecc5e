using System.Device.Spi;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Chips.Adxl345;

/// <summary>The Analog Devices ADXL345 accelerometer on SPI (mode 3, 5 MHz): <see cref="Adxl345Sensor"/>, FIFO batches.</summary>
public sealed class Adxl345Chip : IChipDescriptor
{
    private Adxl345Chip()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipRegistry"/>.</summary>
    public static Adxl345Chip Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "adxl345";

    /// <inheritdoc/>
    public BusKind Bus => BusKind.Spi;

    /// <inheritdoc/>
    public int DefaultAddress => -1;

    /// <summary>3200 Hz, the fastest output data rate (data sheet table 7).</summary>
    public double MaxRateHz => 3200;

    /// <inheritdoc/>
    public IReadOnlyList<string> Inputs => [];

    /// <summary>DEVID (register 0x00) reads 0xE5 (data sheet table 19).</summary>
    public string? Identity => "DEVID 0xE5";

    /// <inheritdoc/>
    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) => Adxl345Sensor.ChannelNames;

    /// <inheritdoc/>
    public ChipDevice OpenBus(SensorDescriptor sensor) =>
        ChipDevice.Of(SpiDevice.Create(new SpiConnectionSettings(sensor.Bus.Bus, sensor.Bus.ChipSelect) { Mode = SpiMode.Mode3, ClockFrequency = 5_000_000 }));

    /// <inheritdoc/>
    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) =>
        new Adxl345Sensor(sensor.Name, device.Spi, Math.Min(sensor.RateHz, MaxRateHz), clock: clock);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the chip without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipRegistry.Register(Instance);
}
