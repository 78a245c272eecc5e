using System.Device.Gpio;
using System.Device.I2c;
using System.Device.Spi;
using Appliance.Drivers.Buses;

namespace Appliance.Drivers.Chips;

/// <summary>
/// A chip's bus device, real (<c>/dev/i2c-N</c>, <c>/dev/spidevB.C</c>, <c>/dev/gpiochipN</c>) or emulated: exactly one of an
/// <see cref="I2cDevice"/>, an <see cref="SpiDevice"/> or a <see cref="GpioDriver"/>.
/// </summary>
public sealed class ChipDevice : IDisposable
{
    private readonly IDisposable _device;

    private ChipDevice(BusKind kind, IDisposable device)
    {
        Kind = kind;
        _device = device;
    }

    /// <summary>The kind of bus: <see cref="BusKind.I2c"/>, <see cref="BusKind.Spi"/> or <see cref="BusKind.Gpio"/>.</summary>
    public BusKind Kind { get; }

    /// <summary>The I2C device.</summary>
    /// <exception cref="InvalidOperationException">The device is not on I2C.</exception>
    public I2cDevice I2c => _device as I2cDevice ?? throw Wrong(BusKind.I2c);

    /// <summary>The SPI device.</summary>
    /// <exception cref="InvalidOperationException">The device is not on SPI.</exception>
    public SpiDevice Spi => _device as SpiDevice ?? throw Wrong(BusKind.Spi);

    /// <summary>The GPIO chip's driver.</summary>
    /// <exception cref="InvalidOperationException">The device is not a GPIO chip.</exception>
    public GpioDriver Gpio => _device as GpioDriver ?? throw Wrong(BusKind.Gpio);

    /// <summary>Wraps an I2C device.</summary>
    /// <param name="device">The device; owned by the result.</param>
    /// <returns>The device.</returns>
    public static ChipDevice Of(I2cDevice device) => new(BusKind.I2c, device ?? throw new ArgumentNullException(nameof(device)));

    /// <summary>Wraps an SPI device.</summary>
    /// <param name="device">The device; owned by the result.</param>
    /// <returns>The device.</returns>
    public static ChipDevice Of(SpiDevice device) => new(BusKind.Spi, device ?? throw new ArgumentNullException(nameof(device)));

    /// <summary>Wraps a GPIO chip's driver.</summary>
    /// <param name="driver">The driver; owned by the result.</param>
    /// <returns>The device.</returns>
    public static ChipDevice Of(GpioDriver driver) => new(BusKind.Gpio, driver ?? throw new ArgumentNullException(nameof(driver)));

    /// <summary>Disposes the device (only when no driver took it over).</summary>
    public void Dispose() => _device.Dispose();

    private InvalidOperationException Wrong(BusKind wanted) =>
        new($"the chip's device is on {Kind}, not on {wanted}");
}
