using System.Buffers.Binary;
using System.IO.Hashing;

namespace Appliance.Device.Outbox;

/// <summary>The journal's checkpoint file (journal-internal), replaced atomically (write temp, fsync, rename).</summary>
/// <remarks>
/// Layout, 60 bytes little-endian: "ACKP" | u32 version=2 | u64 acked | u64 sent_mark | u64 merged_deleted |
/// u64 dropped | u64 deleted_through | u64 incarnation | u32 crc32c(bytes 0..55). Version 1 (56 bytes: 4 bytes zero where the
/// incarnation is, CRC over bytes 0..51) is still read, as incarnation 0: a journal written before incarnations.
/// <c>incarnation</c> is the journal's incarnation when the checkpoint was written (<see cref="IOutbox.Incarnation"/>). <c>sent_mark</c> is at least the highest sequence ever
/// handed to the sender (records at or below it are never merged after a restart, since the collector may hold them);
/// <c>merged_deleted</c> counts merges in segments since deleted; <c>deleted_through</c> is the first sequence of the
/// newest segment deleted (a segment file still present at or below it is a deletion interrupted by a crash).
/// </remarks>
internal readonly record struct JournalCheckpoint(long Acked, long SentMark, long MergedDeleted, long Dropped, long DeletedThrough, long Incarnation)
{
    public const int Bytes = 60;
    private const int BytesV1 = 56;
    public const string FileName = "checkpoint";
    private const uint Magic = 0x504B4341; // "ACKP"

    public static JournalCheckpoint? Read(string path, out string? error)
    {
        error = null;
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] b = File.ReadAllBytes(path);
        uint version = b.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(b) == Magic ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)) : 0;
        int size = version switch { 1 => BytesV1, 2 => Bytes, _ => -1 };
        if (b.Length != size)
        {
            error = $"{b.Length} bytes, expected a {Bytes}-byte version-2 or {BytesV1}-byte version-1 checkpoint";
            return null;
        }

        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, b.AsSpan(0, size - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(size - 4)))
        {
            error = "CRC-32C mismatch";
            return null;
        }

        Span<byte> s = b;
        return new JournalCheckpoint(
            BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
            version == 1 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(s[48..]));
    }

    public void Write(string path)
    {
        Span<byte> b = stackalloc byte[Bytes];
        BinaryPrimitives.WriteUInt32LittleEndian(b, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], 2);
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], Acked);
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], SentMark);
        BinaryPrimitives.WriteInt64LittleEndian(b[24..], MergedDeleted);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], Dropped);
        BinaryPrimitives.WriteInt64LittleEndian(b[40..], DeletedThrough);
        BinaryPrimitives.WriteInt64LittleEndian(b[48..], Incarnation);
        BinaryPrimitives.WriteUInt32LittleEndian(b[56..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, b[..(Bytes - 4)]));
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            f.Write(b);
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
