using System.Device.Spi;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// A register-level ADXL345 3-axis accelerometer (Analog Devices ADXL345 data sheet Rev. G) on an emulated 4-wire SPI bus:
/// <list type="bullet">
/// <item>frame (figures 37-39): the first byte is R/W̅[7] (1 = read), MB[6] (multi-byte: the address increments), A[5:0];
/// the following bytes are data; each <see cref="EmulatedSpiDevice.TransferFullDuplex"/> is one chip-select-low frame;</item>
/// <item>DEVID 0x00 = 0xE5; BW_RATE 0x2C (reset 0x0A), output data rate 3200 / 2^(15 − Rate) Hz (table 7: 0xF = 3200 Hz);
/// POWER_CTL 0x2D Measure[3]; DATA_FORMAT 0x31 FULL_RES[3], Range[1:0] (±2, 4, 8, 16 g);</item>
/// <item>data 0x32..0x37: X, Y, Z as 16-bit two's complement, LSB first, right-justified; 256 LSB/g (3.9 mg/LSB, table 1) in full
/// resolution at every range, or 10 bits at 256/128/64/32 LSB/g for ±2/4/8/16 g; saturated at the range;</item>
/// <item>FIFO (section "FIFO"): 32 entries; in FIFO mode it stops when full, in stream mode it keeps the newest 32 and sets
/// Overrun; FIFO_STATUS Entries[5:0] counts the unread entries and the data registers show the oldest, which a read of the data
/// registers consumes at the end of its frame (the data sheet's extra entry held in the output stage is not modelled); INT_SOURCE Watermark[1] is set while Entries ≥ Samples[4:0], DATA_READY[7] while data is unread.</item>
/// </list>
/// Samples are taken at the output data rate on the clock while Measure is set; axis values come from inputs 0, 1, 2 of the
/// <see cref="IChannelSignal"/>, in g. Faults come from <see cref="EmulatedSpiDevice.Faults"/> (wrong chip id applies to DEVID; a bit flip to the
/// register <see cref="EmulatedBusFaults.FlipRegister"/>; a stuck value repeats the last sample). Thread-safe.
/// </summary>
public sealed class Adxl345Emulator : EmulatedSpiDevice
{
    /// <summary>The ADXL345 device id at register 0x00 (table 19).</summary>
    public const byte DeviceId = Adxl345Datasheet.DeviceId;

    /// <summary>FIFO depth, entries (section "FIFO").</summary>
    public const int FifoDepth = Adxl345Datasheet.FifoDepth;

    private readonly object _gate = new();
    private readonly IChannelSignal _signal;
    private readonly TimeProvider _clock;
    private readonly byte[] _registers = new byte[64];
    private readonly short[] _fifo = new short[FifoDepth * 3];
    private int _fifoHead;
    private int _fifoCount;
    private bool _dataUnread;
    private bool _overrun;
    private long _measureStart;
    private long _samplesTaken;
    private short _lastX;
    private short _lastY;
    private short _lastZ;

    /// <summary>Creates a powered-up ADXL345 in standby (Measure = 0).</summary>
    /// <param name="signal">Acceleration in g on inputs 0 (x), 1 (y), 2 (z).</param>
    /// <param name="clock">Time for sampling; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="busId">SPI bus number reported in <see cref="EmulatedSpiDevice.ConnectionSettings"/>.</param>
    /// <param name="chipSelect">Chip select reported in <see cref="EmulatedSpiDevice.ConnectionSettings"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="signal"/> is null.</exception>
    public Adxl345Emulator(IChannelSignal signal, TimeProvider? clock = null, int busId = 0, int chipSelect = 0)
        : base(
            $"ADXL345 emulator on spi:{busId}.{chipSelect}",
            new SpiConnectionSettings(busId, chipSelect) { Mode = SpiMode.Mode3, ClockFrequency = 5_000_000 },
            new EmulatedBusFaults(clock ?? TimeProvider.System) { FlipRegister = (byte)Adxl345Register.DataX0 })
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        _clock = clock ?? TimeProvider.System;
        _registers[(int)Adxl345Register.DevId] = DeviceId;
        _registers[(int)Adxl345Register.BwRate] = 0x0A;
        _registers[(int)Adxl345Register.IntSource] = 0x02;
    }

    /// <summary>Samples taken at the output data rate since Measure was set.</summary>
    public long SamplesTaken
    {
        get
        {
            lock (_gate)
            {
                return _samplesTaken;
            }
        }
    }

    /// <summary>The output data rate of a BW_RATE Rate[3:0] code (table 7): 3200 / 2^(15 − code) Hz.</summary>
    /// <param name="rateCode">The 4-bit code.</param>
    /// <returns>Hz (0x0F → 3200, 0x0A → 100, 0x06 → 6.25).</returns>
    public static double OutputDataRateHz(int rateCode) => Adxl345Datasheet.OutputDataRateHz(rateCode);

    /// <summary>The output code of an acceleration (table 1, "Data Formatting of Register Map"): round(g · LSB/g), saturated at
    /// ±range (13 bits at ±16 g in full resolution, 10 bits otherwise).</summary>
    /// <param name="g">Acceleration in g.</param>
    /// <param name="dataFormat">The DATA_FORMAT register.</param>
    /// <returns>The 16-bit right-justified code.</returns>
    public static short Code(double g, byte dataFormat)
    {
        int range = dataFormat & 0x03;
        bool fullRes = (dataFormat & 0x08) != 0;
        double lsbPerG = fullRes ? 256.0 : 256.0 / (1 << range);
        int max = fullRes ? (256 << (range + 1)) - 1 : 511;
        int min = fullRes ? -(256 << (range + 1)) : -512;
        return (short)Math.Clamp(Math.Round(g * lsbPerG), min, max);
    }

    /// <inheritdoc/>
    protected override void Frame(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_gate)
        {
            readBuffer.Clear();
            if (writeBuffer.IsEmpty)
            {
                return;
            }

            Advance(_clock.GetTimestamp());
            byte command = writeBuffer[0];
            bool read = (command & 0x80) != 0;
            bool multi = (command & 0x40) != 0;
            int address = command & 0x3F;
            bool touchedData = false;
            for (int i = 1; i < writeBuffer.Length; i++)
            {
                int a = multi ? (address + i - 1) & 0x3F : address;
                if (read)
                {
                    readBuffer[i] = Faults.Read((byte)a, ReadRegister(a));
                    touchedData |= a is >= (int)Adxl345Register.DataX0 and <= (int)Adxl345Register.DataZ1;
                }
                else
                {
                    WriteRegister(a, writeBuffer[i]);
                }
            }

            if (touchedData)
            {
                _dataUnread = false;
                Pop();
            }
        }
    }

    private byte ReadRegister(int address)
    {
        switch (address)
        {
            case (int)Adxl345Register.DevId:
                return Faults.ChipId(DeviceId);
            case (int)Adxl345Register.FifoStatus:
                return (byte)Math.Min(_fifoCount, FifoDepth);
            case (int)Adxl345Register.IntSource:
                int samples = _registers[(int)Adxl345Register.FifoCtl] & 0x1F;
                bool watermark = FifoMode != 0 && samples > 0 && _fifoCount >= samples;
                byte value = (byte)((_dataUnread ? 0x80 : 0) | (watermark ? 0x02 : 0) | (_overrun ? 0x01 : 0));
                _overrun = false; // cleared by reading (data sheet: "Overrun ... cleared by reading the data registers")
                return value;
            default:
                return _registers[address];
        }
    }

    private void WriteRegister(int address, byte value)
    {
        switch (address)
        {
            case (int)Adxl345Register.BwRate:
            case (int)Adxl345Register.DataFormat:
                _registers[address] = value;
                break;
            case (int)Adxl345Register.PowerCtl:
                bool was = Measuring;
                _registers[address] = value;
                if (!was && Measuring)
                {
                    _measureStart = _clock.GetTimestamp();
                    _samplesTaken = 0;
                }

                break;
            case (int)Adxl345Register.FifoCtl:
                _registers[address] = value;
                _fifoCount = 0; // changing the FIFO mode clears it (data sheet: "Bypass mode ... FIFO is cleared")
                _fifoHead = 0;
                break;
            default:
                if (address is > 0x1C and < 0x30 or 0x38)
                {
                    _registers[address] = value;
                }

                break;
        }
    }

    private bool Measuring => (_registers[(int)Adxl345Register.PowerCtl] & 0x08) != 0;

    private int FifoMode => _registers[(int)Adxl345Register.FifoCtl] >> 6;

    private void Advance(long now)
    {
        if (!Measuring)
        {
            return;
        }

        double odr = OutputDataRateHz(_registers[(int)Adxl345Register.BwRate]);
        long due = (long)Math.Floor((now - _measureStart) * odr / _clock.TimestampFrequency);
        long missing = due - _samplesTaken;
        if (missing <= 0)
        {
            return;
        }

        // Only the newest FifoDepth + 1 samples can still be observed (the FIFO plus the data registers).
        long first = Math.Max(_samplesTaken, due - (FifoDepth + 1));
        long nowUnixNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        for (long k = first; k < due; k++)
        {
            long sampleTs = _measureStart + (long)Math.Ceiling((k + 1) * _clock.TimestampFrequency / odr);
            long unixNs = nowUnixNs - (long)((now - sampleTs) * 1e9 / _clock.TimestampFrequency);
            Take(unixNs);
        }

        _samplesTaken = due;
    }

    private void Take(long unixNs)
    {
        byte format = _registers[(int)Adxl345Register.DataFormat];
        if (!Faults.IsStuck())
        {
            _lastX = Code(_signal.Value(0, unixNs), format);
            _lastY = Code(_signal.Value(1, unixNs), format);
            _lastZ = Code(_signal.Value(2, unixNs), format);
        }

        _dataUnread = true;
        if (FifoMode == 0)
        {
            WriteData(_lastX, _lastY, _lastZ);
            return;
        }

        if (_fifoCount == FifoDepth)
        {
            if (FifoMode == 1)
            {
                return; // FIFO mode: full, collection stops
            }

            _fifoHead = (_fifoHead + 1) % FifoDepth; // stream: drop the oldest
            _fifoCount--;
            _overrun = true;
        }

        int slot = (_fifoHead + _fifoCount) % FifoDepth;
        _fifo[slot * 3] = _lastX;
        _fifo[(slot * 3) + 1] = _lastY;
        _fifo[(slot * 3) + 2] = _lastZ;
        _fifoCount++;
        ShowHead();
    }

    // A read of the data registers consumes the oldest entry; the registers then show the next one.
    private void Pop()
    {
        if (FifoMode == 0 || _fifoCount == 0)
        {
            return;
        }

        _fifoHead = (_fifoHead + 1) % FifoDepth;
        _fifoCount--;
        _dataUnread = _fifoCount > 0;
        ShowHead();
    }

    private void ShowHead()
    {
        if (_fifoCount > 0)
        {
            WriteData(_fifo[_fifoHead * 3], _fifo[(_fifoHead * 3) + 1], _fifo[(_fifoHead * 3) + 2]);
        }
    }

    private void WriteData(short x, short y, short z)
    {
        Span<byte> data = _registers.AsSpan((int)Adxl345Register.DataX0, 6);
        data[0] = (byte)x;
        data[1] = (byte)(x >> 8);
        data[2] = (byte)y;
        data[3] = (byte)(y >> 8);
        data[4] = (byte)z;
        data[5] = (byte)(z >> 8);
    }
}
