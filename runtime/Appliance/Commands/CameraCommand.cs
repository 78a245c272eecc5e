using System.CommandLine;
using System.Text.Json;
using Appliance.Drivers.Video;
using Appliance.Kernels.Motion;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance camera probe DEVICE [--frames N] [--width W --height H] [--fps F] [--pixel-format P] [--json]</c>: opens a V4L2
/// capture node through <see cref="V4l2FrameSource"/> (without the pipeline), reads N frames and prints the negotiated format,
/// the frames read, the sequence gaps (frames the driver numbered but dropped), the errors, the frame rate measured on the
/// buffers' own timestamps ((last sequence − first sequence) / (last timestamp − first timestamp)) and the mean luma of the
/// last frame, and the frames in which <see cref="MotionDetector"/> (default <see cref="MotionSettings"/>) saw motion. With
/// <c>--json</c>: one object. Exit 2 with one line naming the device and the ioctl when the device fails.
/// </summary>
internal static class CameraCommand
{
    public static Command Create()
    {
        var device = new Argument<string>("device") { Description = "The V4L2 capture node, e.g. /dev/video0" };
        var frames = new Option<int>("--frames") { Description = "Frames to read (at least 1)", DefaultValueFactory = _ => 30 };
        var width = new Option<int>("--width") { Description = "Requested width in pixels (0: the device's current size; the driver may adjust it)" };
        var height = new Option<int>("--height") { Description = "Requested height in pixels (0: the device's current size)" };
        var fps = new Option<double>("--fps") { Description = "Requested frame rate (0: the device's)" };
        var pixelFormat = new Option<string?>("--pixel-format") { Description = "grey, yuyv, uyvy, yvyu, vyuy, nv12, nv21, yu12 (yuv420) or yv12; default: the first of these the driver takes" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each frame before failing", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var probe = new Command("probe", "Read frames from a V4L2 camera and report the format, frames, sequence gaps and measured rate")
        {
            device, frames, width, height, fps, pixelFormat, timeout, json,
        };
        probe.SetAction((p, _) => Cli.Guard(() => Task.FromResult(Probe(
            p.GetValue(device)!, p.GetValue(frames), p.GetValue(width), p.GetValue(height), p.GetValue(fps), p.GetValue(pixelFormat),
            p.GetValue(timeout), p.GetValue(json)))));
        return new Command("camera", "Camera sources: probe a V4L2 device") { probe };
    }

    private static int Probe(string path, int count, int width, int height, double fps, string? pixelFormat, double timeoutS, bool json)
    {
        if (count < 1)
        {
            throw new ArgumentException($"--frames {count}: expected at least 1");
        }

        if (!(timeoutS > 0))
        {
            throw new ArgumentException($"--timeout {timeoutS}: expected a positive number of seconds");
        }

        using var source = new V4l2FrameSource(path, width, height, fps, pixelFormat, TimeSpan.FromSeconds(timeoutS));
        var luma = new byte[source.Format.LumaBytes];
        var detector = new MotionDetector(source.Format.Width, source.Format.Height, new MotionSettings());
        long motionFrames = 0;
        uint firstSequence = 0;
        long firstTimestampNs = 0;
        int read = 0;
        while (read < count && source.TryReadFrame(luma, out _))
        {
            motionFrames += detector.Analyze(luma).Motion ? 1 : 0;
            if (read++ == 0)
            {
                firstSequence = source.LastSequence;
                firstTimestampNs = source.LastDeviceTimestampNs;
            }
        }

        double elapsedS = (source.LastDeviceTimestampNs - firstTimestampNs) / 1e9;
        uint numbered = unchecked(source.LastSequence - firstSequence);
        double? measuredFps = read >= 2 && elapsedS > 0 ? numbered / elapsedS : null;
        double? meanLuma = read >= 1 ? MeanOf(luma) : null;
        var f = source.Format;
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout))
            {
                w.WriteStartObject();
                w.WriteString("device", path);
                w.WriteString("driver", source.Driver);
                w.WriteString("card", source.Card);
                w.WriteString("pixel_format", source.PixelFormat);
                w.WriteNumber("width", f.Width);
                w.WriteNumber("height", f.Height);
                w.WriteNumber("bytes_per_line", source.BytesPerLine);
                w.WriteNumber("nominal_fps", Math.Round(f.FramesPerSecond, 3));
                w.WriteNumber("frames", source.Frames);
                w.WriteNumber("first_sequence", firstSequence);
                w.WriteNumber("last_sequence", source.LastSequence);
                w.WriteNumber("sequence_gaps", source.SequenceGaps);
                w.WriteNumber("errors", source.Errors);
                WriteNumberOrNull(w, "measured_fps", measuredFps, 3);
                WriteNumberOrNull(w, "mean_luma", meanLuma, 2);
                w.WriteNumber("motion_frames", motionFrames);
                w.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
        else
        {
            Console.WriteLine(FormattableString.Invariant(
                $"camera {path}: {source.Driver} '{source.Card}', {source.PixelFormat} {f.Width}x{f.Height}, bytesperline {source.BytesPerLine}, nominal {(f.FramesPerSecond > 0 ? $"{f.FramesPerSecond:0.###} fps" : "rate unknown")}"));
            Console.WriteLine(FormattableString.Invariant(
                $"frames {source.Frames}, sequence {firstSequence}..{source.LastSequence}, sequence gaps {source.SequenceGaps}, errors {source.Errors}, measured {(measuredFps is { } m ? $"{m:0.###} fps" : "-")} (buffer timestamps), mean luma of the last frame {(meanLuma is { } y ? $"{y:0.##}" : "-")}, motion in {motionFrames} of {source.Frames} frames"));
        }

        return read == count ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static double MeanOf(ReadOnlySpan<byte> luma)
    {
        long sum = 0;
        foreach (byte b in luma)
        {
            sum += b;
        }

        return (double)sum / luma.Length;
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value, int digits)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
