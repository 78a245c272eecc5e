namespace Appliance.Runtime.Tests.Uplink;

// The ClipChunk message (issue 22, item 3): layout on ClipChunk, bounds in WireLimits.
public sealed class ClipChunkWireTests
{
    private const long T0 = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z
    private static readonly long Now = T0 + 3_600_000_000_000;

    internal static ClipChunk Chunk(int index, int count, byte[] clip, int chunkBytes, string camera = "door", long eventId = T0) => new()
    {
        Camera = camera, EventId = eventId, StartNs = eventId - 3_000_000_000, EndNs = eventId + 5_000_000_000, Container = "ts",
        ChunkIndex = index, ChunkCount = count, ChunkOffset = (long)index * chunkBytes, TotalBytes = clip.Length,
        Sha256 = SHA256.HashData(clip), Data = clip.AsMemory(index * chunkBytes, Math.Min(chunkBytes, clip.Length - (index * chunkBytes))),
    };

    [Fact]
    public void Encode_Decode_RoundTripsEveryField()
    {
        byte[] clip = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        ClipChunk sent = Chunk(1, 2, clip, 600);
        byte[] frame = WireCodec.Encode(Envelope.Create("cam-box", 42, sent, incarnation: 99));

        Assert.True(WireCodec.TryDecode(frame, out Envelope e, out string? error), error);
        Assert.Equal((MessageType.ClipChunk, "cam-box", 42L, 99L), (e.MessageType, e.DeviceId, e.Sequence, e.Incarnation));
        var got = Assert.IsType<ClipChunk>(e.Body);
        Assert.Equal((sent.Camera, sent.EventId, sent.StartNs, sent.EndNs, sent.Container), (got.Camera, got.EventId, got.StartNs, got.EndNs, got.Container));
        Assert.Equal((1, 2, 600L, 1000L), (got.ChunkIndex, got.ChunkCount, got.ChunkOffset, got.TotalBytes));
        Assert.Equal(SHA256.HashData(clip), got.Sha256.ToArray());
        Assert.Equal(clip[600..], got.Data.ToArray());
        Assert.True(WireLimits.TryValidate(e, Now, out error), error);
    }

    [Fact]
    public void Encode_LargestChunk_FitsTheFrameAndJournalRecordLimits()
    {
        byte[] clip = new byte[WireLimits.MaxClipChunkBytes];
        byte[] frame = WireCodec.Encode(Envelope.Create(new string('d', WireLimits.MaxDeviceIdLength), WireLimits.MaxSequence,
            Chunk(0, 1, clip, clip.Length, camera: new string('c', 64)), incarnation: long.MaxValue));
        Assert.InRange(frame.Length, WireLimits.MaxClipChunkBytes, new JournalOptions { Directory = "unused" }.MaxRecordBytes);
        Assert.True(frame.Length <= WireCodec.MaxFrameBytes);
    }

    public static TheoryData<string, Func<ClipChunk, ClipChunk>> OutOfBounds => new()
    {
        { "camera name", c => Copy(c, camera: "../x") },
        { "camera name", c => Copy(c, camera: ".hidden") },
        { "container", c => Copy(c, container: "mp4") },
        { "32-byte SHA-256", c => Copy(c, sha: new byte[31]) },
        { "clip length", c => Copy(c, endNs: c.StartNs) },
        { "out of bounds", c => Copy(c, offset: 10) },
        { "out of bounds", c => Copy(c, index: 2) },
        { "out of bounds", c => Copy(c, data: new byte[WireLimits.MaxClipChunkBytes + 1], total: WireLimits.MaxClipChunkBytes + 1, count: 1, index: 0) },
        { "the last ending at its end", c => Copy(c, total: c.TotalBytes + 1) },
        { "chunk_count 0", c => Copy(c, count: 0) },
    };

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public void TryValidate_OutOfBounds_RefusedNamingTheField(string expected, Func<ClipChunk, ClipChunk> change)
    {
        byte[] clip = new byte[100];
        ClipChunk bad = change(Chunk(1, 2, clip, 60));
        Assert.True(WireCodec.TryDecode(WireCodec.Encode(Envelope.Create("d", 1, bad)), out Envelope e, out _));
        Assert.False(WireLimits.TryValidate(e, Now, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryValidate_EventRecordWithoutVideo_Accepted()
    {
        var record = new ClipChunk { Camera = "door", EventId = T0, StartNs = T0, EndNs = T0 + 1, Container = "mjpeg", TotalBytes = 5000, Sha256 = new byte[32] };
        Assert.True(WireLimits.TryValidate(Envelope.Create("d", 1, record), Now, out string? error), error);
    }

    private static ClipChunk Copy(ClipChunk c, string? camera = null, string? container = null, byte[]? sha = null, long? endNs = null, long? offset = null,
        int? index = null, int? count = null, long? total = null, byte[]? data = null) => new()
    {
        Camera = camera ?? c.Camera, EventId = c.EventId, StartNs = c.StartNs, EndNs = endNs ?? c.EndNs, Container = container ?? c.Container,
        ChunkIndex = index ?? c.ChunkIndex, ChunkCount = count ?? c.ChunkCount, ChunkOffset = offset ?? c.ChunkOffset, TotalBytes = total ?? c.TotalBytes,
        Sha256 = sha ?? c.Sha256, Data = data ?? c.Data,
    };
}
