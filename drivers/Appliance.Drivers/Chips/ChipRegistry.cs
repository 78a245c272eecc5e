using System.Diagnostics.CodeAnalysis;
using Appliance.Drivers.Buses;

namespace Appliance.Drivers.Chips;

/// <summary>
/// The chips the appliance can open, by configuration name: configuration (<c>chip = "..."</c>), the sensor factory and the
/// probe look chips up here and nowhere else.
/// </summary>
/// <remarks>
/// <para>Each chip registers itself from its own folder, with a module initializer in its descriptor
/// (<c>[ModuleInitializer] internal static void Register() =&gt; ChipRegistry.Register(Instance);</c>). Why that pattern:
/// Native AOT allows no reflection scanning for implementations of <see cref="IChipDescriptor"/>; a static list here would make
/// every new chip edit this file; a source generator would be a project of its own for five lines of output. A module initializer
/// is plain C# 9 (<see cref="System.Runtime.CompilerServices.ModuleInitializerAttribute"/>), runs before any code of its assembly
/// (on the JIT and in a Native AOT binary alike: ILC roots and runs every module initializer at start-up), needs no reflection,
/// and keeps "add a chip" to one folder. A chip in another assembly (a test's) registers when that assembly is first used.</para>
/// <para>Registration happens at start-up, before any lookup; the registry is guarded by a lock all the same.</para>
/// </remarks>
public static class ChipRegistry
{
    private static readonly Lock s_gate = new();
    private static readonly List<IChipDescriptor> s_chips = [];

    /// <summary>The registered chips, ordered by bus kind (I2C, SPI, GPIO) then name.</summary>
    public static IReadOnlyList<IChipDescriptor> All
    {
        get
        {
            lock (s_gate)
            {
                return [.. s_chips];
            }
        }
    }

    /// <summary>The registered chip names, comma-separated in the order of <see cref="All"/>, for error messages.</summary>
    public static string Names => string.Join(", ", All.Select(c => c.Name));

    /// <summary>Registers a chip; registering the same descriptor again does nothing.</summary>
    /// <param name="chip">The chip.</param>
    /// <exception cref="ArgumentException">Another chip has the same name, the name is not lower-case letters, digits and
    /// '-', or the chip is not on I2C, SPI or GPIO.</exception>
    public static void Register(IChipDescriptor chip)
    {
        ArgumentNullException.ThrowIfNull(chip);
        if (chip.Name.Length == 0 || !chip.Name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || chip.Name == "replay")
        {
            throw new ArgumentException($"chip name '{chip.Name}': expected lower-case letters, digits and '-' (and not 'replay')", nameof(chip));
        }

        if (chip.Bus is not (BusKind.I2c or BusKind.Spi or BusKind.Gpio))
        {
            throw new ArgumentException($"chip '{chip.Name}': bus {chip.Bus} is not a chip bus (expected I2c, Spi or Gpio)", nameof(chip));
        }

        lock (s_gate)
        {
            IChipDescriptor? existing = s_chips.Find(c => c.Name == chip.Name);
            if (existing is not null)
            {
                if (!ReferenceEquals(existing, chip))
                {
                    throw new ArgumentException($"chip '{chip.Name}' is registered twice ({existing.GetType().Name} and {chip.GetType().Name})", nameof(chip));
                }

                return;
            }

            s_chips.Add(chip);
            s_chips.Sort((a, b) => a.Bus != b.Bus ? a.Bus.CompareTo(b.Bus) : string.CompareOrdinal(a.Name, b.Name));
        }
    }

    /// <summary>Looks a chip up by its configuration name.</summary>
    /// <param name="name">The name (<c>bme280</c>).</param>
    /// <param name="chip">The chip when registered.</param>
    /// <returns>True when a chip of that name is registered.</returns>
    public static bool TryGet(string? name, [NotNullWhen(true)] out IChipDescriptor? chip)
    {
        lock (s_gate)
        {
            chip = s_chips.Find(c => c.Name == name);
            return chip is not null;
        }
    }

    /// <summary>Looks a chip up by its configuration name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The chip.</returns>
    /// <exception cref="ArgumentException">No chip has that name; the message lists the known ones.</exception>
    public static IChipDescriptor Get(string name) =>
        TryGet(name, out IChipDescriptor? chip) ? chip : throw new ArgumentException($"unknown chip '{name}' (expected {Names})", nameof(name));
}
