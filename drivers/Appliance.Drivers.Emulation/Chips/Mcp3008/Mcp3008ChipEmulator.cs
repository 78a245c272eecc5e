using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.Drivers.Emulation;

/// <summary>The <c>emulated:mcp3008</c> bus: an <see cref="Mcp3008Emulator"/>; CHi = 0.3 + 0.35·i V + 0.1 V·sin(2π·0.1 Hz·t) (±2 mV noise) by default.</summary>
public sealed class Mcp3008ChipEmulator : IChipEmulator
{
    private Mcp3008ChipEmulator()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipEmulators"/>.</summary>
    public static Mcp3008ChipEmulator Instance { get; } = new();

    /// <inheritdoc/>
    public string Chip => "mcp3008";

    /// <inheritdoc/>
    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        IChannelSignal? given = SignalCheck.As<IChannelSignal>(sensor, signal);
        if (given is null)
        {
            var waves = new WaveformSignal(seed: 4);
            for (int i = 0; i < 8; i++)
            {
                waves.Set(i, 0.3 + (0.35 * i), 0.1, 0.1, noise: 0.002);
            }

            given = waves;
        }

        var chip = new Mcp3008Emulator(given, clock: clock);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the emulator without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipEmulators.Register(Instance);
}
