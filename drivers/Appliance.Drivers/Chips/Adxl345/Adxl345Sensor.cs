using System.Collections.ObjectModel;
using System.Device.Spi;
using Appliance.Drivers.Chips.Ads1115;
using Appliance.Drivers.Sources;
using UnitsNet;

namespace Appliance.Drivers.Chips.Adxl345;

/// <summary>
/// An ADXL345 accelerometer on SPI (Analog Devices ADXL345 data sheet Rev. G), read in batches from its 32-entry FIFO in stream
/// mode, as channels <c>accel_x_ms2</c>, <c>accel_y_ms2</c>, <c>accel_z_ms2</c> in m/s² (1 g = 9.80665 m/s², UnitsNet
/// <see cref="Acceleration"/>), full resolution (256 LSB/g, 3.9 mg/LSB, table 1).
/// </summary>
/// <remarks>
/// <para>The Iot.Device.Bindings driver (<c>Iot.Device.Adxl345.Adxl345</c>) is not used: it has no FIFO access (so 3200 Hz would
/// need 3200 bus reads a second), does not check DEVID, and allocates two arrays per read.</para>
/// <para><see cref="Open"/> checks DEVID (0x00) = 0xE5 and refuses any other chip (<see cref="InvalidDataException"/>); then writes
/// BW_RATE (the output data rate), DATA_FORMAT (FULL_RES, range), FIFO_CTL (stream, watermark 16) and POWER_CTL (Measure).
/// <see cref="ReadBatch"/> reads FIFO_STATUS, then each entry with one multi-byte read of 0x32..0x37 (the data sheet asks for a
/// multi-byte read, MB = 1, so that an entry's axes belong together, figure 38), keeping at least 5 µs between the end of one
/// entry's read and the start of the next (section "Retrieving Data from FIFO": the FIFO needs 5 µs to pop; at 5 MHz the next
/// command byte alone takes 1.6 µs, so the driver waits out the rest on the host's high-resolution clock; not on a simulated clock,
/// whose emulated chip pops at once).</para>
/// <para>Timestamps come from the FIFO's known rate: entries are 1 / ODR apart, and a batch continues the previous one. The sequence is
/// anchored on the clock at the first batch (the newest entry at the time FIFO_STATUS was read, t_read) and moved
/// (<see cref="Reanchors"/>) only as far as needed when the continued newest entry would lie after t_read or more than one period
/// before the batch's first register read (the chip's oscillator drifts against the clock). Each batch reads FIFO_STATUS (0x39), then INT_SOURCE (0x30): Overrun[0] set means the stream-mode FIFO
/// dropped its oldest entries (table 21); that is counted in <see cref="FifoOverruns"/> and the batch is anchored on t_read again,
/// so the lost samples leave a gap in the timestamps; nothing is interpolated (a device never invents data).
/// DEVID is read again before every batch (one 2-byte transfer per up to 32 samples), so a chip that was replaced, reset or
/// answers with another id is never read as if it were an ADXL345; a bus fault is counted. Not thread-safe.</para>
/// </remarks>
public sealed class Adxl345Sensor : IBusSensor, IBatchSampleSource
{
    /// <summary>The ADXL345 DEVID (table 19).</summary>
    public const byte ExpectedDeviceId = 0xE5;

    /// <summary>Standard gravity, m/s² (CGPM 1901; the g of the data sheet's mg/LSB).</summary>
    public const double StandardGravity = 9.80665;

    private const int Watermark = 16;
    private const double FifoPopNs = 5_000; // section "Retrieving Data from FIFO": 5 µs from the end of one data read to the next
    internal static readonly ReadOnlyCollection<string> ChannelNames = Array.AsReadOnly(["accel_x_ms2", "accel_y_ms2", "accel_z_ms2"]);

    private readonly SpiDevice _device;
    private readonly TimeProvider _clock;
    private readonly byte _rateCode;
    private readonly byte _range;
    private readonly bool _realTime; // a chip on the system clock is real hardware, or emulated in real time: the 5 µs pop wait applies
    private readonly string _overrunFault; // made once: an overrun is counted on the sampling thread, which must not allocate for it
    private readonly float[] _pendingValues = new float[Adxl345Datasheet.FifoDepth * 3];
    private readonly long[] _pendingTimestamps = new long[Adxl345Datasheet.FifoDepth];
    private int _pendingCount;
    private int _pendingNext;
    private bool _opened;
    private long _faultCount;
    private long _fifoOverruns;
    private long _reanchors;
    private long _samplesRead;
    private long _nextTimestampNs = long.MinValue;
    private bool _disposed;

    /// <summary>Creates the sensor; the bus is not touched until <see cref="Open"/> or the first read.</summary>
    /// <param name="name">The sensor's name, as in configuration.</param>
    /// <param name="device">The chip's SPI device (mode 3, at most 5 MHz); the sensor owns it.</param>
    /// <param name="rateHz">The wanted sample rate; the output data rate is the smallest of 3200 / 2^k Hz (table 7) at or above it.</param>
    /// <param name="rangeG">The measuring range, ±2, 4, 8 or 16 g.</param>
    /// <param name="clock">Clock for timestamps and waits; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rateHz"/> is outside (0, 3200] or <paramref name="rangeG"/> is not 2, 4, 8 or 16.</exception>
    public Adxl345Sensor(string name, SpiDevice device, double rateHz = 3200, int rangeG = 16, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (rateHz is <= 0 or > 3200)
        {
            throw new ArgumentOutOfRangeException(nameof(rateHz), rateHz, $"sensor '{name}': ADXL345 rates are 0.1 to 3200 Hz (data sheet table 7).");
        }

        _range = rangeG switch
        {
            2 => 0,
            4 => 1,
            8 => 2,
            16 => 3,
            _ => throw new ArgumentOutOfRangeException(nameof(rangeG), rangeG, $"sensor '{name}': ADXL345 range must be 2, 4, 8 or 16 g."),
        };
        Name = name;
        _overrunFault = $"sensor '{name}': FIFO overrun (INT_SOURCE Overrun set): entries were lost before this batch; its timestamps start after a gap.";
        _clock = clock ?? TimeProvider.System;
        _realTime = ReferenceEquals(Appliance.Drivers.Sampling.SteadyClock.Underlying(_clock), TimeProvider.System);
        byte code = 0x0F;
        while (code > 0 && Adxl345Datasheet.OutputDataRateHz(code - 1) >= rateHz)
        {
            code--;
        }

        _rateCode = code;
        OutputDataRateHz = Adxl345Datasheet.OutputDataRateHz(code);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Chip => "adxl345";

    /// <inheritdoc/>
    public IReadOnlyList<string> Channels => ChannelNames;

    /// <inheritdoc/>
    public long FaultCount => Interlocked.Read(ref _faultCount);

    /// <inheritdoc/>
    public string? LastFault { get; private set; }

    /// <inheritdoc/>
    public int MaxBatch => Adxl345Datasheet.FifoDepth;

    /// <inheritdoc/>
    public double OutputDataRateHz { get; }

    /// <summary>Batches in which INT_SOURCE showed Overrun: the FIFO was full and dropped its oldest entries before the read.</summary>
    public long FifoOverruns => Interlocked.Read(ref _fifoOverruns);

    /// <summary>Times the FIFO-rate timestamp sequence was anchored on the clock again, the first batch and overruns excluded.</summary>
    public long Reanchors => Interlocked.Read(ref _reanchors);

    /// <summary>FIFO entries read since the sensor was created.</summary>
    public long SamplesRead => Interlocked.Read(ref _samplesRead);

    /// <summary>m/s² for a full-resolution code: code / 256 LSB/g · <see cref="StandardGravity"/> (data sheet table 1: 3.9 mg/LSB typical).</summary>
    /// <remarks>Plain arithmetic on the per-sample path (one multiply, no UnitsNet unit dispatch);
    /// <see cref="TryReadAcceleration"/> gives UnitsNet quantities to callers that want them.</remarks>
    /// <param name="code">The 16-bit right-justified two's complement code.</param>
    /// <returns>Acceleration, m/s².</returns>
    public static double MetersPerSecondSquared(short code) => code / 256.0 * StandardGravity;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public void Open()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_opened)
        {
            return;
        }

        byte id = ReadRegister(0x00);
        if (id != ExpectedDeviceId)
        {
            throw new InvalidDataException(
                $"sensor '{Name}': DEVID at register 0x00 is 0x{id:x2}; expected 0xE5 for an ADXL345 (data sheet table 19). Refusing to read it.");
        }

        WriteRegister(0x2D, 0x00);                     // POWER_CTL: standby while configuring
        WriteRegister(0x2C, _rateCode);                // BW_RATE
        WriteRegister(0x31, (byte)(0x08 | _range));    // DATA_FORMAT: FULL_RES, right-justified, range
        WriteRegister(0x38, 0x80 | Watermark);         // FIFO_CTL: stream mode, watermark
        WriteRegister(0x2D, 0x08);                     // POWER_CTL: Measure
        _pendingCount = _pendingNext = 0;
        _nextTimestampNs = long.MinValue;
        _opened = true;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A buffer is too short.</exception>
    /// <exception cref="InvalidDataException">DEVID is not 0xE5.</exception>
    /// <exception cref="ObjectDisposedException">The sensor was disposed.</exception>
    public SampleStatus ReadBatch(Span<float> values, Span<long> timestampsNs, out int count)
    {
        if (values.Length < MaxBatch * 3 || timestampsNs.Length < MaxBatch)
        {
            throw new ArgumentException($"sensor '{Name}': batch buffers hold {values.Length} values and {timestampsNs.Length} timestamps; expected at least {MaxBatch * 3} and {MaxBatch}.");
        }

        count = 0;
        try
        {
            if (_opened && ReadRegister(0x00) is var id && id != ExpectedDeviceId)
            {
                _opened = false;
                throw new InvalidDataException(
                    $"sensor '{Name}': DEVID at register 0x00 now reads 0x{id:x2}; expected 0xE5 for an ADXL345 (data sheet table 19). Refusing to read it.");
            }

            Open();
            long beforeNs = Ads1115Sensor.UnixNs(_clock);
            int entries = ReadRegister(0x39) & 0x3F;
            bool overrun = (ReadRegister(0x30) & 0x01) != 0; // INT_SOURCE Overrun[0], after FIFO_STATUS: an overrun in between is seen now
            long afterNs = Ads1115Sensor.UnixNs(_clock); // every entry FIFO_STATUS counted was sampled by now
            entries = Math.Min(entries, MaxBatch);
            Span<byte> command = stackalloc byte[7];
            Span<byte> answer = stackalloc byte[7];
            command.Clear();
            command[0] = 0x80 | 0x40 | 0x32; // read, multi-byte, DATAX0
            long lastRead = 0;
            for (int i = 0; i < entries; i++)
            {
                if (i > 0 && _realTime)
                {
                    WaitFifoPop(lastRead);
                }

                _device.TransferFullDuplex(command, answer);
                lastRead = System.Diagnostics.Stopwatch.GetTimestamp();
                values[i * 3] = (float)MetersPerSecondSquared((short)(answer[1] | (answer[2] << 8)));
                values[(i * 3) + 1] = (float)MetersPerSecondSquared((short)(answer[3] | (answer[4] << 8)));
                values[(i * 3) + 2] = (float)MetersPerSecondSquared((short)(answer[5] | (answer[6] << 8)));
            }

            Stamp(timestampsNs[..entries], beforeNs, afterNs, overrun);
            Interlocked.Add(ref _samplesRead, entries);
            count = entries;
            return SampleStatus.Ok;
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = $"sensor '{Name}': {e.Message}";
            _opened = false; // check DEVID again before trusting the chip
            _nextTimestampNs = long.MinValue; // and anchor the timestamps again: entries may have been lost
            count = 0;
            return SampleStatus.Fault;
        }
    }

    /// <summary>Reads one sample (from the FIFO, see <see cref="Read"/>) as UnitsNet quantities.</summary>
    /// <param name="x">Acceleration along x.</param>
    /// <param name="y">Acceleration along y.</param>
    /// <param name="z">Acceleration along z.</param>
    /// <returns>False on a bus fault or when no sample arrived (counted in <see cref="FaultCount"/>).</returns>
    /// <exception cref="InvalidDataException">DEVID is not 0xE5.</exception>
    public bool TryReadAcceleration(out Acceleration x, out Acceleration y, out Acceleration z)
    {
        Span<float> values = stackalloc float[3];
        bool ok = Read(values, out _) == SampleStatus.Ok;
        x = ok ? Acceleration.FromMetersPerSecondSquared(values[0]) : default;
        y = ok ? Acceleration.FromMetersPerSecondSquared(values[1]) : default;
        z = ok ? Acceleration.FromMetersPerSecondSquared(values[2]) : default;
        return ok;
    }

    /// <summary>Reads one sample: the oldest not yet handed out from the last FIFO batch, or a new batch. Waits up to two
    /// output-data-rate periods on the clock for a sample when the FIFO is empty.</summary>
    /// <param name="values">Receives x, y, z in m/s².</param>
    /// <param name="timestampNs">Receives the sample's Unix-nanosecond time.</param>
    /// <returns><see cref="SampleStatus.Ok"/>, or <see cref="SampleStatus.Fault"/> on a bus fault or when no sample arrived.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> has fewer than 3 elements.</exception>
    /// <exception cref="InvalidDataException">DEVID is not 0xE5.</exception>
    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        if (values.Length < 3)
        {
            throw new ArgumentException($"sensor '{Name}': values has {values.Length} elements; expected at least 3.", nameof(values));
        }

        for (int attempt = 0; _pendingNext == _pendingCount && attempt < 3; attempt++)
        {
            if (attempt > 0)
            {
                WaitOnePeriod();
            }

            SampleStatus status = ReadBatch(_pendingValues, _pendingTimestamps, out _pendingCount);
            _pendingNext = 0;
            if (status == SampleStatus.Fault)
            {
                values[..3].Fill(float.NaN);
                timestampNs = Ads1115Sensor.UnixNs(_clock);
                return status;
            }
        }

        if (_pendingNext == _pendingCount)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = $"sensor '{Name}': no new sample within two output-data-rate periods ({2e3 / OutputDataRateHz:F2} ms): FIFO stayed empty.";
            values[..3].Fill(float.NaN);
            timestampNs = Ads1115Sensor.UnixNs(_clock);
            return SampleStatus.Fault;
        }

        _pendingValues.AsSpan(_pendingNext * 3, 3).CopyTo(values);
        timestampNs = _pendingTimestamps[_pendingNext++];
        return SampleStatus.Ok;
    }

    /// <summary>Puts the chip in standby (a bus error here is counted, not thrown) and disposes the SPI device.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_opened)
            {
                WriteRegister(0x2D, 0x00);
            }
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _faultCount);
            LastFault = $"sensor '{Name}': {e.Message}";
        }

        _device.Dispose();
    }

    private byte ReadRegister(byte address)
    {
        Span<byte> command = [(byte)(0x80 | address), 0];
        Span<byte> answer = stackalloc byte[2];
        _device.TransferFullDuplex(command, answer);
        return answer[1];
    }

    private void WriteRegister(byte address, byte value)
    {
        Span<byte> command = [address, value];
        _device.Write(command);
    }

    // Entry i of n is due at first + i / ODR, first continuing the last batch. The newest entry was sampled after
    // beforeNs − 1/ODR (the FIFO was read then) and by afterNs (FIFO_STATUS counted it): a continuation outside that interval is
    // moved to its nearest end (a re-anchor); the first batch and a batch after an overrun are anchored at afterNs.
    private void Stamp(Span<long> timestampsNs, long beforeNs, long afterNs, bool overrun)
    {
        int n = timestampsNs.Length;
        if (overrun)
        {
            Interlocked.Increment(ref _fifoOverruns);
            LastFault = _overrunFault;
        }

        if (n == 0)
        {
            return;
        }

        double periodNs = 1e9 / OutputDataRateHz;
        long newest = afterNs;
        if (!overrun && _nextTimestampNs != long.MinValue)
        {
            long continued = _nextTimestampNs + (long)Math.Round((n - 1) * periodNs);
            newest = Math.Clamp(continued, Math.Min(beforeNs - (long)periodNs, afterNs), afterNs);
            if (newest != continued)
            {
                Interlocked.Increment(ref _reanchors);
            }
        }

        for (int i = 0; i < n; i++)
        {
            timestampsNs[i] = newest - (long)Math.Round((n - 1 - i) * periodNs);
        }

        _nextTimestampNs = newest + (long)Math.Round(periodNs);
    }

    private static void WaitFifoPop(long lastRead)
    {
        long due = lastRead + (long)Math.Ceiling(FifoPopNs * System.Diagnostics.Stopwatch.Frequency / 1e9);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(8);
        }
    }

    private void WaitOnePeriod()
    {
        var delay = TimeSpan.FromSeconds(1.0 / OutputDataRateHz);
        if (_realTime)
        {
            Thread.Sleep(delay);
            return;
        }

        using var elapsed = new ManualResetEventSlim(false);
        using ITimer timer = _clock.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan);
        elapsed.Wait();
    }
}
