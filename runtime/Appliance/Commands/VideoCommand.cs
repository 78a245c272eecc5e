using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Contracts.Config;
using Appliance.Contracts.Inference;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance video FILE [--json] [--config appliance.toml]</c>: the device's motion analysis (<see cref="VideoAnalysis"/>)
/// over a video file (anything FFmpeg reads), and the uplink bytes it would save.
/// </summary>
/// <remarks>
/// <para>Settings: <see cref="MotionSettings"/>'s defaults, or the first <c>[[camera]]</c>'s <c>motion</c> table of
/// <c>--config</c> (<see cref="MotionSettingsReader"/>).</para>
/// <para>Bytes: <c>raw_bytes</c> is the whole file encoded continuously with <see cref="SegmentEncoding"/> (H.264, fixed
/// settings); each event's <c>bytes</c> is its segment [start − pre-roll, end + post-roll] encoded the same way;
/// <c>sent_bytes</c> their sum and <c>ratio</c> raw_bytes / sent_bytes (null when nothing is sent).</para>
/// <para>With <c>--model DIR</c> (a bundle <see cref="ModelPackage.LoadDirectory"/> verifies, input <c>[S, G·G]</c>) each event's
/// frames are scored by <see cref="EventFrameScorer"/> (one ONNX Runtime run per event) and the event gets a <c>score</c>,
/// last in its JSON object and a last table column; without it the output is unchanged.</para>
/// <para>Output with <c>--json</c>: one object per event <c>{"start_s","end_s","bytes","segment_start_s","segment_end_s"[,"score"]}</c>,
/// then <c>{"events","raw_bytes","sent_bytes","ratio","frames","duration_s","motion_frames","dropped_events","short_frames"}</c>
/// (the first four keys are the interface of issue 22). Without it, a table and a totals line.
/// A missing or unreadable file, a bad configuration or flag: one line, exit code 2.</para>
/// </remarks>
internal static class VideoCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Video file (any format FFmpeg reads)" };
        var json = new Option<bool>("--json") { Description = "One JSON object per event, then a totals object" };
        var config = new Option<FileInfo?>("--config") { Description = "appliance.toml whose first [[camera]] motion = { ... } table sets the motion settings" };
        var model = new Option<DirectoryInfo?>("--model") { Description = "Model bundle (model.onnx, selftest.toml, SHA256SUMS) scoring each event's frames: adds \"score\" to each event" };
        var cmd = new Command("video", "Motion events in a video file and the uplink bytes of their segments versus the continuous stream");
        cmd.Arguments.Add(file);
        cmd.Options.Add(json);
        cmd.Options.Add(config);
        cmd.Options.Add(model);
        cmd.SetAction(p => Cli.Guard(() => Task.FromResult(Run(p.GetValue(file)!, p.GetValue(json), p.GetValue(config), p.GetValue(model)))));
        return cmd;
    }

    private static int Run(string file, bool json, FileInfo? config, DirectoryInfo? model)
    {
        var settings = config is null ? new MotionSettings() : MotionSettingsReader.Load(config.FullName);
        settings.Validate();
        if (model is { Exists: false })
        {
            throw new ArgumentException($"--model {model.FullName}: no such directory (expected a model bundle: {ModelPackage.ModelFile}, {ModelPackage.SelfTestFile}, {ModelPackage.ManifestFile})");
        }

        var package = model is null ? null : ModelPackage.LoadDirectory(model.FullName);
        VideoAnalysisResult result;
        Task<long> raw;
        using (var source = new FfmpegFrameSource(file))
        using (var scorer = package is null ? null : new EventFrameScorer(package, source.Format.Width, source.Format.Height))
        {
            // The continuous encode runs beside the analysis (FFmpeg's own threads); it is only waited for at the end.
            raw = Task.Run(() => SegmentEncoding.EncodedBytes(file));
            result = VideoAnalysis.Run(source, settings, () => source.ShortFrames, scorer);
        }

        var bytes = new long[result.Events.Count];
        for (int i = 0; i < bytes.Length; i++)
        {
            var e = result.Events[i];
            bytes[i] = SegmentEncoding.EncodedBytes(file, Seconds(e.SegmentStartNs), Seconds(e.SegmentEndNs - e.SegmentStartNs));
        }

        using var stdout = Console.OpenStandardOutput();
        stdout.Write(json ? Json(result, bytes, raw.GetAwaiter().GetResult()) : Table(result, bytes, raw.GetAwaiter().GetResult()));
        return ExitCodes.Ok;
    }

    private static double Seconds(long ns) => ns / 1e9;

    private static byte[] Json(VideoAnalysisResult r, long[] bytes, long raw)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        for (int i = 0; i < bytes.Length; i++)
        {
            var e = r.Events[i];
            w.WriteStartObject();
            w.WriteNumber("start_s"u8, Math.Round(Seconds(e.StartNs), 3));
            w.WriteNumber("end_s"u8, Math.Round(Seconds(e.EndNs), 3));
            w.WriteNumber("bytes"u8, bytes[i]);
            w.WriteNumber("segment_start_s"u8, Math.Round(Seconds(e.SegmentStartNs), 3));
            w.WriteNumber("segment_end_s"u8, Math.Round(Seconds(e.SegmentEndNs), 3));
            if (r.Scores is { } scores)
            {
                w.WriteNumber("score"u8, Math.Round((double)scores[i], 6));
            }
            w.WriteEndObject();
            w.Flush();
            w.Reset();
            buffer.Write("\n"u8);
        }

        long sent = bytes.Sum();
        w.WriteStartObject();
        w.WriteNumber("events"u8, bytes.Length);
        w.WriteNumber("raw_bytes"u8, raw);
        w.WriteNumber("sent_bytes"u8, sent);
        if (sent > 0)
        {
            w.WriteNumber("ratio"u8, Math.Round((double)raw / sent, 2));
        }
        else
        {
            w.WriteNull("ratio"u8);
        }

        w.WriteNumber("frames"u8, r.Frames);
        w.WriteNumber("duration_s"u8, Math.Round(r.DurationS, 3));
        w.WriteNumber("motion_frames"u8, r.MotionFrames);
        w.WriteNumber("dropped_events"u8, r.DroppedEvents);
        w.WriteNumber("short_frames"u8, r.ShortFrames);
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Table(VideoAnalysisResult r, long[] bytes, long raw)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.Append(c, $"{r.Format.Width}x{r.Format.Height} at {r.Format.FramesPerSecond:0.###} fps, {r.Frames} frames ({r.DurationS:0.###} s), {r.MotionFrames} with motion\n");
        s.Append(c, $"{"event",5} {"start_s",10} {"end_s",10} {"segment_from",12} {"segment_to",12} {"bytes",12}").Append(r.Scores is null ? "\n" : $" {"score",14}\n");
        for (int i = 0; i < bytes.Length; i++)
        {
            var e = r.Events[i];
            s.Append(c, $"{i + 1,5} {Seconds(e.StartNs),10:0.000} {Seconds(e.EndNs),10:0.000} {Seconds(e.SegmentStartNs),12:0.000} {Seconds(e.SegmentEndNs),12:0.000} {bytes[i],12}");
            s.Append(r.Scores is { } scores ? string.Create(c, $" {scores[i],14:G6}\n") : "\n");
        }

        long sent = bytes.Sum();
        string ratio = sent > 0 ? ((double)raw / sent).ToString("0.00", c) + "x" : "n/a (nothing sent)";
        s.Append(c, $"events {bytes.Length} (dropped as too short: {r.DroppedEvents}), raw_bytes {raw}, sent_bytes {sent}, ratio {ratio}\n");
        return Encoding.UTF8.GetBytes(s.ToString());
    }
}
