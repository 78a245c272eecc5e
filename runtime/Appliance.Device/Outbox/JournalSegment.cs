using Microsoft.Win32.SafeHandles;

namespace Appliance.Device.Outbox;

/// <summary>One segment file of a <see cref="JournalOutbox"/> and the in-memory index of its records (journal-internal).</summary>
/// <remarks>
/// File layout (little-endian), source of the framing: the log format of LevelDB/RocksDB (length, CRC, payload) with
/// CRC-32C (Castagnoli, RFC 3720 §12.1):
/// <code>
/// header, 32 bytes:  "AJNL" | u32 version=1 | u64 first_seq | u32 merged | u32 level | u32 reserved | u32 crc32c(bytes 0..27)
/// record, 16+n:      u32 n | u32 crc32c(seq LE ‖ payload) | u64 seq | payload (n bytes: one wire envelope)
/// </code>
/// Sequences increase along a file; a missing sequence was merged away (counted in the header's <c>merged</c>) or
/// never written. The file is named <c>seg-{first_seq:D20}.log</c>.
/// </remarks>
internal sealed class JournalSegment : IDisposable
{
    public const int HeaderBytes = 32;
    public const int RecordHeaderBytes = 16;
    public const uint Magic = 0x4C4E4A41; // "AJNL" little-endian
    public const uint Version = 1;

    private SafeFileHandle? _handle;

    public JournalSegment(string path, long firstSeq, FileStream? stream)
    {
        Path = path;
        FirstSeq = firstSeq;
        Stream = stream;
        _handle = stream?.SafeFileHandle;
    }

    public string Path { get; }

    public long FirstSeq { get; }

    /// <summary>The open file, or null: only the active segment and the one being read hold a descriptor.</summary>
    public FileStream? Stream { get; private set; }

    /// <summary>The open file's handle, taken once when the file is opened: <see cref="FileStream.SafeFileHandle"/> seeks
    /// the descriptor to the stream's position on every call (an lseek per append); records are written and read at
    /// offsets the journal tracks itself (<see cref="RandomAccess"/>), so the descriptor's position never matters.</summary>
    public SafeFileHandle Handle => _handle ?? throw new InvalidOperationException($"{Path}: segment file not open");

    /// <summary>Counts the times the file was closed: bytes read from it before (the journal's read-ahead) are stale once
    /// this changes, as the file may since have been replaced by a rewrite.</summary>
    public int FileVersion { get; private set; }

    /// <summary>True once no more records are appended here (every segment but the newest, and a rewritten newest one).</summary>
    public bool Closed { get; set; }

    /// <summary>Bytes in the file (header + intact records).</summary>
    public long Length { get; set; }

    /// <summary>Records absorbed into merged summaries in this file over its life.</summary>
    public int Merged { get; set; }

    /// <summary>Times the file was rewritten by merging.</summary>
    public int Level { get; set; }

    /// <summary>True once merging found nothing left to merge here.</summary>
    public bool Incompressible { get; set; }

    /// <summary>True when appended bytes are not yet fsynced.</summary>
    public bool Dirty { get; set; }

    /// <summary>(sequence, payload offset, payload length) of each record, ascending.</summary>
    public List<(long Seq, long Offset, int Length)> Records { get; } = [];

    public static string FileName(long firstSeq) => $"seg-{firstSeq:D20}.log";

    /// <summary>Opens the file unless it is open.</summary>
    public void EnsureOpen()
    {
        if (Stream is null)
        {
            Stream = JournalFormat.OpenSegment(Path, FileMode.Open);
            _handle = Stream.SafeFileHandle;
        }
    }

    /// <summary>Closes the file (after a rewrite was renamed over it, or to give back its descriptor); it reopens on demand.</summary>
    public void CloseFile()
    {
        Stream?.Dispose();
        Stream = null;
        _handle = null;
        FileVersion++;
    }

    /// <summary>Index of the first record with sequence ≥ <paramref name="seq"/>; Records.Count when none.</summary>
    public int FindFirstAtOrAfter(long seq)
    {
        int lo = 0, hi = Records.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Records[mid].Seq < seq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public void Dispose() => CloseFile();
}
