using System.Globalization;

namespace Appliance.Drivers.Video;

/// <summary>
/// The one encoding video leaves a device in: H.264 (libx264) at a fixed preset, quality and GOP, as a raw Annex B
/// elementary stream (no container), so that a continuous stream and the event segments are measured the same way.
/// </summary>
/// <remarks>
/// Arguments: <c>-an -c:v libx264 -preset veryfast -tune zerolatency -crf 28 -g 50 -keyint_min 50 -sc_threshold 0
/// -pix_fmt yuv420p -f h264</c>: constant-quality mode (CRF 28, x264's default is 23), a keyframe every 50 frames and no
/// scene-cut keyframes (a fixed GOP), B-frames off (zerolatency) as a live uplink wants. A segment is cut by input seeking
/// (<c>-ss START -i SRC -t LENGTH</c>), which re-encodes from the exact frame (FFmpeg documentation, "-ss position" as an
/// input option), so each segment starts with a keyframe.
/// </remarks>
public static class SegmentEncoding
{
    /// <summary>The encoder arguments (after <c>-i SRC</c>, before the output).</summary>
    public static IReadOnlyList<string> Arguments { get; } =
        ["-an", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-crf", "28", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-f", "h264"];

    /// <summary>
    /// Encodes <paramref name="source"/> (all of it, or [<paramref name="startS"/>, <paramref name="startS"/> + <paramref name="lengthS"/>))
    /// with <see cref="Arguments"/> and returns the encoded size in bytes (the output is counted, not kept).
    /// </summary>
    /// <param name="source">A file FFmpeg reads.</param>
    /// <param name="startS">Segment start in seconds from the stream's start, or null for the whole stream.</param>
    /// <param name="lengthS">Segment length in seconds (ignored when <paramref name="startS"/> is null).</param>
    /// <param name="ffmpeg">The ffmpeg executable.</param>
    /// <exception cref="IOException">FFmpeg is missing or failed (its message quoted).</exception>
    public static long EncodedBytes(string source, double? startS = null, double lengthS = 0, string ffmpeg = "ffmpeg")
    {
        var args = new List<string> { "-nostdin", "-loglevel", "error" };
        if (startS is { } start)
        {
            args.AddRange(["-ss", start.ToString("0.######", CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["-i", source]);
        if (startS is not null)
        {
            args.AddRange(["-t", lengthS.ToString("0.######", CultureInfo.InvariantCulture)]);
        }

        args.AddRange(Arguments);
        args.Add("pipe:1");
        using var child = FfmpegProcess.Start(ffmpeg, args);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = child.Output.Read(buffer)) > 0)
        {
            total += n;
        }

        child.WaitAndCheck(source);
        return total;
    }
}
