using System.Device.I2c;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Chips.Bme280;

/// <summary>The Bosch BME280 (temperature, pressure, humidity) on I2C: <see cref="Bme280Sensor"/> in forced mode.</summary>
public sealed class Bme280Chip : IChipDescriptor
{
    private Bme280Chip()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipRegistry"/>.</summary>
    public static Bme280Chip Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "bme280";

    /// <inheritdoc/>
    public BusKind Bus => BusKind.I2c;

    /// <summary>0x76, SDO to GND (BST-BME280-DS002 6.2).</summary>
    public int DefaultAddress => 0x76;

    /// <summary>100 Hz: forced mode at x1 oversampling converts for up to 9.3 ms (BST-BME280-DS002 Appendix B).</summary>
    public double MaxRateHz => 100;

    /// <inheritdoc/>
    public IReadOnlyList<string> Inputs => [];

    /// <summary>Register 0xD0 reads 0x60 (BST-BME280-DS002 5.4.1).</summary>
    public string? Identity => "chip id 0x60";

    /// <inheritdoc/>
    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) => Bme280Sensor.ChannelNames;

    /// <inheritdoc/>
    public ChipDevice OpenBus(SensorDescriptor sensor) =>
        ChipDevice.Of(I2cDevice.Create(new I2cConnectionSettings(sensor.Bus.Bus, sensor.Address)));

    /// <inheritdoc/>
    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) => new Bme280Sensor(sensor.Name, device.I2c, clock);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the chip without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipRegistry.Register(Instance);
}
