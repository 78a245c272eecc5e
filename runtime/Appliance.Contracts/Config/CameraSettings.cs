using Appliance.Contracts.Wire;
using Appliance.Kernels.Motion;

namespace Appliance.Contracts.Config;

/// <summary>Where a camera's frames come from (<c>[[camera]] source</c>).</summary>
public enum CameraSourceKind
{
    /// <summary>A V4L2 capture device, <c>/dev/videoN</c>.</summary>
    V4l2,

    /// <summary>A video file read through ffmpeg: <c>file:PATH</c>, or a path that is not <c>/dev/video*</c>.</summary>
    File,

    /// <summary>An RTSP stream read through ffmpeg: <c>rtsp://...</c>.</summary>
    Rtsp,
}

/// <summary>
/// The <c>segment = { ... }</c> table of a camera: how event clips are cut from the pre-roll ring and sent through the
/// journal (docs/video.md, "Event segments").
/// </summary>
/// <param name="Codec"><c>codec</c>: <c>"h264"</c> (libx264 in MPEG-TS segments, the default) or <c>"mjpeg"</c>.</param>
/// <param name="PreRoll"><c>pre_roll_s</c>: video kept before an event's first frame, 0 to 60 s; default 3.</param>
/// <param name="PostRoll"><c>post_roll_s</c>: video kept after its last frame, 0 to 60 s; default 3.</param>
/// <param name="MaxLength"><c>max_s</c>: longest clip, pre- and post-roll included, 1 to 600 s; default 60.</param>
/// <param name="ChunkBytes"><c>chunk_bytes</c>: bytes per journal chunk, 4 KiB to 192 KiB (<see cref="WireLimits.MaxClipChunkBytes"/>); default 64 KiB.</param>
/// <param name="BudgetBytesPerHour"><c>budget_bytes_per_hour</c>: most clip bytes the camera may send in any clock hour; a
/// clip over it is dropped whole (only its event record is sent) and counted as <c>clips_dropped_budget</c>. 0 to 1 TiB;
/// default 256 MiB.</param>
public sealed record SegmentSettings(
    string Codec = "h264", double PreRoll = SegmentSettings.DefaultRollSeconds, double PostRoll = SegmentSettings.DefaultRollSeconds,
    double MaxLength = SegmentSettings.DefaultMaxSeconds, int ChunkBytes = SegmentSettings.DefaultChunkBytes,
    long BudgetBytesPerHour = SegmentSettings.DefaultBudgetPerHour)
{
    /// <summary>Default pre- and post-roll, seconds.</summary>
    public const double DefaultRollSeconds = 3;

    /// <summary>Default longest clip, seconds.</summary>
    public const double DefaultMaxSeconds = 60;

    /// <summary>Default chunk, 64 KiB.</summary>
    public const int DefaultChunkBytes = 64 * 1024;

    /// <summary>Default hourly budget, 256 MiB.</summary>
    public const long DefaultBudgetPerHour = 256L << 20;

    /// <summary>The container the codec's segments are written in, also the clip's extension: <c>ts</c> or <c>mjpeg</c>.</summary>
    public string Container => Codec == "mjpeg" ? "mjpeg" : "ts";
}

/// <summary>One <c>[[camera]]</c> table (docs/configuration.md, "[[camera]]").</summary>
/// <param name="Name">Unique camera name: 1 to 64 of <c>A-Z a-z 0-9 - _ .</c>, not starting with '.' (it names clip files).</param>
/// <param name="Source">The source as written.</param>
/// <param name="SourceKind">What <paramref name="Source"/> is.</param>
/// <param name="Target">The device path, file path or URL ffmpeg opens (<c>file:</c> removed).</param>
/// <param name="Width">Frame width in pixels, 16 to 7680, even; default 640.</param>
/// <param name="Height">Frame height in pixels, 16 to 4320, even; default 480.</param>
/// <param name="Fps">Frames per second analysed and encoded, 1 to 120; default 10.</param>
/// <param name="PixelFormat">The capture device's pixel format (V4L2 sources): <c>yuyv422</c> (default), <c>mjpeg</c>,
/// <c>yuv420p</c>, <c>nv12</c> or <c>gray</c>; files and streams are decoded by ffmpeg whatever their format.</param>
/// <param name="Segment">The <c>segment</c> table.</param>
/// <param name="Motion">The <c>motion</c> table (<see cref="MotionSettingsReader"/>); its pre- and post-roll are replaced by
/// the <c>segment</c> table's on the device.</param>
/// <param name="Model">The <c>model</c> key: a folder <c>models/NAME/</c> of the revision whose ONNX model scores each event's
/// frames (input <c>[S, G·G]</c> luma thumbnails, <c>appliance train-frames</c>); null for none.</param>
public sealed record CameraSettings(
    string Name, string Source, CameraSourceKind SourceKind, string Target, int Width, int Height, int Fps, string PixelFormat, SegmentSettings Segment,
    MotionSettings Motion, string? Model = null)
{
    private static readonly string[] PixelFormats = ["yuyv422", "mjpeg", "yuv420p", "nv12", "gray"];

    /// <summary>Parses a <c>source</c> value.</summary>
    /// <param name="source">The value.</param>
    /// <param name="kind">What it is.</param>
    /// <param name="target">What ffmpeg opens.</param>
    /// <returns>False when it is empty or <c>file:</c> with no path.</returns>
    public static bool TryParseSource(string source, out CameraSourceKind kind, out string target)
    {
        ArgumentNullException.ThrowIfNull(source);
        (kind, target) = source switch
        {
            _ when source.StartsWith("rtsp://", StringComparison.Ordinal) || source.StartsWith("rtsps://", StringComparison.Ordinal) => (CameraSourceKind.Rtsp, source),
            _ when source.StartsWith("file:", StringComparison.Ordinal) => (CameraSourceKind.File, source["file:".Length..]),
            _ when source.StartsWith("/dev/video", StringComparison.Ordinal) => (CameraSourceKind.V4l2, source),
            _ => (CameraSourceKind.File, source),
        };
        return target.Length > 0 && !target.Any(char.IsControl);
    }

    /// <summary>Reads and checks every <c>[[camera]]</c> table: unique names, a source, sizes, rate, pixel format and the
    /// <c>segment</c> table's bounds.</summary>
    /// <exception cref="ConfigException">A table breaks a rule; the message names the file, line and key.</exception>
    internal static IReadOnlyList<CameraSettings> ReadAll(TableReader root, Func<TableReader, string?> modelName)
    {
        var cameras = new List<CameraSettings>();
        foreach (var c in root.TableArray("camera"))
        {
            c.RejectUnknown(["name", "source", "width", "height", "fps", "pixel_format", "segment", "motion", "model"]);
            var name = c.String("name", required: true)!;
            if (!WireLimits.IsFileSafeName(name))
            {
                throw c.Error("name", $"'{name}' is not a camera name (expected 1 to 64 letters, digits, '-', '_' or '.', not starting with '.')");
            }

            if (cameras.Exists(x => x.Name == name))
            {
                throw c.Error("name", $"camera '{name}' is defined twice (camera names must be unique)");
            }

            var source = c.String("source", required: true)!;
            if (!TryParseSource(source, out var kind, out var target))
            {
                throw c.Error("source", $"camera '{name}' source = '{source}': expected /dev/videoN, file:PATH (or a path) or rtsp://HOST/PATH");
            }

            int width = (int)c.Integer("width", 640, 16, 7680);
            int height = (int)c.Integer("height", 480, 16, 4320);
            if (width % 2 != 0 || height % 2 != 0)
            {
                throw c.Error(width % 2 != 0 ? "width" : "height", $"camera '{name}' {width}x{height}: width and height must be even (4:2:0 encoders)");
            }

            int fps = (int)c.Integer("fps", 10, 1, 120);
            var pixel = c.String("pixel_format", required: false) ?? "yuyv422";
            if (Array.IndexOf(PixelFormats, pixel) < 0)
            {
                throw c.Error("pixel_format", $"camera '{name}' pixel_format = '{pixel}': expected one of {string.Join(", ", PixelFormats)}");
            }

            cameras.Add(new CameraSettings(name, source, kind, target, width, height, fps, pixel, ReadSegment(c.Table("segment", required: false), name),
                MotionSettingsReader.Read(c), modelName(c)));
        }

        return cameras;
    }

    private static SegmentSettings ReadSegment(TableReader s, string camera)
    {
        s.RejectUnknown(["codec", "pre_roll_s", "post_roll_s", "max_s", "chunk_bytes", "budget_bytes_per_hour"]);
        var codec = s.String("codec", required: false) ?? "h264";
        if (codec is not ("h264" or "mjpeg"))
        {
            throw s.Error("codec", $"camera '{camera}' segment codec = '{codec}': expected \"h264\" or \"mjpeg\"");
        }

        string context = $"camera '{camera}' segment ";
        double pre = s.Number("pre_roll_s", SegmentSettings.DefaultRollSeconds, 0, 60, context);
        double post = s.Number("post_roll_s", SegmentSettings.DefaultRollSeconds, 0, 60, context);
        double max = s.Number("max_s", SegmentSettings.DefaultMaxSeconds, 1, 600, context);
        if (pre + post >= max)
        {
            throw s.Error("max_s", $"{context}max_s = {max}: must exceed pre_roll_s + post_roll_s = {pre + post} (room for the event itself)");
        }

        return new SegmentSettings(codec, pre, post, max,
            (int)s.Size("chunk_bytes", SegmentSettings.DefaultChunkBytes, 4096, WireLimits.MaxClipChunkBytes),
            s.Size("budget_bytes_per_hour", SegmentSettings.DefaultBudgetPerHour, 0, 1L << 40));
    }
}
