using System.Device.Spi;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Chips.Mcp3008;

/// <summary>The Microchip MCP3008 8-channel 10-bit ADC on SPI (mode 0, 1 MHz): <see cref="Mcp3008Sensor"/>.</summary>
public sealed class Mcp3008Chip : IChipDescriptor
{
    private Mcp3008Chip()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipRegistry"/>.</summary>
    public static Mcp3008Chip Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "mcp3008";

    /// <inheritdoc/>
    public BusKind Bus => BusKind.Spi;

    /// <inheritdoc/>
    public int DefaultAddress => -1;

    /// <summary>10 000 samples per second: the configuration's ceiling (the chip converts at up to 200 ksps at 5 V, DS21295D).</summary>
    public double MaxRateHz => 10000;

    /// <summary>The single-ended inputs CH0..CH7 (DS21295D table 5-2); all eight when none is selected.</summary>
    public IReadOnlyList<string> Inputs { get; } = ["0", "1", "2", "3", "4", "5", "6", "7"];

    /// <inheritdoc/>
    public string? Identity => null;

    /// <inheritdoc/>
    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) => [.. Parse("channels", inputs).Select(i => $"ch{i}_v")];

    /// <inheritdoc/>
    public ChipDevice OpenBus(SensorDescriptor sensor) =>
        ChipDevice.Of(SpiDevice.Create(new SpiConnectionSettings(sensor.Bus.Bus, sensor.Bus.ChipSelect) { Mode = SpiMode.Mode0, ClockFrequency = 1_000_000 }));

    /// <inheritdoc/>
    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) =>
        new Mcp3008Sensor(sensor.Name, device.Spi, Parse(sensor.Name, sensor.Inputs), clock: clock);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the chip without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipRegistry.Register(Instance);

    private static int[] Parse(string sensor, IReadOnlyList<string> inputs)
    {
        var parsed = new List<int>();
        foreach (string input in inputs.Count == 0 ? ["0", "1", "2", "3", "4", "5", "6", "7"] : inputs)
        {
            if (!int.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out int channel) || channel > 7)
            {
                throw new ArgumentException($"sensor '{sensor}': MCP3008 channel '{input}' does not exist (expected 0..7).");
            }

            parsed.Add(channel);
        }

        return [.. parsed];
    }
}
