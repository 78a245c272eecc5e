namespace Appliance.Cloud.Storage;

/// <summary>One row of the collector's <c>events</c> table: a camera event and its clip (docs/video.md, "Cloud clips").</summary>
/// <param name="Id">The row's id (<c>GET /api/clips/{id}</c>).</param>
/// <param name="DeviceId">Device that sent it.</param>
/// <param name="Camera">Camera name as configured on the device.</param>
/// <param name="EventId">The event's id on the device (its start, UTC Unix ns).</param>
/// <param name="StartNs">Clip start, UTC Unix ns.</param>
/// <param name="EndNs">Clip end, UTC Unix ns, exclusive.</param>
/// <param name="Container">The clip's container and file extension: <c>ts</c> or <c>mjpeg</c>.</param>
/// <param name="Bytes">Size of the clip in bytes, as the device measured it.</param>
/// <param name="Sha256">The device's SHA-256 of the clip, lower-case hex.</param>
/// <param name="ChunkCount">Chunks of the clip; 0 when the device dropped it (budget) and sent only the event.</param>
/// <param name="ChunksStored">Chunks stored so far.</param>
/// <param name="Complete">True once every chunk is stored and the file's SHA-256 equals <paramref name="Sha256"/>.</param>
/// <param name="Path">The clip file, when complete; null otherwise.</param>
/// <param name="ChecksumFailed">True when the assembled clip's SHA-256 differed from the device's (the file was not kept).</param>
public sealed record StoredClip(
    long Id, string DeviceId, string Camera, long EventId, long StartNs, long EndNs, string Container, long Bytes, string Sha256,
    int ChunkCount, int ChunksStored, bool Complete, string? Path, bool ChecksumFailed)
{
    /// <summary><c>complete</c>, <c>checksum_failed</c>, <c>dropped</c> (an event record without video: the device's budget)
    /// or <c>partial</c> (chunks still to come).</summary>
    public string State => Complete ? "complete" : ChecksumFailed ? "checksum_failed" : ChunkCount == 0 ? "dropped" : "partial";
}
