using System.Globalization;
using Appliance.Contracts.Config;

namespace Appliance.Device.Video;

/// <summary>One finished segment file of a camera's pre-roll ring.</summary>
/// <param name="Path">The file.</param>
/// <param name="StartNs">Its first frame, UTC Unix ns.</param>
/// <param name="EndNs">Its end, UTC Unix ns, exclusive.</param>
public readonly record struct SegmentFile(string Path, long StartNs, long EndNs);

/// <summary>
/// A camera's pre-roll ring in bounded space: ffmpeg's <c>segment</c> muxer writes the encoded stream as 1 s files
/// <c>seg000.ts</c> .. (wrapping after <see cref="Wrap"/> files) and keeps a CSV list of the last <see cref="Listed"/>
/// finished ones (<c>filename,start_s,end_s</c>, seconds of stream time; ffmpeg-formats(1), "segment"). A listed file is
/// never the one being written, since the wrap exceeds the list by two. Stream time 0 is the wall time the capture started
/// (<see cref="BaseNs"/>), the same origin the frame analysis stamps frames with.
/// </summary>
public sealed class SegmentRing
{
    /// <summary>Segment length, seconds (one key frame per segment: the GOP is one segment).</summary>
    public const int SegmentSeconds = 1;

    /// <summary>Creates the ring's description; nothing is written.</summary>
    /// <param name="directory">The ring directory (under the state directory); created by <see cref="Prepare"/>.</param>
    /// <param name="segment">The camera's segment settings (codec, pre-roll, longest clip).</param>
    /// <param name="baseNs">Wall time of stream time 0, UTC Unix ns.</param>
    public SegmentRing(string directory, SegmentSettings segment, long baseNs)
    {
        ArgumentNullException.ThrowIfNull(segment);
        Directory = directory;
        Segment = segment;
        BaseNs = baseNs;

        // The list must reach back over the longest clip (its pre-roll and the event up to max_s) plus the post-roll wait.
        Listed = (int)Math.Ceiling(segment.MaxLength + segment.PostRoll) + 2;
        Wrap = Listed + 2;
    }

    /// <summary>The ring directory.</summary>
    public string Directory { get; }

    /// <summary>The camera's segment settings.</summary>
    public SegmentSettings Segment { get; }

    /// <summary>Wall time of stream time 0, UTC Unix ns.</summary>
    public long BaseNs { get; set; }

    /// <summary>Finished segments ffmpeg lists.</summary>
    public int Listed { get; }

    /// <summary>Segment files before the names wrap: the ring's bound is this many seconds of encoded video.</summary>
    public int Wrap { get; }

    /// <summary>The list file ffmpeg rewrites after each segment.</summary>
    public string ListPath => System.IO.Path.Combine(Directory, "list.csv");

    /// <summary>Creates the directory and removes an earlier run's segments and list.</summary>
    public void Prepare()
    {
        System.IO.Directory.CreateDirectory(Directory);
        foreach (string f in System.IO.Directory.EnumerateFiles(Directory))
        {
            File.Delete(f);
        }
    }

    /// <summary>The ffmpeg output options that write the ring (after a <c>-map</c> of the video stream).</summary>
    /// <param name="fps">Frames per second of the stream (one GOP per segment).</param>
    /// <returns>The arguments, one per item.</returns>
    public IReadOnlyList<string> FfmpegOutput(int fps)
    {
        string gop = fps.ToString(CultureInfo.InvariantCulture);
        var args = new List<string>();
        if (Segment.Codec == "mjpeg")
        {
            args.AddRange(["-c:v", "mjpeg", "-q:v", "5", "-f", "segment", "-segment_format", "mjpeg"]);
        }
        else
        {
            args.AddRange(["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", gop, "-keyint_min", gop,
                "-sc_threshold", "0", "-f", "segment", "-segment_format", "mpegts"]);
        }

        args.AddRange(["-segment_time", SegmentSeconds.ToString(CultureInfo.InvariantCulture),
            "-segment_wrap", Wrap.ToString(CultureInfo.InvariantCulture), "-segment_list", ListPath, "-segment_list_type", "csv",
            "-segment_list_size", Listed.ToString(CultureInfo.InvariantCulture),
            System.IO.Path.Combine(Directory, "seg%03d." + Segment.Container)]);
        return args;
    }

    /// <summary>Reads ffmpeg's list: the finished segments, oldest first. A line being rewritten is skipped.</summary>
    /// <returns>The segments.</returns>
    public List<SegmentFile> Read()
    {
        var segments = new List<SegmentFile>();
        string text;
        try
        {
            text = File.ReadAllText(ListPath);
        }
        catch (FileNotFoundException)
        {
            return segments;
        }

        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(',');
            if (parts.Length == 3
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double start)
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double end) && end > start
                && parts[0].IndexOfAny(['/', '\\']) < 0 && parts[0].Length > 0)
            {
                segments.Add(new SegmentFile(System.IO.Path.Combine(Directory, parts[0]), BaseNs + (long)Math.Round(start * 1e9), BaseNs + (long)Math.Round(end * 1e9)));
            }
        }

        return segments;
    }

    /// <summary>
    /// The segments of a clip: those overlapping [<paramref name="eventStartNs"/> - pre-roll, <paramref name="eventEndNs"/> +
    /// post-roll), cut to the longest clip (<c>max_s</c>) from its start. Whole segments: the clip may begin up to one segment
    /// before the pre-roll and end up to one after the post-roll (decoders need the segment's key frame).
    /// </summary>
    /// <param name="segments">The finished segments, oldest first (<see cref="Read"/>).</param>
    /// <param name="eventStartNs">First frame of the event, UTC Unix ns.</param>
    /// <param name="eventEndNs">Last frame of the event, UTC Unix ns.</param>
    /// <returns>The segments, oldest first; empty when none overlaps.</returns>
    public List<SegmentFile> Cut(IReadOnlyList<SegmentFile> segments, long eventStartNs, long eventEndNs)
    {
        ArgumentNullException.ThrowIfNull(segments);
        long from = eventStartNs - (long)(Segment.PreRoll * 1e9);
        long to = Math.Min(eventEndNs + (long)(Segment.PostRoll * 1e9), from + (long)(Segment.MaxLength * 1e9));
        var cut = new List<SegmentFile>();
        foreach (SegmentFile s in segments)
        {
            if (s.EndNs > from && s.StartNs < to)
            {
                cut.Add(s);
            }
        }

        return cut;
    }
}
