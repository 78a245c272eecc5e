using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.Drivers.Emulation;

/// <summary>The <c>emulated:adxl345</c> bus: an <see cref="Adxl345Emulator"/>; x = 0.5 g·sin(2π·25 Hz·t), y = 0, z = 1 g (±0.01 g noise) by default.</summary>
public sealed class Adxl345ChipEmulator : IChipEmulator
{
    private Adxl345ChipEmulator()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipEmulators"/>.</summary>
    public static Adxl345ChipEmulator Instance { get; } = new();

    /// <inheritdoc/>
    public string Chip => "adxl345";

    /// <inheritdoc/>
    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        IChannelSignal? given = SignalCheck.As<IChannelSignal>(sensor, signal);
        if (given is null)
        {
            var waves = new WaveformSignal(seed: 5);
            waves.Set(0, 0, 0.5, 25, noise: 0.01);
            waves.Set(1, 0, noise: 0.01);
            waves.Set(2, 1, noise: 0.01);
            given = waves;
        }

        var chip = new Adxl345Emulator(given, clock);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the emulator without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipEmulators.Register(Instance);
}
