namespace Appliance.Drivers.Tests.Chips.Lux1;

// A test-only chip, to show what adding a chip takes: this folder and nothing else. "lux1" is a made-up one-channel I2C light
// sensor (default address 0x23, at most 10 readings per second) whose 16-bit big-endian register 0x00 holds the illuminance in
// half-lux steps (lux = code / 2). The descriptor registers the chip with ChipRegistry and, as a test chip keeps everything in
// one place, its emulator with ChipEmulators; a product chip's emulator lives in drivers/Appliance.Drivers.Emulation/Chips/<Chip>/.
internal sealed class Lux1Chip : IChipDescriptor, IChipEmulator
{
    public static readonly Lux1Chip Instance = new();

    public string Name => "lux1";

    public BusKind Bus => BusKind.I2c;

    public int DefaultAddress => 0x23;

    public double MaxRateHz => 10;

    public IReadOnlyList<string> Inputs => [];

    public string? Identity => null;

    string IChipEmulator.Chip => Name;

    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) => [Lux1Sensor.Channel];

    public ChipDevice OpenBus(SensorDescriptor sensor) =>
        ChipDevice.Of(I2cDevice.Create(new I2cConnectionSettings(sensor.Bus.Bus, sensor.Address)));

    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) => new Lux1Sensor(sensor.Name, device.I2c, clock);

    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        var chip = new Lux1Emulator((byte)sensor.Address, signal as ushort? ?? 1000, clock);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    internal static void Register()
    {
        ChipRegistry.Register(Instance);
        ChipEmulators.Register(Instance);
    }
}
