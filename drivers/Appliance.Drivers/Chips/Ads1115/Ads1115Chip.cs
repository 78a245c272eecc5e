using System.Device.I2c;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;
using Iot.Device.Ads1115;

namespace Appliance.Drivers.Chips.Ads1115;

/// <summary>The TI ADS1115 16-bit ADC on I2C: <see cref="Ads1115Sensor"/>, one single-shot conversion per selected input.</summary>
public sealed class Ads1115Chip : IChipDescriptor
{
    private Ads1115Chip()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipRegistry"/>.</summary>
    public static Ads1115Chip Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "ads1115";

    /// <inheritdoc/>
    public BusKind Bus => BusKind.I2c;

    /// <summary>0x48, ADDR to GND (TI SBAS444D table 4).</summary>
    public int DefaultAddress => 0x48;

    /// <summary>860 samples per second shared by the inputs (SBAS444D 8.3.6).</summary>
    public double MaxRateHz => 860;

    /// <summary>The multiplexer settings (SBAS444D 8.6.3, MUX[2:0]); <c>ain0</c> when none is selected.</summary>
    public IReadOnlyList<string> Inputs { get; } = ["ain0", "ain1", "ain2", "ain3", "ain0-ain1", "ain0-ain3", "ain1-ain3", "ain2-ain3"];

    /// <inheritdoc/>
    public string? Identity => null;

    /// <inheritdoc/>
    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) =>
        [.. Parse("channels", inputs).Select(Ads1115Sensor.ChannelName)];

    /// <inheritdoc/>
    public ChipDevice OpenBus(SensorDescriptor sensor) =>
        ChipDevice.Of(I2cDevice.Create(new I2cConnectionSettings(sensor.Bus.Bus, sensor.Address)));

    /// <inheritdoc/>
    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) =>
        new Ads1115Sensor(sensor.Name, device.I2c, Parse(sensor.Name, sensor.Inputs), clock: clock);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the chip without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipRegistry.Register(Instance);

    private static InputMultiplexer[] Parse(string sensor, IReadOnlyList<string> inputs)
    {
        var parsed = new List<InputMultiplexer>();
        foreach (string input in inputs.Count == 0 ? ["ain0"] : inputs)
        {
            if (!Ads1115Sensor.TryParseInput(input, out InputMultiplexer mux))
            {
                throw new ArgumentException($"sensor '{sensor}': ADS1115 input '{input}' does not exist (expected ain0..ain3, ain0-ain1, ain0-ain3, ain1-ain3 or ain2-ain3).");
            }

            parsed.Add(mux);
        }

        return [.. parsed];
    }
}
