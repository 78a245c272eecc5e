using System.Device.I2c;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// A register-level BME280 on an emulated I2C bus, answering as Bosch BST-BME280-DS002 describes:
/// <list type="bullet">
/// <item>chip id 0x60 at 0xD0 (5.4.1); soft reset by writing 0xB6 to 0xE0 (5.4.2);</item>
/// <item>calibration at 0x88..0xA1 and 0xE1..0xE7 (4.2.2, table 16; see <see cref="Bme280Calibration"/>);</item>
/// <item>ctrl_hum 0xF2, effective only after a write to ctrl_meas (5.4.3); status 0xF3 with measuring[3] and im_update[0] (5.4.4);</item>
/// <item>ctrl_meas 0xF4 with mode[1:0]: 00 sleep, 01/10 forced (one conversion, then back to sleep), 11 normal (3.3); config 0xF5 (5.4.6);</item>
/// <item>data 0xF7..0xFE: press msb/lsb/xlsb[7:4], temp msb/lsb/xlsb[7:4], hum msb/lsb (5.4.7-5.4.9); a skipped channel reads 0x80000 (0x8000 for humidity);</item>
/// <item>I2C writes are (register, value) pairs; reads auto-increment the register pointer (6.2.1, 6.2.2).</item>
/// </list>
/// A conversion lasts the datasheet's maximum measurement time (Appendix B, 9.1, see <see cref="Bme280Timing.MaxMeasurementTimeMs"/>) on the
/// injected <see cref="TimeProvider"/>. While it runs, status.measuring is 1 and the data registers keep the previous conversion
/// (the chip's data shadowing, 3.3.2 / 5.4.4); afterwards they hold the new one. A driver that does not wait therefore reads stale
/// values, which is the bug this emulator exists to expose.
/// </summary>
/// <remarks>
/// Bus faults can be injected: NACK for the next N transfers (<see cref="InjectNack"/>), a wrong chip id (<see cref="InjectChipId"/>),
/// data registers that stop updating (<see cref="InjectStuckData"/>), transfers that time out (<see cref="InjectTimeout"/>) and a flipped bit on reads of one register (<see cref="InjectBitFlip"/>).
/// Every call of <see cref="Read"/>, <see cref="ReadByte"/>, <see cref="Write"/>, <see cref="WriteByte"/> or <see cref="WriteRead"/> is one
/// transfer. Writes to read-only registers are ignored, as on the chip. The emulator is thread-safe; transfers are serialised.
/// </remarks>
public sealed class Bme280Emulator : I2cDevice
{
    /// <summary>I2C address with SDO tied to GND (section 6.2); 0x77 with SDO to VDDIO.</summary>
    public const byte DefaultI2cAddress = 0x76;

    /// <summary>The BME280 chip id at register 0xD0 (section 5.4.1).</summary>
    public const byte ChipId = 0x60;

    /// <summary>The value that, written to 0xE0, resets the chip (section 5.4.2).</summary>
    public const byte SoftResetCommand = 0xB6;

    // Datasheet table 1: start-up time 2 ms, during which the NVM is copied to the image registers (im_update = 1).
    private const double NvmCopyMs = 2.0;

    private readonly object _gate = new();
    private readonly byte[] _registers = new byte[256];
    private readonly bool[]? _readable;
    private readonly IBme280Signal _signal;
    private readonly TimeProvider _clock;
    private readonly I2cConnectionSettings _settings;

    private byte _pointer;
    private int _osrsH;
    private bool _converting;
    private long _conversionEnd;
    private Bme280RawSample _pending;
    private bool _normal;
    private long _normalStart;
    private long _normalCycles;
    private long _imUpdateUntil;

    private int _nackRemaining;
    private int _timeoutRemaining;
    private string? _faultName;
    private TimeSpan _timeoutDelay;
    private int _chipId = ChipId;
    private bool _stuck;
    private byte _flipRegister;
    private byte _flipMask;

    private long _transferCount;
    private long _nackCount;
    private long _conversionCount;

    /// <summary>
    /// Creates a powered-up BME280 in sleep mode whose conversions measure <paramref name="signal"/>.
    /// </summary>
    /// <param name="signal">Supplies the raw codes of each conversion.</param>
    /// <param name="calibration">The NVM trimming parameters; <see cref="Bme280Calibration.DatasheetExample"/> when null.</param>
    /// <param name="clock">Time for conversions and for the signal; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="address">The 7-bit I2C address reported in <see cref="ConnectionSettings"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="signal"/> is null.</exception>
    public Bme280Emulator(IBme280Signal signal, Bme280Calibration? calibration = null, TimeProvider? clock = null, byte address = DefaultI2cAddress)
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _clock = clock ?? TimeProvider.System;
        _settings = new I2cConnectionSettings(1, address);
        Faults = new EmulatedBusFaults(_clock) { FlipRegister = (byte)Bme280Register.TempMsb };
        (calibration ?? Bme280Calibration.DatasheetExample).WriteTo(_registers);
        _registers[(int)Bme280Register.ChipId] = ChipId;
        ResetRegisters();
    }

    private Bme280Emulator(I2cDump dump, TimeProvider clock)
    {
        _clock = clock;
        _settings = new I2cConnectionSettings(1, DefaultI2cAddress);
        Faults = new EmulatedBusFaults(_clock) { FlipRegister = (byte)Bme280Register.TempMsb };
        dump.Registers.CopyTo(_registers);
        _readable = dump.Readable.ToArray();

        // The dump is a snapshot: every conversion reproduces the dumped data registers, so a driver that resets the chip
        // (Iot.Device.Bindings does) and converts still reads the dumped measurement.
        ReadOnlySpan<byte> data = dump.Registers.Slice((int)Bme280Register.PressMsb, 8);
        _signal = new Bme280FixedSignal(new Bme280RawSample(
            AdcT: (data[3] << 12) | (data[4] << 4) | (data[5] >> 4),
            AdcP: (data[0] << 12) | (data[1] << 4) | (data[2] >> 4),
            AdcH: (data[6] << 8) | data[7]));
        _chipId = _registers[(int)Bme280Register.ChipId];
        _osrsH = _registers[(int)Bme280Register.CtrlHum] & 0x07;
    }

    /// <inheritdoc/>
    public override I2cConnectionSettings ConnectionSettings => _settings;

    /// <summary>Scheduled or lasting bus faults (the same model as the other emulators), consulted on every transfer in addition to
    /// the <c>Inject*</c> methods; its bit flip defaults to temp_msb (0xFA).</summary>
    public EmulatedBusFaults Faults { get; }

    /// <summary>Transfers so far (including those answered with a NACK).</summary>
    public long TransferCount => Interlocked.Read(ref _transferCount);

    /// <summary>Transfers answered with an injected NACK.</summary>
    public long NackCount => Interlocked.Read(ref _nackCount);

    /// <summary>Conversions started (forced or normal mode).</summary>
    public long ConversionCount => Interlocked.Read(ref _conversionCount);

    /// <summary>
    /// Creates an emulator whose registers are a static snapshot taken by <c>i2cdump -y BUS ADDR</c>
    /// (format: <see cref="I2cDump"/>). Every conversion reproduces the dumped data registers (even after a soft reset,
    /// which Iot.Device.Bindings performs on open), so a reading returns the dumped measurement. Cells dumped as <c>XX</c> fail with <see cref="IOException"/> when read.
    /// </summary>
    /// <param name="path">The dump file.</param>
    /// <returns>The emulator, on <see cref="TimeProvider.System"/>.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not an i2cdump header or row; the message names <c>path:line</c>.</exception>
    public static Bme280Emulator FromI2cDump(string path) => new(I2cDump.Parse(path), TimeProvider.System);

    /// <summary>As <see cref="FromI2cDump(string)"/>, from text.</summary>
    /// <param name="reader">The output of <c>i2cdump</c>.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <returns>The emulator, on <see cref="TimeProvider.System"/>.</returns>
    /// <exception cref="FormatException">A line is not an i2cdump header or row; the message names <c>sourceName:line</c>.</exception>
    public static Bme280Emulator FromI2cDump(TextReader reader, string sourceName) => new(I2cDump.Parse(reader, sourceName), TimeProvider.System);

    /// <summary>The next <paramref name="transfers"/> transfers throw <see cref="IOException"/>, as a NACK does on Linux i2c-dev.</summary>
    /// <param name="transfers">How many transfers fail; 0 clears the fault.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transfers"/> is negative.</exception>
    public void InjectNack(int transfers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transfers);
        lock (_gate)
        {
            Advance(_clock.GetTimestamp()); // settle a conversion that ended before the fault
            _nackRemaining = transfers;
        }
    }

    /// <summary>
    /// The next <paramref name="transfers"/> transfers hang for <paramref name="delay"/> on the clock, then throw
    /// <see cref="IOException"/>, as an I2C adapter's timeout (ETIMEDOUT) does when a slave holds SCL low.
    /// </summary>
    /// <param name="transfers">How many transfers time out; 0 clears the fault.</param>
    /// <param name="delay">How long each hangs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transfers"/> or <paramref name="delay"/> is negative.</exception>
    public void InjectTimeout(int transfers, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transfers);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_gate)
        {
            Advance(_clock.GetTimestamp());
            _timeoutRemaining = transfers;
            _timeoutDelay = delay;
        }
    }

    /// <summary>Register 0xD0 reads <paramref name="chipId"/> (0x58 is a BMP280, 0x61 a BME680); <see cref="ChipId"/> clears the fault.</summary>
    /// <param name="chipId">The id to report.</param>
    public void InjectChipId(byte chipId)
    {
        lock (_gate)
        {
            Advance(_clock.GetTimestamp()); // settle a conversion that ended before the fault
            _chipId = chipId;
        }
    }

    /// <summary>While set, conversions complete (status and mode behave) but the data registers keep their values.</summary>
    /// <param name="stuck">True to freeze the data registers, false to clear the fault.</param>
    public void InjectStuckData(bool stuck)
    {
        lock (_gate)
        {
            Advance(_clock.GetTimestamp()); // settle a conversion that ended before the fault
            _stuck = stuck;
        }
    }

    /// <summary>Reads of <paramref name="register"/> return the value XOR <paramref name="mask"/>; a mask of 0 clears the fault.</summary>
    /// <param name="register">Register address.</param>
    /// <param name="mask">Bits to flip.</param>
    public void InjectBitFlip(byte register, byte mask)
    {
        lock (_gate)
        {
            Advance(_clock.GetTimestamp()); // settle a conversion that ended before the fault
            _flipRegister = register;
            _flipMask = mask;
        }
    }

    /// <inheritdoc/>
    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK, or a register that the i2cdump could not read.</exception>
    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            BeginTransfer();
            ReadCore(buffer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK.</exception>
    public override void WriteByte(byte value)
    {
        Span<byte> one = [value];
        Write(one);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            BeginTransfer();
            WriteCore(buffer);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK, or a register that the i2cdump could not read.</exception>
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_gate)
        {
            BeginTransfer();
            WriteCore(writeBuffer);
            ReadCore(readBuffer);
        }
    }

    private void BeginTransfer()
    {
        _transferCount++;
        Faults.BeginTransfer(_faultName ??= $"BME280 emulator at 0x{_settings.DeviceAddress:x2}");
        if (_nackRemaining > 0)
        {
            _nackRemaining--;
            _nackCount++;
            throw new IOException($"BME280 emulator at 0x{_settings.DeviceAddress:x2}: NACK (injected fault; {_nackRemaining} more transfers will fail).");
        }

        if (_timeoutRemaining > 0)
        {
            _timeoutRemaining--;
            Sampling.ClockDelay.Wait(_clock, _timeoutDelay);
            throw new IOException($"BME280 emulator at 0x{_settings.DeviceAddress:x2}: transfer timed out after {_timeoutDelay.TotalMilliseconds:F0} ms (injected fault).");
        }

        Advance(_clock.GetTimestamp());
    }

    private void WriteCore(ReadOnlySpan<byte> buffer)
    {
        // Section 6.2.1: a write is a sequence of (register address, data) pairs; a lone address only sets the pointer.
        int i = 0;
        for (; i + 1 < buffer.Length; i += 2)
        {
            WriteRegister(buffer[i], buffer[i + 1]);
            _pointer = buffer[i];
        }

        if (i < buffer.Length)
        {
            _pointer = buffer[i];
        }
    }

    private void ReadCore(Span<byte> buffer)
    {
        // Section 6.2.2: the register address auto-increments on a burst read.
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = ReadRegister(_pointer);
            _pointer++;
        }
    }

    private byte ReadRegister(byte address)
    {
        if (_readable is not null && address != (byte)Bme280Register.Status && !_readable[address])
        {
            throw new IOException($"BME280 emulator: register 0x{address:x2} was unreadable (XX) in the i2cdump it was built from.");
        }

        long now = _clock.GetTimestamp();
        byte value = address switch
        {
            (byte)Bme280Register.ChipId => Faults.ChipId((byte)_chipId),
            (byte)Bme280Register.Reset => 0x00,
            (byte)Bme280Register.Status => (byte)((IsMeasuring(now) ? 0x08 : 0x00) | (now < _imUpdateUntil ? 0x01 : 0x00)),
            _ => _registers[address],
        };
        value = Faults.Read(address, value);
        return address == _flipRegister ? (byte)(value ^ _flipMask) : value;
    }

    private void WriteRegister(byte address, byte value)
    {
        long now = _clock.GetTimestamp();
        switch (address)
        {
            case (byte)Bme280Register.Reset:
                if (value == SoftResetCommand)
                {
                    ResetRegisters();
                    _imUpdateUntil = now + Ticks(NvmCopyMs);
                }

                break;
            case (byte)Bme280Register.CtrlHum:
                _registers[address] = (byte)(value & 0x07);
                break;
            case (byte)Bme280Register.Config:
                _registers[address] = (byte)(value & 0xFD); // bit 1 is reserved
                break;
            case (byte)Bme280Register.CtrlMeas:
                _registers[address] = value;
                _osrsH = _registers[(int)Bme280Register.CtrlHum] & 0x07; // 5.4.3: ctrl_hum takes effect now
                StartMode(value & 0x03, now);
                break;
            default:
                break; // read-only or reserved: the chip ignores the write
        }
    }

    private void StartMode(int mode, long now)
    {
        _normal = false;
        switch (mode)
        {
            case 0b00:
                _converting = false;
                break;
            case 0b01 or 0b10:
                _converting = true;
                _conversionEnd = now + Ticks(CurrentMeasurementTimeMs());
                _pending = Sample(UnixNs(now));
                _conversionCount++;
                break;
            default:
                _converting = false;
                _normal = true;
                _normalStart = now;
                _normalCycles = 0;
                break;
        }
    }

    private void Advance(long now)
    {
        if (_converting && now >= _conversionEnd)
        {
            _converting = false;
            Commit(_pending);
            _registers[(int)Bme280Register.CtrlMeas] &= 0xFC; // 3.3.3: back to sleep after a forced conversion
        }

        if (_normal)
        {
            long measure = Ticks(CurrentMeasurementTimeMs());
            long period = measure + Ticks(StandbyMs(_registers[(int)Bme280Register.Config] >> 5));
            long sinceStart = now - _normalStart;
            long completed = sinceStart < measure ? 0 : ((sinceStart - measure) / period) + 1;
            if (completed > _normalCycles)
            {
                _conversionCount += completed - _normalCycles;
                _normalCycles = completed;
                long lastStart = _normalStart + ((completed - 1) * period);
                Commit(Sample(UnixNs(lastStart)));
            }
        }
    }

    private bool IsMeasuring(long now)
    {
        if (_converting)
        {
            return now < _conversionEnd;
        }

        if (_normal)
        {
            long measure = Ticks(CurrentMeasurementTimeMs());
            long period = measure + Ticks(StandbyMs(_registers[(int)Bme280Register.Config] >> 5));
            return (now - _normalStart) % period < measure;
        }

        return false;
    }

    private Bme280RawSample Sample(long unixNs)
    {
        Bme280RawSample sample = _signal.Next(unixNs);
        sample.Validate();
        return sample;
    }

    private void Commit(Bme280RawSample sample)
    {
        if (_stuck || Faults.IsStuck())
        {
            return; // a stuck chip keeps its data
        }

        byte ctrlMeas = _registers[(int)Bme280Register.CtrlMeas];
        int adcP = (ctrlMeas >> 2 & 0x07) == 0 ? 0x80000 : sample.AdcP;
        int adcT = (ctrlMeas >> 5) == 0 ? 0x80000 : sample.AdcT;
        int adcH = _osrsH == 0 ? 0x8000 : sample.AdcH;
        Span<byte> data = _registers.AsSpan((int)Bme280Register.PressMsb, 8);
        data[0] = (byte)(adcP >> 12);
        data[1] = (byte)(adcP >> 4);
        data[2] = (byte)((adcP & 0x0F) << 4);
        data[3] = (byte)(adcT >> 12);
        data[4] = (byte)(adcT >> 4);
        data[5] = (byte)((adcT & 0x0F) << 4);
        data[6] = (byte)(adcH >> 8);
        data[7] = (byte)adcH;
    }

    private void ResetRegisters()
    {
        // Table 18 reset states: control registers 0x00, data registers 0x80 00 00 / 0x80 00 00 / 0x80 00.
        _registers[(int)Bme280Register.CtrlHum] = 0;
        _registers[(int)Bme280Register.CtrlMeas] = 0;
        _registers[(int)Bme280Register.Config] = 0;
        ReadOnlySpan<byte> resetData = [0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00];
        resetData.CopyTo(_registers.AsSpan((int)Bme280Register.PressMsb));
        _osrsH = 0;
        _converting = false;
        _normal = false;
    }

    private double CurrentMeasurementTimeMs()
    {
        byte ctrlMeas = _registers[(int)Bme280Register.CtrlMeas];
        return Bme280Timing.MaxMeasurementTimeMs(Bme280Timing.OversamplingFactor(ctrlMeas >> 5), Bme280Timing.OversamplingFactor(ctrlMeas >> 2), Bme280Timing.OversamplingFactor(_osrsH));
    }

    // Section 5.4.6, table 27: t_sb[2:0] -> 0.5, 62.5, 125, 250, 500, 1000, 10, 20 ms.
    private static double StandbyMs(int tsb) => (tsb & 0x07) switch
    {
        0 => 0.5,
        1 => 62.5,
        2 => 125,
        3 => 250,
        4 => 500,
        5 => 1000,
        6 => 10,
        _ => 20,
    };

    private long Ticks(double ms) => (long)Math.Round(ms * _clock.TimestampFrequency / 1000.0);

    private long UnixNs(long timestamp)
    {
        long nowTimestamp = _clock.GetTimestamp();
        long nowUnixNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        double agoNs = (nowTimestamp - timestamp) * 1e9 / _clock.TimestampFrequency;
        return nowUnixNs - (long)agoNs;
    }
}
