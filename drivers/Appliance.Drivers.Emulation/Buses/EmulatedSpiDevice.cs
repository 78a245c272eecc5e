using System.Device.Spi;

namespace Appliance.Drivers.Emulation;

/// <summary>
/// What every emulated SPI chip shares: one <see cref="TransferFullDuplex"/> is one chip-select-low frame (MOSI and MISO
/// of equal length, as the Linux spidev full-duplex transfer), the half-duplex calls are frames with zeros on MOSI or MISO
/// ignored, and every frame first passes the injected faults (<see cref="EmulatedBusFaults.BeginTransfer"/>). A chip
/// implements <see cref="Frame"/>.
/// </summary>
public abstract class EmulatedSpiDevice : SpiDevice
{
    private readonly SpiConnectionSettings _settings;

    /// <summary>Sets the chip's description, bus settings and faults.</summary>
    /// <param name="name">Names the chip and its bus in errors (for example <c>MCP3008 emulator on spi:0.0</c>).</param>
    /// <param name="settings">The bus settings reported in <see cref="ConnectionSettings"/>.</param>
    /// <param name="faults">The faults injected into every frame.</param>
    protected EmulatedSpiDevice(string name, SpiConnectionSettings settings, EmulatedBusFaults faults)
    {
        DeviceName = name;
        _settings = settings;
        Faults = faults;
    }

    /// <summary>The faults this chip injects into its frames.</summary>
    public EmulatedBusFaults Faults { get; }

    /// <inheritdoc/>
    public override SpiConnectionSettings ConnectionSettings => _settings;

    /// <summary>The chip and its bus, as named in errors.</summary>
    protected string DeviceName { get; }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout (on SPI: the controller reports a failed transfer).</exception>
    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        Read(one);
        return one[0];
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected NACK or timeout (on SPI: the controller reports a failed transfer).</exception>
    public override void Read(Span<byte> buffer)
    {
        Span<byte> zeros = buffer.Length <= 64 ? stackalloc byte[buffer.Length] : new byte[buffer.Length];
        zeros.Clear();
        TransferFullDuplex(zeros, buffer);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected fault.</exception>
    public override void WriteByte(byte value)
    {
        Span<byte> one = [value];
        Write(one);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">An injected fault.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Span<byte> sink = buffer.Length <= 64 ? stackalloc byte[buffer.Length] : new byte[buffer.Length];
        TransferFullDuplex(buffer, sink);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The buffers differ in length.</exception>
    /// <exception cref="IOException">An injected fault.</exception>
    public sealed override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        if (writeBuffer.Length != readBuffer.Length)
        {
            throw new ArgumentException($"{DeviceName}: write ({writeBuffer.Length} bytes) and read ({readBuffer.Length} bytes) buffers must have the same length in a full-duplex frame.");
        }

        Faults.BeginTransfer(DeviceName);
        Frame(writeBuffer, readBuffer);
    }

    /// <summary>One frame, after the faults let it through: the chip answers <paramref name="mosi"/> on <paramref name="miso"/>.</summary>
    /// <param name="mosi">The bytes the controller clocks out.</param>
    /// <param name="miso">Receives the chip's answer; the same length as <paramref name="mosi"/>.</param>
    protected abstract void Frame(ReadOnlySpan<byte> mosi, Span<byte> miso);
}
