using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.I2c;
using System.Device.Spi;
using System.Globalization;
using Appliance.Drivers.Buses;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Chips.Adxl345;
using Appliance.Drivers.Chips.Bme280;
using Appliance.Drivers.Chips.Gpio;
using Appliance.Drivers.Chips.Mcp3008;
using Iot.Device.Ads1115;

namespace Appliance.Drivers.Sources;

/// <summary>
/// Opens the sensor a <see cref="SensorDescriptor"/> names: the chip's driver over the Linux character device of its bus
/// (<c>/dev/i2c-N</c>, <c>/dev/spidevB.C</c>, <c>/dev/gpiochipN</c> through libgpiod), or over the chip's register-level emulator for
/// <c>emulated:CHIP</c>, so that the same pipeline runs on a laptop, in CI and on a board.
/// </summary>
/// <remarks>
/// Emulated chips measure deterministic signals: BME280 the indoor <see cref="Bme280PhysicalModel"/> (or the given signal);
/// ADS1115 AIN0 = 1.65 V + 0.5 V·sin(2π·0.2 Hz·t), AIN1 = 0.8 V, AIN2 = 2.5 V, AIN3 = 0.1 V (±1 mV noise); MCP3008 CHi = 0.3 + 0.35·i V
/// + 0.1 V·sin(2π·0.1 Hz·t) (±2 mV noise); ADXL345 x = 0.5 g·sin(2π·25 Hz·t), y = 0, z = 1 g (±0.01 g noise); a pulse line 120 Hz.
/// <see cref="Emulators"/> keeps each emulated chip's <see cref="EmulatedBusFaults"/> by sensor name, so faults can be scheduled.
/// </remarks>
public sealed class SensorFactory
{
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, EmulatedBusFaults> _emulators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedGpioDriver> _alarmChips = new(StringComparer.Ordinal);
    private readonly List<(string Sensor, BusFaultKind Kind, TimeSpan Start, TimeSpan Length)> _faults = [];

    /// <summary>Creates a factory.</summary>
    /// <param name="clock">The clock of the sensors and emulators; <see cref="TimeProvider.System"/> when null.</param>
    public SensorFactory(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>The fault sets of the emulated chips opened so far, by sensor name.</summary>
    public IReadOnlyDictionary<string, EmulatedBusFaults> Emulators => _emulators;

    /// <summary>The emulated GPIO chips of the alarm outputs opened so far (<see cref="CreateAlarm"/>), by alarm name: their
    /// <see cref="EmulatedGpioDriver.OutputLevel"/> shows what a relay on the line would do, their faults can be scheduled.</summary>
    public IReadOnlyDictionary<string, EmulatedGpioDriver> AlarmChips => _alarmChips;

    /// <summary>
    /// Schedules a bus fault in the emulated chip of <paramref name="sensor"/>, from <paramref name="start"/> after the chip is
    /// created (or after now, if it exists already) for <paramref name="length"/>: what <c>fault = "KIND:START+LENGTH"</c> says.
    /// Sensors on real buses ignore it.
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
        if (_emulators.TryGetValue(sensor, out EmulatedBusFaults? faults))
        {
            faults.Schedule(kind, start, length);
        }
        else
        {
            _faults.Add((sensor, kind, start, length));
        }
    }

    /// <summary>
    /// Opens an alarm output (<c>[[alarm]]</c>): a GPIO line on <c>/dev/gpiochipN</c> through libgpiod for <c>gpio:N</c>, or on an
    /// in-process <see cref="EmulatedGpioDriver"/> for <c>emulated:gpio</c> (kept in <see cref="AlarmChips"/>). The line itself is
    /// requested at the first write.
    /// </summary>
    /// <param name="name">The alarm's name.</param>
    /// <param name="bus"><c>gpio:N</c> or <c>emulated:gpio</c>.</param>
    /// <param name="line">The line offset on the chip; 0 or more.</param>
    /// <param name="activeLow">True for an active-low relay board (raised = low level).</param>
    /// <param name="logger">Log for write faults; none when null.</param>
    /// <returns>The output, owning its GPIO controller.</returns>
    /// <exception cref="ArgumentException">The bus is not a GPIO chip, or the line is negative; the message names the alarm.</exception>
    /// <exception cref="IOException">The GPIO chip could not be opened.</exception>
    public AlarmOutput CreateAlarm(string name, BusSpec bus, int line, bool activeLow, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (line < 0)
        {
            throw new ArgumentException($"alarm '{name}': line = {line}: expected the GPIO line offset on the chip (0 or more).", nameof(line));
        }

        GpioController controller;
        if (bus.Kind == BusKind.Emulated && bus.Target == "gpio")
        {
            var chip = new EmulatedGpioDriver(new WaveformSignal(), Math.Max(54, line + 1), _clock);
            _alarmChips[name] = chip;
            controller = new GpioController(chip);
        }
        else if (bus.Kind == BusKind.Gpio)
        {
            controller = new GpioController(new LibGpiodDriver(bus.Bus));
        }
        else
        {
            throw new ArgumentException($"alarm '{name}': bus = '{bus}' is not a GPIO chip (expected gpio:N for /dev/gpiochipN, or emulated:gpio).", nameof(bus));
        }

        return new AlarmOutput(name, controller, line, activeLow, logger);
    }

    /// <summary>Opens the sensor (without touching the chip: call <see cref="IBusSensor.Open"/> to check it).</summary>
    /// <param name="sensor">The sensor's description.</param>
    /// <param name="bme280Signal">For an emulated BME280, what it measures; a <see cref="Bme280PhysicalModel"/> when null.</param>
    /// <returns>The sensor, owning its bus device.</returns>
    /// <exception cref="ArgumentException">The chip is unknown, the bus kind does not suit the chip (an SPI chip on <c>i2c:N</c>),
    /// an emulated bus names another chip, a GPIO sensor has no line, or an input is not one of the chip's; the message names the
    /// sensor and what was expected.</exception>
    /// <exception cref="IOException">The bus's device node could not be opened.</exception>
    public IBusSensor Create(SensorDescriptor sensor, IBme280Signal? bme280Signal = null)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        IBusSensor created = CreateSensor(sensor, bme280Signal);
        if (_emulators.TryGetValue(sensor.Name, out EmulatedBusFaults? faults))
        {
            foreach ((_, BusFaultKind kind, TimeSpan start, TimeSpan length) in _faults.Where(f => f.Sensor == sensor.Name))
            {
                faults.Schedule(kind, start, length);
            }

            _faults.RemoveAll(f => f.Sensor == sensor.Name);
        }

        return created;
    }

    private IBusSensor CreateSensor(SensorDescriptor sensor, IBme280Signal? bme280Signal)
    {
        BusSpec bus = sensor.Bus;
        bool emulated = bus.Kind == BusKind.Emulated;
        if (emulated && bus.Target != sensor.Chip)
        {
            throw new ArgumentException($"sensor '{sensor.Name}': bus '{bus}' emulates {bus.Target}, but chip = '{sensor.Chip}' (expected emulated:{sensor.Chip}).");
        }

        BusKind wanted = sensor.Chip switch
        {
            "bme280" or "ads1115" => BusKind.I2c,
            "mcp3008" or "adxl345" => BusKind.Spi,
            "pulse" => BusKind.Gpio,
            _ => throw new ArgumentException($"sensor '{sensor.Name}': unknown chip '{sensor.Chip}' (expected {string.Join(", ", SensorDescriptor.KnownChips)})."),
        };
        if (!emulated && bus.Kind != wanted)
        {
            string example = wanted switch { BusKind.I2c => "i2c:1", BusKind.Spi => "spi:0.0", _ => "gpio:0 with line = 17" };
            throw new ArgumentException($"sensor '{sensor.Name}': chip {sensor.Chip} is on {wanted.ToString().ToUpperInvariant()}, but bus = '{bus}' (expected for example {example}, or emulated:{sensor.Chip}).");
        }

        switch (sensor.Chip)
        {
            case "bme280":
                {
                    I2cDevice device;
                    if (emulated)
                    {
                        var chip = new Bme280Emulator(bme280Signal ?? new Bme280PhysicalModel(), clock: _clock, address: (byte)sensor.Address);
                        _emulators[sensor.Name] = chip.Faults;
                        device = chip;
                    }
                    else
                    {
                        device = I2cDevice.Create(new I2cConnectionSettings(bus.Bus, sensor.Address));
                    }

                    return new Bme280Sensor(sensor.Name, device, _clock);
                }

            case "ads1115":
                {
                    var inputs = new List<InputMultiplexer>();
                    foreach (string input in sensor.Inputs.Count == 0 ? ["ain0"] : sensor.Inputs)
                    {
                        if (!Ads1115Sensor.TryParseInput(input, out InputMultiplexer mux))
                        {
                            throw new ArgumentException($"sensor '{sensor.Name}': ADS1115 input '{input}' does not exist (expected ain0..ain3, ain0-ain1, ain0-ain3, ain1-ain3 or ain2-ain3).");
                        }

                        inputs.Add(mux);
                    }

                    I2cDevice device;
                    if (emulated)
                    {
                        var signal = new WaveformSignal(seed: 3);
                        signal.Set(0, 1.65, 0.5, 0.2, noise: 0.001);
                        signal.Set(1, 0.8, noise: 0.001);
                        signal.Set(2, 2.5, noise: 0.001);
                        signal.Set(3, 0.1, noise: 0.001);
                        var chip = new Ads1115Emulator(signal, _clock, (byte)sensor.Address);
                        _emulators[sensor.Name] = chip.Faults;
                        device = chip;
                    }
                    else
                    {
                        device = I2cDevice.Create(new I2cConnectionSettings(bus.Bus, sensor.Address));
                    }

                    return new Ads1115Sensor(sensor.Name, device, inputs.ToArray(), clock: _clock);
                }

            case "mcp3008":
                {
                    var inputs = new List<int>();
                    foreach (string input in sensor.Inputs.Count == 0 ? ["0", "1", "2", "3", "4", "5", "6", "7"] : sensor.Inputs)
                    {
                        if (!int.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out int channel) || channel > 7)
                        {
                            throw new ArgumentException($"sensor '{sensor.Name}': MCP3008 channel '{input}' does not exist (expected 0..7).");
                        }

                        inputs.Add(channel);
                    }

                    SpiDevice device;
                    if (emulated)
                    {
                        var signal = new WaveformSignal(seed: 4);
                        for (int i = 0; i < 8; i++)
                        {
                            signal.Set(i, 0.3 + (0.35 * i), 0.1, 0.1, noise: 0.002);
                        }

                        var chip = new Mcp3008Emulator(signal, clock: _clock);
                        _emulators[sensor.Name] = chip.Faults;
                        device = chip;
                    }
                    else
                    {
                        device = SpiDevice.Create(new SpiConnectionSettings(bus.Bus, bus.ChipSelect) { Mode = SpiMode.Mode0, ClockFrequency = 1_000_000 });
                    }

                    return new Mcp3008Sensor(sensor.Name, device, inputs.ToArray(), clock: _clock);
                }

            case "adxl345":
                {
                    SpiDevice device;
                    if (emulated)
                    {
                        var signal = new WaveformSignal(seed: 5);
                        signal.Set(0, 0, 0.5, 25, noise: 0.01);
                        signal.Set(1, 0, noise: 0.01);
                        signal.Set(2, 1, noise: 0.01);
                        var chip = new Adxl345Emulator(signal, _clock);
                        _emulators[sensor.Name] = chip.Faults;
                        device = chip;
                    }
                    else
                    {
                        device = SpiDevice.Create(new SpiConnectionSettings(bus.Bus, bus.ChipSelect) { Mode = SpiMode.Mode3, ClockFrequency = 5_000_000 });
                    }

                    return new Adxl345Sensor(sensor.Name, device, Math.Min(sensor.RateHz, 3200), clock: _clock);
                }

            default:
                {
                    if (sensor.Line < 0)
                    {
                        throw new ArgumentException($"sensor '{sensor.Name}': a pulse counter needs line = N (the GPIO line offset on the chip).");
                    }

                    GpioController controller;
                    if (emulated)
                    {
                        var signal = new WaveformSignal(seed: 6);
                        signal.Set(sensor.Line, 120);
                        var chip = new EmulatedGpioDriver(signal, Math.Max(54, sensor.Line + 1), _clock);
                        _emulators[sensor.Name] = chip.Faults;
                        controller = new GpioController(chip);
                    }
                    else
                    {
                        controller = new GpioController(new LibGpiodDriver(bus.Bus));
                    }

                    return new PulseCounterSensor(sensor.Name, controller, sensor.Line, _clock, PulseCounterSensor.MinimumGateFor(sensor.RateHz));
                }
        }
    }
}
