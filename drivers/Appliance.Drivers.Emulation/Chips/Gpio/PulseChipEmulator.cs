using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Appliance.Drivers.Emulation;

/// <summary>The <c>emulated:pulse</c> bus: an <see cref="EmulatedGpioDriver"/> whose configured line carries a 120 Hz pulse train by default.</summary>
public sealed class PulseChipEmulator : IChipEmulator
{
    private PulseChipEmulator()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipEmulators"/>.</summary>
    public static PulseChipEmulator Instance { get; } = new();

    /// <inheritdoc/>
    public string Chip => "pulse";

    /// <inheritdoc/>
    public EmulatedChip Create(SensorDescriptor sensor, TimeProvider clock, object? signal)
    {
        IChannelSignal? given = SignalCheck.As<IChannelSignal>(sensor, signal);
        if (given is null)
        {
            var waves = new WaveformSignal(seed: 6);
            waves.Set(sensor.Line, 120);
            given = waves;
        }

        var chip = new EmulatedGpioDriver(given, Math.Max(54, sensor.Line + 1), clock);
        return new EmulatedChip(ChipDevice.Of(chip), chip.Faults);
    }

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the emulator without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipEmulators.Register(Instance);
}
