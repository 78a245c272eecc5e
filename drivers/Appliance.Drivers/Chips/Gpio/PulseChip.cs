using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Sources;

namespace Appliance.Drivers.Chips.Gpio;

/// <summary>A pulse counter on one GPIO input line (<c>chip = "pulse"</c>, <c>line = N</c>): <see cref="PulseCounterSensor"/>.</summary>
public sealed class PulseChip : IChipDescriptor
{
    private PulseChip()
    {
    }

    /// <summary>The one instance, registered with <see cref="ChipRegistry"/>.</summary>
    public static PulseChip Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "pulse";

    /// <inheritdoc/>
    public BusKind Bus => BusKind.Gpio;

    /// <inheritdoc/>
    public int DefaultAddress => -1;

    /// <summary>1000 readings per second, the limit configuration has always set for pulse counters (one gate per reading).</summary>
    public double MaxRateHz => 1000;

    /// <inheritdoc/>
    public IReadOnlyList<string> Inputs => [];

    /// <inheritdoc/>
    public string? Identity => null;

    /// <inheritdoc/>
    public IReadOnlyList<string> ChannelsFor(IReadOnlyList<string> inputs) => PulseCounterSensor.ChannelNames;

    /// <inheritdoc/>
    public ChipDevice OpenBus(SensorDescriptor sensor) => ChipDevice.Of(new LibGpiodDriver(sensor.Bus.Bus));

    /// <inheritdoc/>
    public IBusSensor Open(SensorDescriptor sensor, ChipDevice device, TimeProvider clock) =>
        new PulseCounterSensor(sensor.Name, new GpioController(device.Gpio), sensor.Line, clock, PulseCounterSensor.MinimumGateFor(sensor.RateHz), sensor.Debounce);

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Registers the chip without reflection (Native AOT); see ChipRegistry.")]
    internal static void Register() => ChipRegistry.Register(Instance);
}
