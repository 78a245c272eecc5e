using System.Data.Common;
using System.Security.Cryptography;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The clip tables of the collector store, for both dialects, and the clip files beside it (docs/video.md, "Cloud clips").
/// <c>clip_chunks</c> holds one row per stored <see cref="ClipChunk"/> message, keyed like the other device tables by
/// (device_id, incarnation, seq) and unique by (device_id, camera, event_id, chunk_index), so a chunk resent under a new
/// sequence or incarnation is a duplicate too. <c>events</c> holds one row per camera event.
/// </summary>
/// <remarks>
/// Write order, inside the store's one transaction: the event row (if absent), the chunk row (if absent; else a duplicate
/// and nothing else happens), the chunk's bytes at its offset in <c>NAME.part</c> (fsync). When the clip's last missing chunk
/// is stored, the part file's SHA-256 is compared with the device's: equal, it is renamed to <c>NAME.CONTAINER</c> and the
/// event marked complete; different, it is deleted, the event marked <c>checksum_failed</c> and
/// <c>clips_checksum_failed</c> counted. The file work happens before the commit, so a crash before it leaves rows
/// uncommitted (the device resends; rewriting the same bytes at the same offsets is idempotent) and never a complete
/// event without its file.
/// </remarks>
internal static class ClipSql
{
    /// <summary>The counter of clips whose assembled bytes did not match the device's SHA-256.</summary>
    public const string ChecksumFailedCounter = "clips_checksum_failed";

    private const string Columns =
        "e.id, e.device_id, e.camera, e.event_id, e.start_ns, e.end_ns, e.container, e.bytes, e.sha256, e.chunk_count, " +
        "(SELECT count(*) FROM clip_chunks c WHERE c.device_id = e.device_id AND c.camera = e.camera AND c.event_id = e.event_id), " +
        "e.complete, e.path, e.checksum_failed";

    /// <summary>CREATE statements of the clip tables.</summary>
    public static string Schema(SqlDialect d) => $"""
        CREATE TABLE IF NOT EXISTS events (id {d.Identity}, device_id TEXT NOT NULL, camera TEXT NOT NULL, event_id {d.Integer} NOT NULL,
            start_ns {d.Integer} NOT NULL, end_ns {d.Integer} NOT NULL, container TEXT NOT NULL, bytes {d.Integer} NOT NULL, sha256 TEXT NOT NULL,
            chunk_count {d.Integer} NOT NULL, complete {d.Integer} NOT NULL, path TEXT, checksum_failed {d.Integer} NOT NULL,
            received_ns {d.Integer} NOT NULL, UNIQUE (device_id, camera, event_id));
        CREATE TABLE IF NOT EXISTS clip_chunks (device_id TEXT NOT NULL, seq {d.Integer} NOT NULL, incarnation {d.Integer} NOT NULL,
            camera TEXT NOT NULL, event_id {d.Integer} NOT NULL, chunk_index {d.Integer} NOT NULL, received_ns {d.Integer} NOT NULL,
            PRIMARY KEY (device_id, incarnation, seq), UNIQUE (device_id, camera, event_id, chunk_index));
        {d.InsertIgnorePrefix} counters (name, value) VALUES ('{ChecksumFailedCounter}', 0){d.InsertIgnoreSuffix};

        """;

    /// <summary>Stores one chunk (order in the remarks); returns false for a duplicate.</summary>
    /// <exception cref="ArgumentException">The chunk disagrees with the event's first chunk (size, digest, count or container).</exception>
    /// <exception cref="IOException">The clip file cannot be written.</exception>
    public static bool Write(DbConnection c, DbTransaction tx, SqlDialect d, string clipsDirectory, in Envelope e, ClipChunk chunk, long receivedNs)
    {
        string sha = Convert.ToHexStringLower(chunk.Sha256.Span);
        ControlSql.Execute(c, tx, d, $"{d.InsertIgnorePrefix} events (device_id, camera, event_id, start_ns, end_ns, container, bytes, sha256, chunk_count, complete, path, checksum_failed, received_ns) VALUES ({{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}, {{7}}, {{8}}, {{9}}, 0, NULL, 0, {{10}}){d.InsertIgnoreSuffix}",
            e.DeviceId, chunk.Camera, chunk.EventId, chunk.StartNs, chunk.EndNs, chunk.Container, chunk.TotalBytes, sha, (long)chunk.ChunkCount, receivedNs);
        StoredClip clip = Find(c, tx, d, e.DeviceId, chunk.Camera, chunk.EventId)!;
        if (clip.Bytes != chunk.TotalBytes || clip.Sha256 != sha || clip.ChunkCount != chunk.ChunkCount || clip.Container != chunk.Container)
        {
            throw new ArgumentException(
                $"clip chunk {chunk.ChunkIndex} of '{e.DeviceId}' camera '{chunk.Camera}' event {chunk.EventId} says {chunk.TotalBytes} bytes in {chunk.ChunkCount} chunks, sha256 {sha}; its event says {clip.Bytes} in {clip.ChunkCount}, {clip.Sha256}");
        }

        int inserted = ControlSql.Execute(c, tx, d, $"{d.InsertIgnorePrefix} clip_chunks (device_id, seq, incarnation, camera, event_id, chunk_index, received_ns) VALUES ({{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}, {{7}}){d.InsertIgnoreSuffix}",
            e.DeviceId, e.Sequence, e.Incarnation, chunk.Camera, chunk.EventId, (long)chunk.ChunkIndex, receivedNs);
        if (inserted == 0 || chunk.ChunkCount == 0)
        {
            return inserted != 0;
        }

        Directory.CreateDirectory(clipsDirectory);
        string part = System.IO.Path.Combine(clipsDirectory, FileName(e.DeviceId, chunk.Camera, chunk.EventId, "part"));
        using (var file = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            file.Position = chunk.ChunkOffset;
            file.Write(chunk.Data.Span);
            file.Flush(flushToDisk: true);
        }

        if (clip.ChunksStored + 1 == clip.ChunkCount)
        {
            Complete(c, tx, d, clip, part, Convert.FromHexString(sha), System.IO.Path.Combine(clipsDirectory, FileName(e.DeviceId, chunk.Camera, chunk.EventId, chunk.Container)));
        }

        return true;
    }

    /// <summary>Every event, newest first; only <paramref name="deviceId"/>'s when it is not null.</summary>
    public static List<StoredClip> List(DbConnection c, SqlDialect d, string? deviceId) => deviceId is null
        ? ControlSql.Query(c, d, $"SELECT {Columns} FROM events e ORDER BY e.start_ns DESC, e.id DESC", Read)
        : ControlSql.Query(c, d, $"SELECT {Columns} FROM events e WHERE e.device_id = {{1}} ORDER BY e.start_ns DESC, e.id DESC", Read, deviceId);

    /// <summary>One event by its row id; null when there is none.</summary>
    public static StoredClip? GetClip(DbConnection c, SqlDialect d, long id) =>
        ControlSql.Query(c, d, $"SELECT {Columns} FROM events e WHERE e.id = {{1}}", Read, id) is [StoredClip clip] ? clip : null;

    /// <summary>The clip file's name: <c>DEVICE_CAMERA_EVENTID.EXTENSION</c> (device ids and camera names hold no '/';
    /// camera names do not start with '.', so the name never leaves the clips directory).</summary>
    public static string FileName(string deviceId, string camera, long eventId, string extension) =>
        $"{deviceId}_{camera}_{eventId.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{extension}";

    private static StoredClip? Find(DbConnection c, DbTransaction tx, SqlDialect d, string deviceId, string camera, long eventId) =>
        ControlSql.Query(c, tx, d, $"SELECT {Columns} FROM events e WHERE e.device_id = {{1}} AND e.camera = {{2}} AND e.event_id = {{3}}", Read, deviceId, camera, eventId)
            is [StoredClip clip] ? clip : null;

    private static void Complete(DbConnection c, DbTransaction tx, SqlDialect d, StoredClip clip, string part, byte[] expected, string final)
    {
        byte[] actual;
        using (var file = new FileStream(part, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            file.SetLength(clip.Bytes); // a part file left longer by an earlier, uncommitted attempt is cut to the clip's size
            file.Position = 0;
            actual = SHA256.HashData(file);
        }

        if (!actual.AsSpan().SequenceEqual(expected))
        {
            File.Delete(part);
            ControlSql.Execute(c, tx, d, "UPDATE events SET checksum_failed = 1 WHERE id = {1}", clip.Id);
            ControlSql.Execute(c, tx, d, "UPDATE counters SET value = value + 1 WHERE name = {1}", ChecksumFailedCounter);
            return;
        }

        File.Move(part, final, overwrite: true);
        ControlSql.Execute(c, tx, d, "UPDATE events SET complete = 1, path = {2} WHERE id = {1}", clip.Id, final);
    }

    private static StoredClip Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetString(6), r.GetInt64(7), r.GetString(8),
        (int)r.GetInt64(9), (int)r.GetInt64(10), r.GetInt64(11) != 0, r.IsDBNull(12) ? null : r.GetString(12), r.GetInt64(13) != 0);
}
