using Appliance.Kernels.Motion;

namespace Appliance.Drivers.Video;

/// <summary>The events found in a video and what was read.</summary>
/// <param name="Events">The motion events in time order, with their segment bounds.</param>
/// <param name="Format">The frames' geometry and rate.</param>
/// <param name="Frames">Whole frames analysed.</param>
/// <param name="ShortFrames">Partial frames at the end, dropped (see <see cref="FfmpegFrameSource.ShortFrames"/>).</param>
/// <param name="DroppedEvents">Events shorter than <see cref="MotionSettings.MinEventS"/>, dropped.</param>
/// <param name="MotionFrames">Frames with motion (<see cref="MotionFrame.Motion"/>).</param>
/// <param name="Scores">Each event's score from the <see cref="IEventFrameScorer"/> given to <see cref="VideoAnalysis.Run"/>,
/// in the order of <paramref name="Events"/>; null when none was given.</param>
public sealed record VideoAnalysisResult(IReadOnlyList<MotionEvent> Events, FrameFormat Format, long Frames, long ShortFrames, long DroppedEvents, long MotionFrames, IReadOnlyList<float>? Scores = null)
{
    /// <summary>The stream's length in seconds: frames ÷ rate.</summary>
    public double DurationS => Format.FramesPerSecond > 0 ? Frames / Format.FramesPerSecond : 0;
}

/// <summary>
/// The device's analysis of a recorded video, frame by frame: <see cref="MotionDetector"/> on each luma plane, then
/// <see cref="MotionEventTracker"/>; what <c>appliance video</c> runs and prints.
/// </summary>
public static class VideoAnalysis
{
    /// <summary>Analyses every frame of <paramref name="source"/> and closes the last event at the stream's end.</summary>
    /// <param name="source">The frames (one buffer is allocated for them).</param>
    /// <param name="settings">Motion and event settings.</param>
    /// <param name="shortFrames">The source's count of dropped partial frames, read after the end (null: 0).</param>
    /// <param name="scorer">Scores each event's frames (every frame while an event is open); null for none.</param>
    /// <exception cref="ArgumentException">A setting out of range.</exception>
    /// <exception cref="IOException">The source failed (its message).</exception>
    public static VideoAnalysisResult Run(IFrameSource source, MotionSettings settings, Func<long>? shortFrames = null, IEventFrameScorer? scorer = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var format = source.Format;
        var detector = new MotionDetector(format.Width, format.Height, settings);
        var tracker = new MotionEventTracker(settings);
        var frame = new byte[format.LumaBytes];
        var events = new List<MotionEvent>();
        var scores = scorer is null ? null : new List<float>();
        long frames = 0, motionFrames = 0, last = 0;
        while (source.TryReadFrame(frame, out long t))
        {
            frames++;
            last = t;
            bool motion = detector.Analyze(frame).Motion;
            motionFrames += motion ? 1 : 0;
            long dropped = tracker.Dropped;
            var closed = tracker.Update(t, motion);
            if (tracker.InEvent)
            {
                scorer?.Add(frame);
            }

            Closed(closed, dropped);
        }

        long period = format.FramesPerSecond > 0 ? (long)Math.Round(1e9 / format.FramesPerSecond) : 0;
        if (frames > 0)
        {
            long dropped = tracker.Dropped;
            Closed(tracker.Flush(last + period), dropped);
        }

        return new VideoAnalysisResult(events, format, frames, shortFrames?.Invoke() ?? 0, tracker.Dropped, motionFrames, scores);

        // An update or flush returns an event (scored), drops one (its frames forgotten), or neither.
        void Closed(MotionEvent? e, long droppedBefore)
        {
            if (e is { } kept)
            {
                events.Add(kept);
                scores?.Add(scorer!.Close());
            }
            else if (tracker.Dropped != droppedBefore)
            {
                scorer?.Discard();
            }
        }
    }
}
