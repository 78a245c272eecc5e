namespace Appliance.Runtime.Tests.Cloud;

// Issue 22, item 4 (cloud side): chunks stored idempotently by (device, incarnation, seq) and by chunk index, the clip
// assembled once into <db>.clips/, its SHA-256 checked (FIPS 180-4 through System.Security.Cryptography), an events row.
public sealed class ClipStoreTests
{
    private const long T0 = 1_767_225_600_000_000_000;

    internal static byte[] Clip(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed)).ToArray();

    internal static Envelope Message(string device, long seq, ClipChunk c, long incarnation = 7) => Envelope.Create(device, seq, c, incarnation);

    [Fact]
    public void Store_ChunksOutOfOrderAndTwice_OneCompleteFileWithTheDevicesDigest()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        byte[] clip = Clip(2500, 3);
        var chunks = Enumerable.Range(0, 3).Select(i => Uplink.ClipChunkWireTests.Chunk(i, 3, clip, 1000)).ToArray();

        StoreBatchResult first = store.Store([Message("cam", 3, chunks[2]), Message("cam", 1, chunks[0])], 0, T0);
        Assert.Equal("partial", Assert.Single(store.GetClips(null)).State);
        StoreBatchResult second = store.Store([Message("cam", 1, chunks[0]), Message("cam", 2, chunks[1]), Message("cam", 2, chunks[1])], 0, T0);
        // after a device restart that made a new incarnation: the same chunk under another identity is a duplicate too
        StoreBatchResult third = store.Store([Message("cam", 1, chunks[0], incarnation: 8)], 0, T0);

        Assert.Equal((2, 0), (first.Stored, first.Duplicates));
        Assert.Equal((1, 2), (second.Stored, second.Duplicates));
        Assert.Equal((0, 1), (third.Stored, third.Duplicates));
        StoredClip row = Assert.Single(store.GetClips("cam"));
        Assert.Equal(("complete", 3, 3, 2500L), (row.State, row.ChunkCount, row.ChunksStored, row.Bytes));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(clip)), row.Sha256);
        Assert.Equal(clip, File.ReadAllBytes(row.Path!));
        Assert.Equal(db.Path + ".clips", Path.GetDirectoryName(row.Path));
        Assert.Equal(["cam_door_" + T0 + ".ts"], Directory.GetFiles(db.Path + ".clips").Select(Path.GetFileName));
        Assert.Equal(row, store.GetClip(row.Id));
        Assert.Empty(store.GetClips("other"));
    }

    [Fact]
    public void Store_ClipWhoseBytesDoNotMatchItsDigest_CountedAndNoFileKept()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        byte[] clip = Clip(1500, 1);
        ClipChunk a = Uplink.ClipChunkWireTests.Chunk(0, 2, clip, 1000);
        ClipChunk b = Uplink.ClipChunkWireTests.Chunk(1, 2, clip, 1000);
        byte[] corrupt = clip[1000..];
        corrupt[17] ^= 0x40;

        store.Store([Message("cam", 1, a), Message("cam", 2, new ClipChunk
        {
            Camera = b.Camera, EventId = b.EventId, StartNs = b.StartNs, EndNs = b.EndNs, Container = b.Container, ChunkIndex = 1, ChunkCount = 2,
            ChunkOffset = 1000, TotalBytes = 1500, Sha256 = b.Sha256, Data = corrupt,
        })], 0, T0);

        StoredClip row = Assert.Single(store.GetClips(null));
        Assert.Equal(("checksum_failed", false, null), (row.State, row.Complete, row.Path));
        Assert.Empty(Directory.GetFiles(db.Path + ".clips"));
        using var c = new SqliteConnection($"Data Source={db.Path}");
        c.Open();
        using var q = new SqliteCommand("SELECT value FROM counters WHERE name = 'clips_checksum_failed'", c);
        Assert.Equal(1L, (long)q.ExecuteScalar()!);
    }

    [Fact]
    public void Store_DroppedClipsEventRecord_ListedAsDroppedWithoutFile()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        var record = new ClipChunk { Camera = "yard", EventId = T0, StartNs = T0 - 1, EndNs = T0 + 9, Container = "ts", TotalBytes = 123456, Sha256 = new byte[32] };
        store.Store([Message("cam", 1, record)], 0, T0);
        store.Store([Message("cam", 1, record)], 0, T0);
        StoredClip row = Assert.Single(store.GetClips(null));
        Assert.Equal(("dropped", 123456L, null), (row.State, row.Bytes, row.Path));
        Assert.False(Directory.Exists(db.Path + ".clips"));
    }

    [Fact]
    public void Store_ChunkDisagreeingWithItsEvent_QuarantinedAlone()
    {
        using var db = new TempDatabase();
        using var store = new SqliteStore(db.Path);
        byte[] clip = Clip(1500, 2);
        ClipChunk a = Uplink.ClipChunkWireTests.Chunk(0, 2, clip, 1000);
        ClipChunk other = Uplink.ClipChunkWireTests.Chunk(1, 2, Clip(1600, 2), 1000); // a different clip under the same event id
        var result = BisectingWriter.Write(store, [Message("cam", 1, a), Message("cam", 2, other)], 0, T0, (_, _) => { });
        Assert.Equal((1, 1), (result.Stored, result.Quarantined));
        Assert.Equal("partial", Assert.Single(store.GetClips(null)).State);
    }
}
