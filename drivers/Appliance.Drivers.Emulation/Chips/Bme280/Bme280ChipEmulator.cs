using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.Drivers.Emulation;

/// <summary>The <c>emulated:bme280</c> bus: a <see cref="Bme280Emulator"/> measuring the indoor <see cref="Bme280PhysicalModel"/> by default.</summary>
public sealed class Bme280ChipEmulator : IChipEmulator
{
    private Bme280ChipEmulator()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipEmulators"/>.</summary>
    public static Bme280ChipEmulator Instance { get; } = new();

    /// <inheritdoc/>
    public string Chip => "bme280";

    /// <inheritdoc/>
    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        var chip = new Bme280Emulator(SignalCheck.As<IBme280Signal>(sensor, signal) ?? new Bme280PhysicalModel(), clock: clock, address: (byte)sensor.Address);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the emulator without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipEmulators.Register(Instance);
}
