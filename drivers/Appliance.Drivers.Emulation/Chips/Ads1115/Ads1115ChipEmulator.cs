using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.Drivers.Emulation;

/// <summary>The <c>emulated:ads1115</c> bus: an <see cref="Ads1115Emulator"/>; AIN0 = 1.65 V + 0.5 V·sin(2π·0.2 Hz·t), AIN1 = 0.8 V, AIN2 = 2.5 V, AIN3 = 0.1 V (±1 mV noise) by default.</summary>
public sealed class Ads1115ChipEmulator : IChipEmulator
{
    private Ads1115ChipEmulator()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipEmulators"/>.</summary>
    public static Ads1115ChipEmulator Instance { get; } = new();

    /// <inheritdoc/>
    public string Chip => "ads1115";

    /// <inheritdoc/>
    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        IChannelSignal? given = SignalCheck.As<IChannelSignal>(sensor, signal);
        if (given is null)
        {
            var waves = new WaveformSignal(seed: 3);
            waves.Set(0, 1.65, 0.5, 0.2, noise: 0.001);
            waves.Set(1, 0.8, noise: 0.001);
            waves.Set(2, 2.5, noise: 0.001);
            waves.Set(3, 0.1, noise: 0.001);
            given = waves;
        }

        var chip = new Ads1115Emulator(given, clock, (byte)sensor.Address);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the emulator without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipEmulators.Register(Instance);
}
