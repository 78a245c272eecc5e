using System.Device.Spi;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// A bit-level MCP3008 10-bit ADC (Microchip DS21295D) on an emulated SPI bus. Each <see cref="EmulatedSpiDevice.TransferFullDuplex"/> is one
/// chip-select-low frame, clocked MSB first (mode 0,0):
/// <list type="bullet">
/// <item>the first 1 on MOSI is the start bit; the next four bits are SGL/DIFF, D2, D1, D0 (section 5.0, table 5-2);</item>
/// <item>the input is sampled on the next clock (the MISO bit is high-impedance, read here as 0), then MISO sends a null bit (0)
/// and B9..B0, MSB first; further clocks send B1..B9 LSB first, then zeros (section 6.1, figures 6-1 and 5-2);</item>
/// <item>code = min(1023, floor(1024 · V_IN / V_REF)) (equation 4-1), V_IN = CHx (single-ended) or IN+ − IN− (pseudo-differential,
/// table 5-2: 000 CH0−CH1, 001 CH1−CH0, 010 CH2−CH3, …), 0 when negative.</item>
/// </list>
/// With 8-bit segments (figure 6-1) a read is the 3-byte frame <c>01 S·D2D1D0·0000 00</c>, answered <c>?? ?????0 B9B8 | B7..B0</c>,
/// so the value is <c>((b1 &amp; 0x03) &lt;&lt; 8) | b2</c>. Every frame converts anew: there is no stored result to go stale.
/// Inputs CH0..CH7 are inputs 0..7 of the <see cref="IChannelSignal"/>, in volts. Faults come from <see cref="EmulatedSpiDevice.Faults"/>;
/// a bit flip applies to byte <see cref="EmulatedBusFaults.FlipRegister"/> of a frame (byte 1, mask 0x04 is the null bit).
/// The MCP3008 has no chip id. Thread-safe.
/// </summary>
public sealed class Mcp3008Emulator : EmulatedSpiDevice
{
    private readonly object _gate = new();
    private readonly IChannelSignal _signal;
    private readonly TimeProvider _clock;
    private readonly byte[] _lastRequest = new byte[8];
    private int _lastRequestLength;
    private int _lastCode;
    private long _conversions;

    /// <summary>Creates the chip.</summary>
    /// <param name="signal">Volts on CH0..CH7 (inputs 0..7).</param>
    /// <param name="referenceVolts">V_REF, volts (3.3 V on a Raspberry Pi hat).</param>
    /// <param name="clock">Time at which inputs are sampled; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="busId">SPI bus number reported in <see cref="EmulatedSpiDevice.ConnectionSettings"/>.</param>
    /// <param name="chipSelect">Chip select reported in <see cref="EmulatedSpiDevice.ConnectionSettings"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="signal"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="referenceVolts"/> is not positive.</exception>
    public Mcp3008Emulator(IChannelSignal signal, double referenceVolts = 3.3, TimeProvider? clock = null, int busId = 0, int chipSelect = 0)
        : base(
            $"MCP3008 emulator on spi:{busId}.{chipSelect}",
            new SpiConnectionSettings(busId, chipSelect) { Mode = SpiMode.Mode0, ClockFrequency = 1_350_000 },
            new EmulatedBusFaults(clock ?? TimeProvider.System))
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(referenceVolts);
        ReferenceVolts = referenceVolts;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>V_REF, volts.</summary>
    public double ReferenceVolts { get; }

    /// <summary>Conversions performed (frames that carried a start bit and a full channel selection).</summary>
    public long ConversionCount => Interlocked.Read(ref _conversions);

    /// <summary>The code for an input voltage, equation 4-1: min(1023, floor(1024 · V_IN / V_REF)), 0 for V_IN ≤ 0.</summary>
    /// <param name="volts">V_IN, volts.</param>
    /// <param name="referenceVolts">V_REF, volts.</param>
    /// <returns>0..1023.</returns>
    public static int Code(double volts, double referenceVolts) => (int)Math.Clamp(Math.Floor(1024.0 * volts / referenceVolts), 0, 1023);

    /// <summary>Copies the MOSI bytes of the latest frame (at most 8) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives the bytes.</param>
    /// <returns>The frame's length in bytes.</returns>
    public int LastRequest(Span<byte> destination)
    {
        lock (_gate)
        {
            int n = Math.Min(_lastRequestLength, destination.Length);
            _lastRequest.AsSpan(0, n).CopyTo(destination);
            return _lastRequestLength;
        }
    }

    /// <inheritdoc/>
    protected override void Frame(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_gate)
        {
            _lastRequestLength = writeBuffer.Length;
            writeBuffer[..Math.Min(8, writeBuffer.Length)].CopyTo(_lastRequest);
            readBuffer.Clear();
            int bits = writeBuffer.Length * 8;
            int start = -1;
            for (int i = 0; i < bits; i++)
            {
                if (Bit(writeBuffer, i))
                {
                    start = i;
                    break;
                }
            }

            if (start >= 0 && start + 4 < bits)
            {
                bool single = Bit(writeBuffer, start + 1);
                int d = (Bit(writeBuffer, start + 2) ? 4 : 0) | (Bit(writeBuffer, start + 3) ? 2 : 0) | (Bit(writeBuffer, start + 4) ? 1 : 0);
                int code = Convert(single, d);

                // start+5: sample (high-Z); start+6: null bit 0; start+7..start+16: B9..B0; then B1..B9 LSB first.
                for (int k = 0; k < 10; k++)
                {
                    SetBit(readBuffer, start + 7 + k, ((code >> (9 - k)) & 1) != 0);
                }

                for (int k = 1; k < 10; k++)
                {
                    SetBit(readBuffer, start + 16 + k, ((code >> k) & 1) != 0);
                }
            }

            for (int i = 0; i < readBuffer.Length; i++)
            {
                readBuffer[i] = Faults.Read((byte)i, readBuffer[i]);
            }
        }
    }

    private int Convert(bool single, int d)
    {
        if (Faults.IsStuck())
        {
            return _lastCode;
        }

        long unixNs = (_clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        double volts = single
            ? _signal.Value(d, unixNs)
            : _signal.Value((d & 6) | (d & 1), unixNs) - _signal.Value((d & 6) | ((d & 1) ^ 1), unixNs);
        _lastCode = Code(volts, ReferenceVolts);
        Interlocked.Increment(ref _conversions);
        return _lastCode;
    }

    private static bool Bit(ReadOnlySpan<byte> bytes, int index) => (bytes[index >> 3] & (0x80 >> (index & 7))) != 0;

    private static void SetBit(Span<byte> bytes, int index, bool value)
    {
        if (value && index < bytes.Length * 8)
        {
            bytes[index >> 3] |= (byte)(0x80 >> (index & 7));
        }
    }
}
