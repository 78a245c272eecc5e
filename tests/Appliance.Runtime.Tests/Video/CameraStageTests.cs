using Appliance.Device.Video;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Runtime.Tests.Video;

// Issue 22, end to end on the host: a generated clip (ffmpeg lavfi: a gray scene, a white box that moves from 4 s to 6 s
// only) drives a file camera; the one event's clip goes through ClipChunk messages into the collector's store, and the
// stored file's SHA-256 equals the one the device computed.
public sealed class CameraStageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "appliance-tests", Guid.NewGuid().ToString("N"));

    public CameraStageTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>12 s at 10 fps, 320x240: a static 80x80 white box at x=20, moving right at 100 px/s from 4 s to 6 s.</summary>
    internal static string MovingBoxClip(string dir, int seconds = 12)
    {
        string path = Path.Combine(dir, "box.mp4");
        using var p = Process.Start(new ProcessStartInfo("ffmpeg",
        [
            "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", $"color=c=gray:s=320x240:r=10:d={seconds}", "-f", "lavfi", "-i", "color=c=white:s=80x80:r=10",
            "-filter_complex", "[0][1]overlay=x='if(between(t,4,6),20+(t-4)*100,20)':y=80:shortest=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", path,
        ]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        return path;
    }

    [Fact]
    public async Task FileCamera_BoxMovingFrom4To6s_OneClipWhoseStoredDigestEqualsTheDevicesAsync()
    {
        string clip = MovingBoxClip(_dir);
        var config = ConfigLoader.Parse(Config.TestToml.EnvSensorHead + $$"""
            [[camera]]
            name = "box"
            source = "file:{{clip}}"
            width = 320
            height = 240
            fps = 10
            segment = { pre_roll_s = 1, post_roll_s = 1, max_s = 20, chunk_bytes = "4KiB" }

            """ + Config.TestToml.Tail, "appliance.toml");
        var sent = new List<ClipChunk>();
        using var stage = new CameraStage(config.Cameras![0], config.Cameras[0].Motion, _dir, c => { lock (sent) { sent.Add(c); return sent.Count; } }, NullLogger.Instance);
        stage.Start();
        await stage.Completion.WaitAsync(TimeSpan.FromSeconds(120));

        long baseNs = (File.GetLastWriteTimeUtc(clip).Ticks - DateTime.UnixEpoch.Ticks) * 100;
        Assert.NotEmpty(sent);
        Assert.All(sent, c => Assert.Equal(sent[0].EventId, c.EventId)); // one event
        double startS = (sent[0].EventId - baseNs) / 1e9;
        Assert.InRange(startS, 3.9, 4.3); // first motion frame: the box starts moving at 4 s
        Assert.InRange((sent[0].StartNs - baseNs) / 1e9, 2.0, 3.0); // 1 s pre-roll, whole 1 s segments
        Assert.InRange((sent[0].EndNs - baseNs) / 1e9, 7.0, 8.0); // 1 s post-roll after the last motion (6 s; the jump back)
        CameraCounters n = stage.Counters;
        Assert.InRange(n.FramesRead, 119, 121); // 12 s at 10 fps through ffmpeg's fps filter
        Assert.Equal((0L, 1L, new ClipCounters(1, 1, sent[0].TotalBytes, 0)), (n.FramesDropped, n.Events, n.Clips));

        using var db = new TempDatabase();
        using (var store = new SqliteStore(db.Path))
        {
            long seq = 0;
            store.Store(sent.Select(c => Envelope.Create("cam-dev", ++seq, c, 5)).Reverse().ToList(), 0, baseNs);
            StoredClip row = Assert.Single(store.GetClips(null));
            Assert.Equal("complete", row.State);
            Assert.Equal(Convert.ToHexStringLower(sent[0].Sha256.Span), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(row.Path!))));
        }

        // A restart on the same state directory reads the file again: the event is the same one, and it is not sent twice.
        var again = new List<ClipChunk>();
        using var restarted = new CameraStage(config.Cameras[0], config.Cameras[0].Motion, _dir, c => { again.Add(c); return again.Count; }, NullLogger.Instance);
        restarted.Start();
        await restarted.Completion.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Empty(again);
        Assert.Equal(1, restarted.Counters.Events);
    }

    // Issue 22 item 2 on the device: a camera with a model (`[[camera]] model`) scores each event's frames in one ONNX run
    // when the event closes. The model is FrameModelBundle's background model fitted on the clip's first 9 s (background
    // only: make-clip.sh draws the box during 10-12 s and 20-22 s); both events are scored, both at or above its threshold.
    [Fact]
    public async Task FileCamera_WithFrameModel_EveryEventScoredAboveThresholdAsync()
    {
        string clip = Path.Combine(_dir, "clip.mp4");
        MotionClipTests.MakeClip(clip, 26, "320x180", "10-12,20-22");
        var background = new List<float[]>();
        using (var source = new FfmpegFrameSource(clip, 320, 180, 12))
        {
            var thumb = new FrameThumbnail(320, 180);
            var frame = new byte[source.Format.LumaBytes];
            while (source.TryReadFrame(frame, out long t) && t < 9_000_000_000)
            {
                var row = new float[thumb.Length];
                thumb.Compute(frame, row);
                background.Add(row);
            }
        }

        var package = FrameModelBundle.Write(background, 8, Path.Combine(_dir, "frames"), "clip.mp4 0-9 s");
        var config = ConfigLoader.Parse(Config.TestToml.EnvSensorHead + $$"""
            [[camera]]
            name = "scored"
            source = "file:{{clip}}"
            width = 320
            height = 180
            fps = 12
            model = "frames"
            segment = { pre_roll_s = 1, post_roll_s = 1, max_s = 20, chunk_bytes = "64KiB" }

            """ + Config.TestToml.Tail, "appliance.toml");
        Assert.Equal("frames", config.Cameras![0].Model);
        var sent = new List<ClipChunk>();
        using var stage = new CameraStage(config.Cameras[0], config.Cameras[0].Motion, _dir, c => { lock (sent) { sent.Add(c); return sent.Count; } }, NullLogger.Instance,
            new EventFrameScorer(package, 320, 180));
        stage.Start();
        await stage.Completion.WaitAsync(TimeSpan.FromSeconds(120));

        CameraCounters n = stage.Counters;
        Assert.Equal((2L, 2L, 2L), (n.Events, n.EventsScored, n.EventsAboveThreshold));
    }
}
