using System.Collections.ObjectModel;
using System.Device.Spi;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Sources;
using UnitsNet;

namespace Appliance.Drivers.Chips.Mcp3008;

/// <summary>
/// An MCP3008 10-bit 8-channel ADC read through the Iot.Device.Bindings driver (<see cref="Iot.Device.Adc.Mcp3008"/>), one
/// single-ended conversion per configured channel per <see cref="Read"/>, as channels <c>ch0_v</c>..<c>ch7_v</c> in volts:
/// V = code · V_REF / 1024 (Microchip DS21295D equation 4-1).
/// </summary>
/// <remarks>
/// Every read is a new 3-byte frame (start bit, SGL + channel, dummy), decoded by the binding as ((b1 &amp; 0x03) &lt;&lt; 8) | b2,
/// so a tight loop follows a changing input. The binding checks the null bit; a frame where it reads 1 (a corrupted transfer)
/// throws <see cref="InvalidOperationException"/>, which — like a bus <see cref="IOException"/> — makes <see cref="Read"/> return
/// <see cref="SampleStatus.Fault"/>. The MCP3008 has no chip id; <see cref="Open"/> does one conversion and checks the null bit.
/// Not thread-safe.
/// </remarks>
public sealed class Mcp3008Sensor : IBusSensor
{
    private readonly SpiDevice _device;
    private readonly int[] _inputs;
    private readonly double _referenceVolts;
    private readonly TimeProvider _clock;
    private readonly ReadOnlyCollection<string> _channels;
    private Iot.Device.Adc.Mcp3008? _driver;
    private long _faultCount;
    private bool _disposed;

    /// <summary>Creates the sensor; the bus is not touched until <see cref="Open"/> or the first <see cref="Read"/>.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="device">The chip's SPI device (mode 0, at most 1.35 MHz at 2.7 V, DS21295D table 1-1); the sensor owns it.</param>
    /// <param name="inputs">Single-ended inputs 0..7 to read, in order (at least one).</param>
    /// <param name="referenceVolts">V_REF, volts.</param>
    /// <param name="clock">Clock for timestamps; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="inputs"/> is empty, or an input is outside 0..7.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public Mcp3008Sensor(string name, SpiDevice device, ReadOnlySpan<int> inputs, double referenceVolts = 3.3, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (inputs.IsEmpty)
        {
            throw new ArgumentException($"sensor '{name}': at least one MCP3008 channel is required.", nameof(inputs));
        }

        foreach (int input in inputs)
        {
            if (input is < 0 or > 7)
            {
                throw new ArgumentException($"sensor '{name}': MCP3008 channel {input} does not exist (expected 0..7).", nameof(inputs));
            }
        }

        Name = name;
        _inputs = inputs.ToArray();
        _referenceVolts = referenceVolts;
        _clock = clock ?? TimeProvider.System;
        _channels = Array.AsReadOnly(_inputs.Select(i => $"ch{i}_v").ToArray());
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Chip => "mcp3008";

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => _channels;

    /// <inheritdoc/>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <inheritdoc/>
    public string? LastFault { get; private set; }

    /// <summary>Volts for a code: code · V_REF / 1024 (DS21295D equation 4-1).</summary>
    /// <param name="code">0..1023.</param>
    /// <param name="referenceVolts">V_REF, volts.</param>
    /// <returns>Volts.</returns>
    public static double Volts(int code, double referenceVolts) => code * referenceVolts / 1024.0;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_driver is not null)
        {
            return;
        }

        var driver = new Iot.Device.Adc.Mcp3008(_device);
        try
        {
            driver.Read(_inputs[0]);
        }
        catch (InvalidOperationException e)
        {
            throw new IOException($"sensor '{Name}': no MCP3008 answers on the bus (null bit was 1: {e.Message}).", e);
        }

        _driver = driver;
    }

    /// <summary>Reads every configured input with a new conversion each and returns one of them as a UnitsNet quantity.</summary>
    /// <param name="channel">Index into the configured inputs (0 for the first).</param>
    /// <param name="voltage">The voltage, when the read succeeded.</param>
    /// <returns>False on a bus fault (counted in <see cref="FaultCount"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channel"/> is not an index of the configured inputs.</exception>
    public bool TryReadVoltage(int channel, out ElectricPotential voltage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, _inputs.Length);
        Span<float> values = stackalloc float[_inputs.Length];
        bool ok = Read(values, out _) == SampleStatus.Ok;
        voltage = ok ? ElectricPotential.FromVolts(values[channel]) : default;
        return ok;
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

        timestampNs = Ads1115Sensor.UnixNs(_clock);
        try
        {
            Open();
            for (int i = 0; i < _inputs.Length; i++)
            {
                values[i] = (float)Volts(_driver!.Read(_inputs[i]), _referenceVolts);
            }

            return SampleStatus.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = $"sensor '{Name}': {e.Message}";
            values[.._inputs.Length].Fill(float.NaN);
            return SampleStatus.Fault;
        }
    }

    /// <summary>Disposes the binding and the SPI device.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_driver is not null)
        {
            _driver.Dispose();
        }
        else
        {
            _device.Dispose();
        }
    }
}
