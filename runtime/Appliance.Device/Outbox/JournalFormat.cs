using System.Buffers.Binary;
using System.IO.Hashing;

namespace Appliance.Device.Outbox;

/// <summary>Byte layout of segment headers and records (journal-internal; layout in <see cref="JournalSegment"/>), the
/// way segment files are opened, and the test for a full disk.</summary>
internal static class JournalFormat
{
    /// <summary>errno ENOSPC (Linux), which .NET on Unix reports as the <see cref="Exception.HResult"/> of an unmapped error.</summary>
    private const int ENoSpace = 28;

    /// <summary>Windows' ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL as HRESULTs (0x80070070, 0x80070027).</summary>
    private const int DiskFull = unchecked((int)0x80070070), HandleDiskFull = unchecked((int)0x80070027);

    /// <summary>True when <paramref name="e"/> says the file system is full (ENOSPC).</summary>
    public static bool IsNoSpace(IOException e) => e.HResult is ENoSpace or DiskFull or HandleDiskFull;

    /// <summary>An <see cref="IOException"/> as .NET raises for ENOSPC (for fault-injection seams).</summary>
    public static IOException NoSpace(string path) => new($"{path}: No space left on device", ENoSpace);

    public static FileStream OpenSegment(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);

    public static byte[] SegmentHeader(long firstSeq, int merged, int level)
    {
        byte[] h = new byte[JournalSegment.HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(h, JournalSegment.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), JournalSegment.Version);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(8), firstSeq);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), merged);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), level);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(28), Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, h.AsSpan(0, 28)));
        return h;
    }

    /// <summary>True when <paramref name="file"/> starts with an intact header for <paramref name="first"/>.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> file, long first, out int merged, out int level)
    {
        merged = level = 0;
        if (file.Length < JournalSegment.HeaderBytes
            || BinaryPrimitives.ReadUInt32LittleEndian(file) != JournalSegment.Magic
            || BinaryPrimitives.ReadInt64LittleEndian(file[8..]) != first
            || Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, file[..28]) != BinaryPrimitives.ReadUInt32LittleEndian(file[28..]))
        {
            return false;
        }

        merged = BinaryPrimitives.ReadInt32LittleEndian(file[16..]);
        level = BinaryPrimitives.ReadInt32LittleEndian(file[20..]);
        return true;
    }

    /// <summary>Writes one record (header + payload) into <paramref name="into"/>, which must be 16 + payload bytes long.</summary>
    public static void EncodeRecord(long seq, ReadOnlySpan<byte> payload, Span<byte> into)
    {
        BinaryPrimitives.WriteInt32LittleEndian(into, payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(into[8..], seq);
        payload.CopyTo(into[16..]);
        BinaryPrimitives.WriteUInt32LittleEndian(into[4..], Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, into[8..]));
    }

    /// <summary>Tries to parse a record at <paramref name="pos"/>; false when its length, CRC or sequence is wrong.</summary>
    public static bool TryRecordAt(ReadOnlySpan<byte> file, int pos, long previousSeq, int maxRecordBytes, out long seq, out int length)
    {
        seq = 0;
        length = 0;
        if (pos + JournalSegment.RecordHeaderBytes > file.Length)
        {
            return false;
        }

        int n = BinaryPrimitives.ReadInt32LittleEndian(file[pos..]);
        if (n <= 0 || n > maxRecordBytes || pos + JournalSegment.RecordHeaderBytes + n > file.Length)
        {
            return false;
        }

        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(file[(pos + 4)..]);
        if (Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, file.Slice(pos + 8, 8 + n)) != crc)
        {
            return false;
        }

        long s = BinaryPrimitives.ReadInt64LittleEndian(file[(pos + 8)..]);
        if (s <= previousSeq)
        {
            return false;
        }

        seq = s;
        length = n;
        return true;
    }
}
