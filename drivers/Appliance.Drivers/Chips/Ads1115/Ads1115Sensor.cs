using System.Collections.ObjectModel;
using System.Device.I2c;
using Appliance.Drivers.Sampling;
using Appliance.Drivers.Sources;
using Iot.Device.Ads1115;
using UnitsNet;

namespace Appliance.Drivers.Chips.Ads1115;

/// <summary>
/// An ADS1115 16-bit ADC read through the Iot.Device.Bindings driver (<see cref="Iot.Device.Ads1115.Ads1115"/>) in single-shot
/// mode, one conversion per configured input per <see cref="Read"/>, as channels <c>ain0_v</c>, <c>ain0_ain1_v</c>, … in volts.
/// </summary>
/// <remarks>
/// <para>Volts = code · FS / 2^15 (TI SBAS444D 8.3.3, table 3): 0x7FFF reads +FS · 32767/32768 and 0x8000 reads −FS, for every
/// multiplexer setting, differential ones included (dividing differential codes by 65535 is a known bug class).</para>
/// <para>Each read starts a single-shot conversion and waits for OS = 1 before reading it, so a read never returns the
/// previous input's value; the wait sleeps (it does not spin, see <c>ReadSingleShot</c>). The binding opens and closes the chip. The ADS1115 has no chip id; <see cref="Open"/> checks instead that the config register
/// answers with a readable value. Bus <see cref="IOException"/>s and the binding's conversion <see cref="TimeoutException"/>
/// make <see cref="Read"/> return <see cref="SampleStatus.Fault"/>, counted in <see cref="FaultCount"/>. Not thread-safe.</para>
/// </remarks>
public sealed class Ads1115Sensor : IBusSensor
{
    private const byte ConversionPointer = 0x00; // address pointer register (SBAS444D 8.6.1)
    private const byte ConfigPointer = 0x01;
    private readonly I2cDevice _device;
    private readonly InputMultiplexer[] _inputs;
    private readonly MeasuringRange _range;
    private readonly DataRate _rate;
    private readonly TimeProvider _clock;
    private readonly ReadOnlyCollection<string> _channels;
    private readonly double _fullScale;
    private Iot.Device.Ads1115.Ads1115? _driver;
    private long _faultCount;
    private bool _disposed;

    /// <summary>Creates the sensor; the bus is not touched until <see cref="Open"/> or the first <see cref="Read"/>.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="device">The chip's I2C device; the sensor owns and disposes it.</param>
    /// <param name="inputs">The multiplexer settings to read, one channel each, in order (at least one).</param>
    /// <param name="range">The PGA full scale; ±4.096 V by default.</param>
    /// <param name="rate">The data rate; 860 SPS (1.16 ms per conversion) by default.</param>
    /// <param name="clock">Clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or <paramref name="inputs"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public Ads1115Sensor(string name, I2cDevice device, ReadOnlySpan<InputMultiplexer> inputs, MeasuringRange range = MeasuringRange.FS4096, DataRate rate = DataRate.SPS860, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (inputs.IsEmpty)
        {
            throw new ArgumentException($"sensor '{name}': at least one ADS1115 input is required.", nameof(inputs));
        }

        _device = device ?? throw new ArgumentNullException(nameof(device));
        Name = name;
        _inputs = inputs.ToArray();
        _range = range;
        _rate = rate;
        _clock = clock ?? TimeProvider.System;
        _fullScale = Ads1115Datasheet.FullScale((int)range);
        _channels = Array.AsReadOnly(_inputs.Select(ChannelName).ToArray());
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Chip => "ads1115";

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => _channels;

    /// <inheritdoc/>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <inheritdoc/>
    public string? LastFault { get; private set; }

    /// <summary>The channel name of a multiplexer setting: <c>ain0_v</c> (AIN0 to GND), <c>ain0_ain1_v</c> (AIN0 − AIN1).</summary>
    /// <param name="input">The multiplexer setting.</param>
    /// <returns>The channel name, with the SI unit suffix <c>_v</c>.</returns>
    public static string ChannelName(InputMultiplexer input) => input.ToString().ToLowerInvariant() + "_v";

    /// <summary>Parses an input name as written in configuration: <c>ain0</c>..<c>ain3</c>, <c>ain0-ain1</c>, <c>ain0-ain3</c>, <c>ain1-ain3</c>, <c>ain2-ain3</c>.</summary>
    /// <param name="text">The name.</param>
    /// <param name="input">The multiplexer setting.</param>
    /// <returns>True when the name is one of the eight settings (SBAS444D 8.6.3 MUX[2:0]).</returns>
    public static bool TryParseInput(string text, out InputMultiplexer input)
    {
        input = text switch
        {
            "ain0" => InputMultiplexer.AIN0,
            "ain1" => InputMultiplexer.AIN1,
            "ain2" => InputMultiplexer.AIN2,
            "ain3" => InputMultiplexer.AIN3,
            "ain0-ain1" => InputMultiplexer.AIN0_AIN1,
            "ain0-ain3" => InputMultiplexer.AIN0_AIN3,
            "ain1-ain3" => InputMultiplexer.AIN1_AIN3,
            "ain2-ain3" => InputMultiplexer.AIN2_AIN3,
            _ => (InputMultiplexer)(-1),
        };
        return (int)input >= 0;
    }

    /// <summary>Volts for an output code: code · FS / 2^15 (SBAS444D 8.3.3, table 3).</summary>
    /// <param name="code">The conversion register, two's complement.</param>
    /// <param name="fullScaleVolts">FS in volts (4.096 for ±4.096 V).</param>
    /// <returns>Volts: 0x7FFF → FS · 32767/32768, 0x8000 → −FS.</returns>
    public static double Volts(short code, double fullScaleVolts) => code * fullScaleVolts / 32768.0;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_driver is not null)
        {
            return;
        }

        try
        {
            _driver = new Iot.Device.Ads1115.Ads1115(_device, _inputs[0], _range, _rate, DeviceMode.PowerDown);
        }
        catch (TimeoutException e)
        {
            throw new IOException($"sensor '{Name}': ADS1115 did not finish its first conversion ({e.Message}).", e);
        }
    }

    /// <summary>Reads one input in volts, with a fresh single-shot conversion.</summary>
    /// <param name="channel">Index into the configured inputs.</param>
    /// <param name="voltage">The voltage (UnitsNet), when the read succeeded.</param>
    /// <returns>False when the bus failed or the conversion timed out (counted in <see cref="FaultCount"/>).</returns>
    public bool TryReadVoltage(int channel, out ElectricPotential voltage)
    {
        try
        {
            Open();
            voltage = ElectricPotential.FromVolts(ReadVolts(channel));
            return true;
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            RecordFault(e);
            voltage = default;
            return false;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="values"/> is shorter than <see cref="Channels"/>.</exception>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        if (values.Length < _inputs.Length)
        {
            throw new ArgumentException($"sensor '{Name}': values has {values.Length} elements; expected at least {_inputs.Length}.", nameof(values));
        }

        timestampNs = UnixNs(_clock);
        try
        {
            Open();
            for (int i = 0; i < _inputs.Length; i++)
            {
                values[i] = (float)ReadVolts(i);
            }

            return SampleStatus.Ok;
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            RecordFault(e);
            values[.._inputs.Length].Fill(float.NaN);
            return SampleStatus.Fault;
        }
    }

    /// <summary>Disposes the binding and the I2C device; a bus error while powering down is counted, not thrown.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_driver is not null)
            {
                _driver.Dispose(); // writes the comparator defaults, then disposes the device
            }
            else
            {
                _device.Dispose();
            }
        }
        catch (IOException e)
        {
            RecordFault(e);
            _device.Dispose();
        }
    }

    internal static long UnixNs(TimeProvider clock) => (clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    private double ReadVolts(int channel) => Volts(ReadSingleShot(_inputs[channel]), _fullScale);

    /// <summary>
    /// One single-shot conversion (SBAS444D 8.4.2.1): write the config register with OS = 1, sleep the conversion time
    /// 1/DR on <see cref="_clock"/>, read OS until it is 1 (conversion done), then read the conversion register. The
    /// binding's <c>ReadRaw</c> busy-waits instead, re-reading the config register every 2 µs for the whole conversion
    /// (1.16 ms at 860 SPS, 7.8 ms at 128 SPS): that spinning cost a quarter of a core at 100 Hz with two inputs.
    /// </summary>
    /// <exception cref="TimeoutException">OS stayed 0 for twice the conversion time plus 2 ms (the oscillator is ±10 %, 7.1).</exception>
    private short ReadSingleShot(InputMultiplexer input)
    {
        // Config (8.6.3): OS[15] = 1 starts a conversion, MUX[14:12], PGA[11:9], MODE[8] = 1 single-shot; DR[7:5], comparator
        // defaults with COMP_QUE[1:0] = 11 (comparator off), as the binding writes them.
        Span<byte> config = [ConfigPointer, (byte)(0x81 | ((int)input << 4) | ((int)_range << 1)), (byte)(((int)_rate << 5) | 0x03)];
        _device.Write(config);
        TimeSpan conversion = TimeSpan.FromSeconds(1.0 / Ads1115Datasheet.DataRate((int)_rate));
        long start = _clock.GetTimestamp();
        ClockDelay.Wait(_clock, conversion);
        Span<byte> pointer = [ConfigPointer];
        Span<byte> register = stackalloc byte[2];
        TimeSpan limit = (2 * conversion) + TimeSpan.FromMilliseconds(2);
        while (true)
        {
            _device.WriteRead(pointer, register);
            if ((register[0] & 0x80) != 0)
            {
                break;
            }

            if (_clock.GetElapsedTime(start) > limit)
            {
                throw new TimeoutException($"ADS1115 conversion not done after {limit.TotalMilliseconds:F1} ms (OS still 0)");
            }

            ClockDelay.Wait(_clock, conversion / 10);
        }

        pointer[0] = ConversionPointer;
        _device.WriteRead(pointer, register);
        return (short)((register[0] << 8) | register[1]);
    }

    private void RecordFault(Exception e)
    {
        Interlocked.Increment(ref _faultCount);
        LastFault = $"sensor '{Name}': {e.Message}";
    }
}
