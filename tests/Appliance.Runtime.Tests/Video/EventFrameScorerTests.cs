using Appliance.Cloud.Training;
using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Runtime.Tests.Video;

/// <summary>
/// <see cref="EventFrameScorer"/>: an event's frames sampled evenly into one batch, scored in one ONNX Runtime run, and
/// the background model of <see cref="FrameModelBundle"/> on a clip of perf/video/make-clip.sh (FFmpeg required).
/// </summary>
public sealed class EventFrameScorerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-frames-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Add_LongEvent_RowsAreEveryKthFrameFromTheStart()
    {
        // 8x8 frames of constant luma i (frame i of the event): a 2x2 thumbnail's cells are i / 255, so each row names its frame.
        using var scorer = new EventFrameScorer(Bundle(g: 2, batch: 4), 8, 8);
        var frame = new byte[64];
        for (int i = 0; i < 10; i++)
        {
            Array.Fill(frame, (byte)i);
            scorer.Add(frame);
        }

        scorer.Close();
        // k = 1: 0,1,2,3 -> full at 4: keep 0,2; k = 2: +4, +6 -> full at 8: keep 0,4; k = 4: +8 (frame 9 skipped).
        Assert.Equal(3, scorer.LastRows);
        Assert.Equal(new[] { 0, 4, 8, 8 }, Rows(scorer));

        for (int i = 0; i < 3; i++)
        {
            Array.Fill(frame, (byte)(100 + i));
            scorer.Add(frame);
        }

        scorer.Close(); // state was reset by the previous Close: a fresh event starts at k = 1
        Assert.Equal(new[] { 100, 101, 102, 102 }, Rows(scorer));
        Assert.Equal(2, scorer.EventsScored);
        Assert.Throws<InvalidOperationException>(() => scorer.Close());
    }

    [Fact]
    public void AddAndClose_SteadyState_AllocateNothing()
    {
        using var scorer = new EventFrameScorer(Bundle(g: 2, batch: 4), 8, 8);
        var frame = new byte[64];
        // Past tiered JIT's call counting (30 calls), which runs on this thread and allocates.
        for (int e = 0; e < 5; e++)
        {
            for (int i = 0; i < 20; i++)
            {
                scorer.Add(frame);
            }

            scorer.Close();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 0; e < 5; e++)
        {
            for (int i = 0; i < 20; i++)
            {
                scorer.Add(frame);
            }

            scorer.Close();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_ModelWithoutThreshold_Refused()
    {
        var model = StandardScoreModel.Fit([new float[] { 0, 1, 2, 3, 1, 1, 1, 1 }, new float[] { 1, 0, 0, 1, 2, 2, 2, 2 }], 2, 4);
        var package = new ModelPackage("bare", model.ToOnnx(), 2, 4);
        var e = Assert.Throws<ConfigException>(() => new EventFrameScorer(package, 8, 8));
        Assert.Contains("no calibrated threshold", e.Message);
        var notSquare = new ModelPackage("wide", model.ToOnnx(), 2, 3);
        Assert.Contains("expected [S,G*G]", Assert.Throws<ConfigException>(() => new EventFrameScorer(notSquare, 8, 8)).Message);
    }

    [Fact]
    public void GeneratedClip_EventsScoreAboveThreshold_BackgroundBelow_OrtEqualsCSharp()
    {
        // Box drawn during 10-12 s and 20-22 s; frames before 9 s are background only (no box).
        string clip = Path.Combine(_dir, "clip.mp4");
        MotionClipTests.MakeClip(clip, 30, "320x180", "10-12,20-22");
        var background = new List<float[]>();
        using (var source = new FfmpegFrameSource(clip))
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

        // Fit on the first 6 s; hold out 6-9 s (background the model never saw).
        var train = background.Take(72).ToList();
        var heldOut = background.Skip(72).ToList();
        var package = FrameModelBundle.Write(train, 8, Path.Combine(_dir, "frames"), "make-clip.sh 0-6 s");
        Assert.True(File.Exists(Path.Combine(_dir, "frames", ModelPackage.ManifestFile)));

        VideoAnalysisResult result;
        float threshold;
        using (var source = new FfmpegFrameSource(clip))
        using (var scorer = new EventFrameScorer(package, 320, 180))
        {
            threshold = scorer.Threshold;
            result = VideoAnalysis.Run(source, new MotionSettings(), () => source.ShortFrames, scorer);
            Assert.Equal(2, result.Events.Count);
            Assert.Equal(2, scorer.EventsScored);

            // ONNX Runtime's batch scores equal the C# model's (the same fit) on the last event's batch.
            var reference = StandardScoreModel.Fit(train.Select(t => Enumerable.Repeat(t, 8).SelectMany(v => v).ToArray()).ToList(), 8, 1024);
            var expected = new float[8];
            reference.Score(scorer.LastBatch, expected);
            for (int i = 0; i < 8; i++)
            {
                Assert.InRange(Math.Abs(scorer.LastScores[i] - expected[i]), 0, 1e-4 * Math.Abs(expected[i]));
            }

            // Background only, in batches of 8 held-out frames scored as events: every batch's score is below the threshold.
            foreach (var chunk in heldOut.Chunk(8).Where(c => c.Length == 8))
            {
                var rows = chunk.SelectMany(v => v).ToArray();
                reference.Score(rows, expected);
                Assert.True(expected.Max() < threshold, $"background scores {expected.Max()} >= threshold {threshold}");
            }
        }

        Assert.NotNull(result.Scores);
        Assert.All(result.Scores, s => Assert.True(s >= threshold, $"event score {s} below threshold {threshold}"));
    }

    private static int[] Rows(EventFrameScorer scorer)
    {
        var batch = scorer.LastBatch.ToArray();
        return [.. Enumerable.Range(0, scorer.BatchRows).Select(r => (int)Math.Round(batch[r * 4] * 255))];
    }

    private ModelPackage Bundle(int g, int batch)
    {
        var random = new Random(7);
        var rows = Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, g * g).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        return FrameModelBundle.Write(rows, batch, Path.Combine(_dir, $"m{g}x{batch}"), "random rows");
    }
}
