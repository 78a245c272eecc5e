namespace Appliance.Drivers.Tests.Chips.Lux1;

// The lux1 emulator: register 0x00 holds a fixed code; every transfer first passes the injected faults.
internal sealed class Lux1Emulator(byte address, ushort code, TimeProvider clock) : I2cDevice
{
    public EmulatedBusFaults Faults { get; } = new(clock);

    public override I2cConnectionSettings ConnectionSettings { get; } = new(0, address);

    public override byte ReadByte() => throw new NotSupportedException();

    public override void Read(Span<byte> buffer) => throw new NotSupportedException();

    public override void WriteByte(byte value) => throw new NotSupportedException();

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Faults.BeginTransfer("lux1");
        readBuffer[0] = (byte)(code >> 8);
        readBuffer[1] = (byte)code;
    }
}
