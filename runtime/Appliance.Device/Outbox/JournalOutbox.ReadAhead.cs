using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Device.Outbox;

/// <summary>Reading records back: one positioned read fills a buffer that serves the records after it too.</summary>
/// <remarks>
/// The sender reads the journal in order, a few records per call (<see cref="ReadFrom"/>), and merging and compaction read
/// whole segments: reading each payload on its own cost one pread per record (7.8 % of a 16-device `bench fleet`'s CPU in
/// `perf`). The buffer holds the bytes of one segment from one record's header on, up to <see cref="ReadAheadBytes"/> and
/// never past the segment's length at the time it was filled: bytes the journal has written whole (appends hold the same
/// lock), which never change while the file stays open. A rewrite (merging, compaction) closes the file first, and a closed
/// file's bytes are stale (<see cref="JournalSegment.FileVersion"/>), so the buffer is refilled. Each record served from it
/// must carry, in its header, the length and sequence the index holds; otherwise (never expected) it is read on its own, as
/// before. A record larger than the buffer is read on its own. Allocated on first use, so a journal never read costs nothing.
/// </remarks>
public sealed partial class JournalOutbox
{
    /// <summary>Bytes of the read-ahead buffer: about a hundred 150-byte summaries per read.</summary>
    private const int ReadAheadBytes = 16 * 1024;

    private byte[]? _readAhead;
    private JournalSegment? _readAheadSegment;
    private int _readAheadVersion;
    private long _readAheadStart; // file offset of _readAhead[0]
    private int _readAheadCount;
    private long _readAheadFills;

    /// <summary>Positioned reads that filled the read-ahead buffer since the journal opened (tests).</summary>
    internal long ReadAheadFills
    {
        get
        {
            lock (_gate)
            {
                return _readAheadFills;
            }
        }
    }

    /// <summary>A copy of one record's payload (called under the journal lock).</summary>
    /// <param name="seg">The segment holding it.</param>
    /// <param name="seq">Its sequence, as indexed.</param>
    /// <param name="offset">Offset of its payload in the file, as indexed.</param>
    /// <param name="length">Its payload's length, as indexed.</param>
    /// <exception cref="IOException">The file cannot be read.</exception>
    private byte[] ReadPayload(JournalSegment seg, long seq, long offset, int length)
    {
        byte[] payload = new byte[length];
        long start = offset - JournalSegment.RecordHeaderBytes;
        int size = JournalSegment.RecordHeaderBytes + length;
        if (size <= ReadAheadBytes)
        {
            if (!ReadAheadHolds(seg, start, size))
            {
                FillReadAhead(seg, start);
            }

            if (ReadAheadHolds(seg, start, size))
            {
                ReadOnlySpan<byte> record = _readAhead.AsSpan((int)(start - _readAheadStart), size);
                if (BinaryPrimitives.ReadInt32LittleEndian(record) == length && BinaryPrimitives.ReadInt64LittleEndian(record[8..]) == seq)
                {
                    record[JournalSegment.RecordHeaderBytes..].CopyTo(payload);
                    return payload;
                }

                _readAheadSegment = null;
            }
        }

        RandomAccess.Read(ReadHandle(seg), payload, offset);
        return payload;
    }

    private bool ReadAheadHolds(JournalSegment seg, long start, int size) =>
        _readAheadSegment == seg && _readAheadVersion == seg.FileVersion
        && start >= _readAheadStart && start + size <= _readAheadStart + _readAheadCount;

    /// <summary>Fills the buffer with the segment's bytes from <paramref name="start"/> (up to its length).</summary>
    private void FillReadAhead(JournalSegment seg, long start)
    {
        _readAhead ??= new byte[ReadAheadBytes];
        _readAheadSegment = null;
        SafeFileHandle handle = ReadHandle(seg); // may open the file: take the version after
        int want = (int)Math.Clamp(seg.Length - start, 0, ReadAheadBytes);
        int count = 0;
        while (count < want)
        {
            int n = RandomAccess.Read(handle, _readAhead.AsSpan(count, want - count), start + count);
            if (n <= 0)
            {
                break;
            }

            count += n;
        }

        _readAheadFills++;
        (_readAheadSegment, _readAheadVersion, _readAheadStart, _readAheadCount) = (seg, seg.FileVersion, start, count);
    }
}
