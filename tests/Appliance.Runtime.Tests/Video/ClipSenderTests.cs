using Appliance.Device.Video;

namespace Appliance.Runtime.Tests.Video;

// Issue 22, item 3 (device side): the ring's list, the cut from pre-roll to post-roll bounded by max_s, chunks that
// rebuild the clip and carry its SHA-256, and the hourly budget that drops a clip whole and counts it.
public sealed class ClipSenderTests : IDisposable
{
    private const long T0 = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z, the start of a clock hour
    private const long S = 1_000_000_000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Read_FfmpegCsvList_SegmentsOnTheCapturesWallClock()
    {
        var ring = new SegmentRing(_dir, new SegmentSettings(), T0);
        ring.Prepare();
        // The segment muxer's csv list (ffmpeg-formats(1)): filename,start,end in seconds of stream time; a torn last line is skipped.
        File.WriteAllText(ring.ListPath, "seg004.ts,4.000000,5.000000\nseg005.ts,5.000000,6.000000\nseg006.ts,6.0000");
        Assert.Equal(
            [new SegmentFile(Path.Combine(_dir, "seg004.ts"), T0 + (4 * S), T0 + (5 * S)), new SegmentFile(Path.Combine(_dir, "seg005.ts"), T0 + (5 * S), T0 + (6 * S))],
            ring.Read());
        Assert.True(ring.Wrap > ring.Listed); // the file being written is never a listed one
        Assert.Contains("-segment_wrap", ring.FfmpegOutput(10));
    }

    [Fact]
    public void Cut_PreRollToPostRoll_BoundedByMaxLength()
    {
        var ring = new SegmentRing(_dir, new SegmentSettings(PreRoll: 2, PostRoll: 1, MaxLength: 6), T0);
        var segments = Enumerable.Range(0, 20).Select(i => new SegmentFile($"seg{i}", T0 + (i * S), T0 + ((i + 1) * S))).ToList();

        // event 10.5 s .. 12.2 s: from 8.5 s (segment 8) to 13.2 s (segment 13)
        Assert.Equal(Enumerable.Range(8, 6).Select(i => $"seg{i}"), ring.Cut(segments, T0 + (10 * S) + (S / 2), T0 + (12 * S) + (S / 5)).Select(s => s.Path));
        // a long event: 6 s from 8 s, segments 8 .. 13
        Assert.Equal(Enumerable.Range(8, 6).Select(i => $"seg{i}"), ring.Cut(segments, T0 + (10 * S), T0 + (19 * S)).Select(s => s.Path));
    }

    [Fact]
    public void Send_ClipInChunks_RebuildsTheClipAndCarriesItsDigest()
    {
        Directory.CreateDirectory(_dir);
        var files = new List<SegmentFile>();
        var expected = new List<byte>();
        for (int i = 0; i < 3; i++)
        {
            byte[] bytes = Cloud.ClipStoreTests.Clip(700 + i, i);
            string path = Path.Combine(_dir, $"seg{i:000}.ts");
            File.WriteAllBytes(path, bytes);
            files.Add(new SegmentFile(path, T0 + (i * S), T0 + ((i + 1) * S)));
            expected.AddRange(bytes);
        }

        var sent = new List<ClipChunk>();
        var sender = new ClipSender("door", new SegmentSettings(ChunkBytes: 4096 / 4), c => { sent.Add(c); return sent.Count; });
        Assert.Equal(ClipOutcome.Sent, sender.Send(T0 + S, T0 + (2 * S), files, T0));

        Assert.Equal(3, sent.Count); // 2103 bytes in 1024-byte chunks
        Assert.All(sent, c => Assert.Equal((3, 2103L, T0 + S, T0, T0 + (3 * S), "ts"), (c.ChunkCount, c.TotalBytes, c.EventId, c.StartNs, c.EndNs, c.Container)));
        Assert.Equal(expected, sent.SelectMany(c => c.Data.ToArray()));
        Assert.All(sent, c => Assert.Equal(SHA256.HashData(expected.ToArray()), c.Sha256.ToArray()));
        Assert.All(sent, c => Assert.True(WireLimits.TryValidate(Envelope.Create("d", 1, c), T0, out string? error), error));
        Assert.Equal(new ClipCounters(1, 1, 2103, 0), sender.Counters);
    }

    [Fact]
    public void Send_OverTheHourlyBudget_DroppedWholeAsAnEventRecordAndCounted()
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "seg000.ts");
        File.WriteAllBytes(path, new byte[600]);
        SegmentFile[] clip = [new SegmentFile(path, T0, T0 + S)];
        var sent = new List<ClipChunk>();
        var sender = new ClipSender("door", new SegmentSettings(BudgetBytesPerHour: 1000), c => { sent.Add(c); return sent.Count; });

        Assert.Equal(ClipOutcome.Sent, sender.Send(T0, T0 + 1, clip, T0 + (10 * S)));
        Assert.Equal(ClipOutcome.DroppedBudget, sender.Send(T0 + (2 * S), T0 + (3 * S), clip, T0 + (20 * S))); // 1200 > 1000 this hour
        Assert.Equal(ClipOutcome.Sent, sender.Send(T0 + (3600 * S), T0 + (3601 * S), clip, T0 + (3600 * S))); // the next hour

        ClipChunk record = sent[1];
        Assert.Equal((0, 600L, T0 + (2 * S), 0), (record.ChunkCount, record.TotalBytes, record.EventId, record.Data.Length));
        Assert.True(WireLimits.TryValidate(Envelope.Create("d", 1, record), T0 + (3600 * S), out string? error), error);
        Assert.Equal(new ClipCounters(3, 2, 1200, 1), sender.Counters);
    }
}
