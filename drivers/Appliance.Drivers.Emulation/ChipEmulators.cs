using System.Diagnostics.CodeAnalysis;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// The chip emulators, by chip name: each registers itself from its folder with a module initializer, as chips do with
/// <see cref="ChipRegistry"/> (see there for why that pattern suits Native AOT).
/// </summary>
public static class ChipEmulators
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<string, IChipEmulator> s_emulators = new(StringComparer.Ordinal);

    /// <summary>The names of the chips that have an emulator, sorted.</summary>
    public static IReadOnlyList<string> Chips
    {
        get
        {
            lock (s_gate)
            {
                return [.. s_emulators.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Registers an emulator; registering the same one again does nothing.</summary>
    /// <param name="emulator">The emulator.</param>
    /// <exception cref="ArgumentException">Another emulator is registered for the same chip.</exception>
    public static void Register(IChipEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        lock (s_gate)
        {
            if (s_emulators.TryGetValue(emulator.Chip, out IChipEmulator? existing) && !ReferenceEquals(existing, emulator))
            {
                throw new ArgumentException($"chip '{emulator.Chip}' has two emulators ({existing.GetType().Name} and {emulator.GetType().Name})", nameof(emulator));
            }

            s_emulators[emulator.Chip] = emulator;
        }
    }

    /// <summary>Looks up the emulator of a chip.</summary>
    /// <param name="chip">The chip's name.</param>
    /// <param name="emulator">The emulator when there is one.</param>
    /// <returns>True when the chip has an emulator.</returns>
    public static bool TryGet(string chip, [NotNullWhen(true)] out IChipEmulator? emulator)
    {
        lock (s_gate)
        {
            return s_emulators.TryGetValue(chip, out emulator);
        }
    }
}
