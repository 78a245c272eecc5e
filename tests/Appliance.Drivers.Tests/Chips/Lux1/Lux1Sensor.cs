namespace Appliance.Drivers.Tests.Chips.Lux1;

// The lux1 driver: one write of the register pointer 0x00, one read of two bytes, big-endian, lux = code / 2.
internal sealed class Lux1Sensor(string name, I2cDevice device, TimeProvider clock) : IBusSensor
{
    public const string Channel = "illuminance_lx";

    private readonly byte[] _pointer = [0x00];
    private readonly byte[] _data = new byte[2];

    public string Name => name;

    public IReadOnlyList<string> Channels { get; } = [Channel];

    public string Chip => "lux1";

    public long FaultCount { get; private set; }

    public string? LastFault { get; private set; }

    public void Open()
    {
    }

    public SampleStatus Read(Span<float> values, out long timestampNs)
    {
        timestampNs = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        try
        {
            device.WriteRead(_pointer, _data);
        }
        catch (IOException e)
        {
            FaultCount++;
            LastFault = e.Message;
            return SampleStatus.Fault;
        }

        values[0] = ((_data[0] << 8) | _data[1]) / 2f;
        return SampleStatus.Ok;
    }

    public void Dispose() => device.Dispose();
}
