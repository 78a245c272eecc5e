using System.Globalization;
using System.Text.Json;

namespace Appliance.Drivers.Video;

/// <summary>
/// Frames of a video file or stream (anything FFmpeg reads: a file, <c>rtsp://</c>, <c>http://</c>) decoded by a child
/// <c>ffmpeg -nostdin -loglevel error -i SRC -an -vf [scale=W:H,]fps=F -f rawvideo -pix_fmt gray pipe:1</c> into the
/// caller's buffer (FFmpeg's <c>gray</c>: 8-bit luma, row-major, no padding).
/// </summary>
/// <remarks>
/// <para>Geometry and rate not given are taken from <c>ffprobe -of json -show_entries stream=width,height,avg_frame_rate,r_frame_rate</c>
/// on the first video stream. The <c>fps</c> filter makes the output constant-rate, so a file's frame <i>n</i> has the
/// presentation time n / F seconds from the stream's start; a network stream's frames are stamped with the UTC clock when
/// read (<see cref="IFrameSource.TryReadFrame"/>).</para>
/// <para>A short last frame (the pipe ended mid-frame) is counted in <see cref="ShortFrames"/> and dropped, never padded.
/// FFmpeg's standard error is kept for the error message of a failed decode.</para>
/// </remarks>
public sealed class FfmpegFrameSource : IFrameSource
{
    private readonly FfmpegProcess _ffmpeg;
    private readonly string _source;
    private readonly bool _live;
    private bool _ended;

    /// <summary>Opens <paramref name="source"/> and starts decoding.</summary>
    /// <param name="source">A file path or a URL FFmpeg reads (<c>rtsp://host/path</c>).</param>
    /// <param name="width">Output width in pixels, or 0 for the stream's (with <paramref name="height"/>: FFmpeg scales).</param>
    /// <param name="height">Output height in pixels, or 0 for the stream's.</param>
    /// <param name="framesPerSecond">Output rate, or 0 for the stream's average rate.</param>
    /// <param name="ffmpeg">The ffmpeg executable (default: <c>ffmpeg</c> on the PATH).</param>
    /// <param name="ffprobe">The ffprobe executable (default: <c>ffprobe</c> on the PATH).</param>
    /// <exception cref="FileNotFoundException">A file source that does not exist.</exception>
    /// <exception cref="IOException">FFmpeg is not installed, or the source has no readable video stream (FFmpeg's message quoted).</exception>
    /// <exception cref="ArgumentException">A negative size or rate, or only one of width and height.</exception>
    public FfmpegFrameSource(string source, int width = 0, int height = 0, double framesPerSecond = 0, string ffmpeg = "ffmpeg", string ffprobe = "ffprobe")
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (width < 0 || height < 0 || (width == 0) != (height == 0) || !(framesPerSecond >= 0) || double.IsInfinity(framesPerSecond))
        {
            throw new ArgumentException($"video size {width}x{height} at {framesPerSecond} fps: expected both sizes (or neither) and a rate >= 0");
        }

        _source = source;
        _live = source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("file:", StringComparison.Ordinal);
        if (!_live && !File.Exists(source))
        {
            throw new FileNotFoundException($"{source}: no such video file", source);
        }

        bool scale = width > 0;
        if (width == 0 || framesPerSecond == 0)
        {
            var probed = Probe(source, ffprobe);
            width = scale ? width : probed.Width;
            height = scale ? height : probed.Height;
            framesPerSecond = framesPerSecond > 0 ? framesPerSecond : probed.FramesPerSecond;
        }

        Format = new FrameFormat(width, height, framesPerSecond);
        string rate = framesPerSecond.ToString("R", CultureInfo.InvariantCulture);
        string filter = scale ? $"scale={width}:{height},fps={rate}" : $"fps={rate}";
        _ffmpeg = FfmpegProcess.Start(ffmpeg, ["-nostdin", "-loglevel", "error", "-i", source, "-an", "-vf", filter, "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"]);
    }

    /// <inheritdoc />
    public FrameFormat Format { get; }

    /// <summary>Whole frames delivered.</summary>
    public long Frames { get; private set; }

    /// <summary>Partial frames at the end of the stream, counted and dropped (0 or 1 for a file).</summary>
    public long ShortFrames { get; private set; }

    /// <inheritdoc />
    public bool TryReadFrame(Span<byte> luma, out long timestampNs)
    {
        int size = Format.LumaBytes;
        if (luma.Length < size)
        {
            throw new ArgumentException($"buffer of {luma.Length} bytes: a {Format.Width}x{Format.Height} frame needs {size}", nameof(luma));
        }

        timestampNs = 0;
        if (_ended)
        {
            return false;
        }

        int read = _ffmpeg.Output.ReadAtLeast(luma[..size], size, throwOnEndOfStream: false);
        if (read < size)
        {
            _ended = true;
            ShortFrames += read > 0 ? 1 : 0;
            _ffmpeg.WaitAndCheck(_source);
            return false;
        }

        timestampNs = _live ? (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100 : (long)Math.Round(Frames * 1e9 / Format.FramesPerSecond);
        Frames++;
        return true;
    }

    /// <summary>Stops FFmpeg if it still runs.</summary>
    public void Dispose() => _ffmpeg.Dispose();

    /// <summary>The first video stream's width, height and average rate, as ffprobe reports them.</summary>
    /// <exception cref="IOException">ffprobe failed (not a video FFmpeg reads: its message quoted) or found no video stream.</exception>
    public static FrameFormat Probe(string source, string ffprobe = "ffprobe")
    {
        string json = FfmpegProcess.RunToText(ffprobe,
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "json", source],
            $"{source}: not a readable video");
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new IOException($"{source}: no video stream");
        }

        var s = streams[0];
        int w = s.TryGetProperty("width", out var wv) ? wv.GetInt32() : 0;
        int h = s.TryGetProperty("height", out var hv) ? hv.GetInt32() : 0;
        double fps = Rate(s, "avg_frame_rate") is > 0 and var avg ? avg : Rate(s, "r_frame_rate");
        if (w <= 0 || h <= 0 || !(fps > 0))
        {
            throw new IOException($"{source}: video stream without a size or frame rate (ffprobe gave {w}x{h} at {fps} fps)");
        }

        return new FrameFormat(w, h, fps);
    }

    /// <summary>ffprobe's rational rate ("30000/1001"); 0 when absent or "0/0".</summary>
    private static double Rate(JsonElement stream, string key)
    {
        if (!stream.TryGetProperty(key, out var v) || v.GetString() is not { } text)
        {
            return 0;
        }

        int slash = text.IndexOf('/');
        return slash > 0
            && double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out double num)
            && double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double den)
            && den > 0 ? num / den : 0;
    }
}
