namespace Appliance.Contracts.Wire;

/// <summary>
/// One chunk of a camera event's video clip (<see cref="MessageType.ClipChunk"/>), or, with <see cref="ChunkCount"/> 0,
/// the record of an event whose clip was not sent (over the camera's hourly byte budget): the cloud lists it all the same.
/// </summary>
/// <remarks>
/// Body layout (MessagePack array, positional; a reader skips items past the eleventh):
/// <code>
/// [0]  camera        str    camera name as configured ([[camera]] name)
/// [1]  event_id      int    the event's id on the device: its start, UTC Unix ns (unique per camera)
/// [2]  start_ns      int    first frame of the clip (pre-roll included), UTC Unix ns
/// [3]  end_ns        int    end of the clip (post-roll included), UTC Unix ns, exclusive
/// [4]  container     str    "ts" (H.264 in MPEG-TS) or "mjpeg" (concatenated JPEG frames): the clip file's extension
/// [5]  chunk_index   int    0-based position of this chunk
/// [6]  chunk_count   int    chunks of the clip; 0: an event record without video (its clip was dropped)
/// [7]  chunk_offset  int    byte offset of this chunk in the clip
/// [8]  total_bytes   int    size of the whole clip in bytes
/// [9]  sha256        bin8   SHA-256 of the whole clip (FIPS 180-4), 32 bytes
/// [10] data          bin    this chunk's bytes (empty when chunk_count is 0)
/// </code>
/// The collector writes each chunk at its offset and, once every chunk of the clip is stored, checks the clip's SHA-256
/// (docs/video.md, "Event segments").
/// </remarks>
public sealed class ClipChunk
{
    /// <summary>Camera name as configured.</summary>
    public string Camera { get; init; } = "";

    /// <summary>The event's id on the device: its start time, UTC Unix ns.</summary>
    public long EventId { get; init; }

    /// <summary>Start of the clip (pre-roll included), UTC Unix ns.</summary>
    public long StartNs { get; init; }

    /// <summary>End of the clip (post-roll included), UTC Unix ns, exclusive.</summary>
    public long EndNs { get; init; }

    /// <summary>The clip's container, also its file extension: <c>ts</c> or <c>mjpeg</c>.</summary>
    public string Container { get; init; } = "ts";

    /// <summary>0-based index of this chunk.</summary>
    public int ChunkIndex { get; init; }

    /// <summary>Number of chunks of the clip; 0 for an event record without video.</summary>
    public int ChunkCount { get; init; }

    /// <summary>Byte offset of this chunk in the clip.</summary>
    public long ChunkOffset { get; init; }

    /// <summary>Size of the whole clip, bytes.</summary>
    public long TotalBytes { get; init; }

    /// <summary>SHA-256 of the whole clip, 32 bytes.</summary>
    public ReadOnlyMemory<byte> Sha256 { get; init; }

    /// <summary>This chunk's bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }
}
