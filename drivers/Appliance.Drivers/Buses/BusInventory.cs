namespace Appliance.Drivers.Buses;

/// <summary>
/// The buses present on this machine: the Linux character devices <c>/dev/i2c-*</c>, <c>/dev/spidev*.*</c> and
/// <c>/dev/gpiochip*</c> (kernel Documentation/i2c/dev-interface.rst, Documentation/spi/spidev.rst, the GPIO character device
/// uAPI). Used by <c>appliance doctor</c>.
/// </summary>
public static class BusInventory
{
    /// <summary>Lists the buses whose device nodes exist under <paramref name="devDirectory"/>, sorted by kind then number.</summary>
    /// <param name="devDirectory">The device directory; <c>/dev</c> on a board.</param>
    /// <returns>One <see cref="BusSpec"/> per node; empty when there are none or the directory does not exist.</returns>
    public static IReadOnlyList<BusSpec> List(string devDirectory = "/dev")
    {
        var found = new List<BusSpec>();
        if (!Directory.Exists(devDirectory))
        {
            return found;
        }

        foreach (string path in Directory.EnumerateFileSystemEntries(devDirectory))
        {
            string name = Path.GetFileName(path);
            string? spec = name.StartsWith("i2c-", StringComparison.Ordinal) ? "i2c:" + name[4..]
                : name.StartsWith("spidev", StringComparison.Ordinal) ? "spi:" + name[6..]
                : name.StartsWith("gpiochip", StringComparison.Ordinal) ? "gpio:" + name[8..]
                : null;
            if (spec is not null && BusSpec.TryParse(spec, out BusSpec bus, out _))
            {
                found.Add(bus);
            }
        }

        found.Sort((a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : a.Bus != b.Bus ? a.Bus.CompareTo(b.Bus) : a.ChipSelect.CompareTo(b.ChipSelect));
        return found;
    }
}
