using System.Buffers.Binary;

namespace Appliance.Device.GitOps;

/// <summary>
/// Reads the SSH wire encoding (RFC 4251 §5): <c>uint32</c> big-endian, <c>string</c> (uint32 length, bytes) and
/// <c>mpint</c> (a string holding a two's-complement big-endian integer). A truncated input is a <see cref="FormatException"/>.
/// </summary>
internal ref struct SshWireReader
{
    private ReadOnlySpan<byte> _rest;
    private readonly string _what;

    public SshWireReader(ReadOnlySpan<byte> data, string what)
    {
        _rest = data;
        _what = what;
    }

    public readonly bool AtEnd => _rest.IsEmpty;

    public ReadOnlySpan<byte> Raw(int length)
    {
        if (length < 0 || length > _rest.Length)
        {
            throw new FormatException($"{_what}: truncated (needed {length} bytes, {_rest.Length} left)");
        }

        var s = _rest[..length];
        _rest = _rest[length..];
        return s;
    }

    public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Raw(4));

    public ReadOnlySpan<byte> String()
    {
        var n = UInt32();
        return n > int.MaxValue ? throw new FormatException($"{_what}: string length {n} is too large") : Raw((int)n);
    }

    public string Text() => System.Text.Encoding.UTF8.GetString(String());

    /// <summary>An mpint as an unsigned big-endian magnitude without leading zero bytes (negative values are refused).</summary>
    public ReadOnlySpan<byte> UnsignedMpint()
    {
        var s = String();
        if (!s.IsEmpty && (s[0] & 0x80) != 0)
        {
            throw new FormatException($"{_what}: negative mpint where a positive integer was expected");
        }

        while (!s.IsEmpty && s[0] == 0)
        {
            s = s[1..];
        }

        return s;
    }
}
