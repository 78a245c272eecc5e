using System.Device.I2c;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// A register-level ADS1115 (TI SBAS444D) on an emulated I2C bus:
/// <list type="bullet">
/// <item>address pointer register (8.6.1): the first byte of a write selects conversion 00, config 01, Lo_thresh 10, Hi_thresh 11;
/// the next two bytes, MSB first, are written to it; a read returns the selected register MSB first (8.5.3, figures 31/32);</item>
/// <item>config register (8.6.3), reset 0x8583: OS[15] (write 1 in single-shot mode starts a conversion; reads 0 while converting),
/// MUX[14:12], PGA[11:9] (±6.144, 4.096, 2.048, 1.024, 0.512, 0.256 V), MODE[8] (0 continuous, 1 single-shot), DR[7:5] (8..860 SPS),
/// comparator bits [4:0]; Lo_thresh resets to 0x8000, Hi_thresh to 0x7FFF (8.6.4);</item>
/// <item>a conversion lasts 1/DR on the clock; the conversion register (8.6.2) then holds
/// code = clamp(round(V · 2^15 / FS), −2^15, 2^15 − 1), two's complement (8.3.3, table 3: ≥ +FS·(2^15−1)/2^15 → 0x7FFF, ≤ −FS → 0x8000),
/// for every MUX setting, differential ones included.</item>
/// </list>
/// Inputs AIN0..AIN3 are inputs 0..3 of the <see cref="IChannelSignal"/>, in volts. Bus faults come from <see cref="Faults"/>;
/// a bit flip applies to byte <c>2 · pointer + i</c> of a register read (so 0x00 and 0x01 are the conversion MSB and LSB).
/// The ADS1115 has no chip id register, so <see cref="BusFaultKind.WrongChipId"/> does not apply. Thread-safe.
/// </summary>
public sealed class Ads1115Emulator : I2cDevice
{
    /// <summary>I2C address with ADDR tied to GND (SBAS444D 8.5.1.1, table 4).</summary>
    public const byte DefaultI2cAddress = 0x48;

    /// <summary>The config register after power-up (SBAS444D 8.6.3).</summary>
    public const ushort ConfigResetValue = 0x8583;

    private readonly object _gate = new();
    private readonly IChannelSignal _signal;
    private readonly TimeProvider _clock;
    private readonly I2cConnectionSettings _settings;
    private readonly string _name;
    private readonly ushort[] _registers = new ushort[4];
    private byte _pointer;
    private bool _converting;
    private long _conversionStart;
    private long _conversionEnd;
    private long _conversions;

    /// <summary>Creates a powered-up ADS1115 (config 0x8583: single-shot, AIN0−AIN1, ±2.048 V, 128 SPS).</summary>
    /// <param name="signal">Volts on AIN0..AIN3 (inputs 0..3).</param>
    /// <param name="clock">Time for conversions; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="address">The 7-bit I2C address (0x48..0x4B).</param>
    /// <exception cref="ArgumentNullException"><paramref name="signal"/> is null.</exception>
    public Ads1115Emulator(IChannelSignal signal, TimeProvider? clock = null, byte address = DefaultI2cAddress)
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _clock = clock ?? TimeProvider.System;
        _settings = new I2cConnectionSettings(1, address);
        _name = $"ADS1115 emulator at 0x{address:x2}";
        Faults = new EmulatedBusFaults(_clock);
        _registers[1] = ConfigResetValue;
        _registers[2] = 0x8000;
        _registers[3] = 0x7FFF;
    }

    /// <inheritdoc/>
    public override I2cConnectionSettings ConnectionSettings => _settings;

    /// <summary>The faults this chip injects into its transfers.</summary>
    public EmulatedBusFaults Faults { get; }

    /// <summary>Conversions completed so far.</summary>
    public long ConversionCount => Interlocked.Read(ref _conversions);

    /// <summary>
    /// The output code for a differential input voltage (SBAS444D 8.3.3, table 3): round(V · 2^15 / FS) clamped to
    /// [−32768, 32767].
    /// </summary>
    /// <param name="volts">V(AINp) − V(AINn), volts.</param>
    /// <param name="fullScaleVolts">The PGA's full scale FS, volts (4.096 for ±4.096 V).</param>
    /// <returns>The 16-bit two's complement code.</returns>
    public static short Code(double volts, double fullScaleVolts)
    {
        double code = Math.Floor((volts * 32768.0 / fullScaleVolts) + 0.5);
        return (short)Math.Clamp(code, short.MinValue, short.MaxValue);
    }

    /// <inheritdoc/>
    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout.</exception>
    public override void Read(Span<byte> buffer)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            ReadCore(buffer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout.</exception>
    public override void WriteByte(byte value)
    {
        Span<byte> one = [value];
        Write(one);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            WriteCore(buffer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout.</exception>
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Faults.BeginTransfer(_name);
        lock (_gate)
        {
            Advance();
            WriteCore(writeBuffer);
            ReadCore(readBuffer);
        }
    }

    private void WriteCore(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        _pointer = (byte)(buffer[0] & 0x03);
        if (buffer.Length < 3)
        {
            return; // a lone pointer byte selects the register for the next read
        }

        ushort value = (ushort)((buffer[1] << 8) | buffer[2]);
        switch (_pointer)
        {
            case 0:
                break; // the conversion register is read-only
            case 1:
                WriteConfig(value);
                break;
            default:
                _registers[_pointer] = value;
                break;
        }
    }

    private void WriteConfig(ushort value)
    {
        bool start = (value & 0x8000) != 0;
        bool singleShot = (value & 0x0100) != 0;
        _registers[1] = (ushort)(value & 0x7FFF);
        if (!singleShot || (start && !_converting))
        {
            // 8.4.2: in continuous mode a write restarts conversions; in single-shot mode OS = 1 starts one.
            StartConversion(_clock.GetTimestamp());
        }
    }

    private void ReadCore(Span<byte> buffer)
    {
        ushort value = _pointer switch
        {
            1 => (ushort)(_registers[1] | (_converting ? 0 : 0x8000)),
            _ => _registers[_pointer],
        };
        for (int i = 0; i < buffer.Length; i++)
        {
            byte b = (byte)(i % 2 == 0 ? value >> 8 : value);
            buffer[i] = Faults.Read((byte)((2 * _pointer) + (i % 2)), b);
        }
    }

    private void StartConversion(long now)
    {
        _converting = true;
        _conversionStart = now;
        double seconds = 1.0 / Ads1115Datasheet.DataRate(_registers[1] >> 5);
        _conversionEnd = now + (long)Math.Ceiling(seconds * _clock.TimestampFrequency);
    }

    private void Advance()
    {
        long now = _clock.GetTimestamp();
        while (_converting && now >= _conversionEnd)
        {
            ushort config = _registers[1];
            if (!Faults.IsStuck())
            {
                long unixNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
                long agoNs = (long)((now - _conversionEnd) * 1e9 / _clock.TimestampFrequency);
                _registers[0] = (ushort)Code(InputVolts(config >> 12, unixNs - agoNs), Ads1115Datasheet.FullScale(config >> 9));
            }

            Interlocked.Increment(ref _conversions);
            if ((config & 0x0100) != 0)
            {
                _converting = false; // single-shot: power down after one conversion (8.4.2)
            }
            else
            {
                long period = _conversionEnd - _conversionStart;
                long skipped = Math.Max(0, (now - _conversionEnd) / period);
                _conversionStart = _conversionEnd + (skipped * period);
                _conversionEnd = _conversionStart + period;
            }
        }
    }

    // MUX[2:0] (SBAS444D 8.6.3, table 8): 000 AIN0−AIN1, 001 AIN0−AIN3, 010 AIN1−AIN3, 011 AIN2−AIN3, 1xx AINx−GND.
    private double InputVolts(int mux, long unixNs) => (mux & 0x07) switch
    {
        0 => _signal.Value(0, unixNs) - _signal.Value(1, unixNs),
        1 => _signal.Value(0, unixNs) - _signal.Value(3, unixNs),
        2 => _signal.Value(1, unixNs) - _signal.Value(3, unixNs),
        3 => _signal.Value(2, unixNs) - _signal.Value(3, unixNs),
        int single => _signal.Value(single - 4, unixNs),
    };
}
