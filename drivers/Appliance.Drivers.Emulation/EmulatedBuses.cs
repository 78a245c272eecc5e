using System.Device.Gpio;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// Opens <c>emulated:CHIP</c> buses for a <see cref="SensorFactory"/> (<c>new SensorFactory(clock, new EmulatedBuses())</c>)
/// through the chip's <see cref="IChipEmulator"/>, and keeps each emulated chip's <see cref="EmulatedBusFaults"/> by sensor name
/// so that faults can be scheduled (<c>fault = "KIND:START+LENGTH"</c>), and the emulated GPIO chips of alarm outputs.
/// </summary>
/// <remarks>
/// Default signals: BME280 the indoor <see cref="Bme280PhysicalModel"/>; ADS1115 AIN0 = 1.65 V + 0.5 V·sin(2π·0.2 Hz·t),
/// AIN1 = 0.8 V, AIN2 = 2.5 V, AIN3 = 0.1 V (±1 mV noise); MCP3008 CHi = 0.3 + 0.35·i V + 0.1 V·sin(2π·0.1 Hz·t) (±2 mV noise);
/// ADXL345 x = 0.5 g·sin(2π·25 Hz·t), y = 0, z = 1 g (±0.01 g noise); a pulse line 120 Hz. <see cref="UseSignal"/> replaces one.
/// </remarks>
public sealed class EmulatedBuses : IEmulatedBuses
{
    private readonly Dictionary<string, EmulatedBusFaults> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedGpioDriver> _alarmChips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _signals = new(StringComparer.Ordinal);
    private readonly List<(string Sensor, BusFaultKind Kind, TimeSpan Start, TimeSpan Length)> _pending = [];

    /// <summary>The fault sets of the emulated chips opened so far, by sensor name.</summary>
    public IReadOnlyDictionary<string, EmulatedBusFaults> Faults => _faults;

    /// <summary>The emulated GPIO chips of the alarm outputs opened so far, by alarm name: their
    /// <see cref="EmulatedGpioDriver.OutputLevel"/> shows what a relay on the line would do, their faults can be scheduled.</summary>
    public IReadOnlyDictionary<string, EmulatedGpioDriver> AlarmChips => _alarmChips;

    /// <summary>Sets what the emulated chip of <paramref name="sensor"/> measures, for chips opened after this call.</summary>
    /// <param name="sensor">The sensor's name.</param>
    /// <param name="signal">An <see cref="IBme280Signal"/> for a BME280, an <see cref="IChannelSignal"/> for the others.</param>
    public void UseSignal(string sensor, object signal)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(signal);
        _signals[sensor] = signal;
    }

    /// <summary>
    /// Schedules a bus fault in the emulated chip of <paramref name="sensor"/>, from <paramref name="start"/> after the chip is
    /// created (or after now, if it exists already) for <paramref name="length"/>: what <c>fault = "KIND:START+LENGTH"</c> says.
    /// Sensors on real buses never see it.
    /// </summary>
    /// <param name="sensor">The sensor's name.</param>
    /// <param name="kind">The fault.</param>
    /// <param name="start">Delay before it begins; zero or more.</param>
    /// <param name="length">How long it lasts; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative or <paramref name="length"/> is not positive.</exception>
    public void ScheduleFault(string sensor, BusFaultKind kind, TimeSpan start, TimeSpan length)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentOutOfRangeException.ThrowIfLessThan(start, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        if (_faults.TryGetValue(sensor, out EmulatedBusFaults? faults))
        {
            faults.Schedule(kind, start, length);
        }
        else
        {
            _pending.Add((sensor, kind, start, length));
        }
    }

    /// <inheritdoc/>
    public ChipDevice Open(SensorDescriptor sensor, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        if (!ChipEmulators.TryGet(sensor.Chip.Name, out IChipEmulator? emulator))
        {
            throw new ArgumentException($"sensor '{sensor.Name}': chip {sensor.Chip.Name} has no emulator (emulated: {string.Join(", ", ChipEmulators.Chips)}).");
        }

        EmulatedChip chip = emulator.Create(sensor, clock, _signals.GetValueOrDefault(sensor.Name));
        _faults[sensor.Name] = chip.Faults;
        foreach ((_, BusFaultKind kind, TimeSpan start, TimeSpan length) in _pending.Where(f => f.Sensor == sensor.Name))
        {
            chip.Faults.Schedule(kind, start, length);
        }

        _pending.RemoveAll(f => f.Sensor == sensor.Name);
        return chip.Device;
    }

    /// <inheritdoc/>
    public GpioDriver OpenAlarmChip(string alarm, int line, TimeProvider clock)
    {
        var chip = new EmulatedGpioDriver(new WaveformSignal(), Math.Max(54, line + 1), clock);
        _alarmChips[alarm] = chip;
        return chip;
    }
}
