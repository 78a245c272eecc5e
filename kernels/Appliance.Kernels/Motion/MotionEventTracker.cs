namespace Appliance.Kernels.Motion;

/// <summary>A closed motion event and the bounds of the video segment that carries it.</summary>
/// <param name="StartNs">Timestamp of the event's first motion frame (the source's clock, nanoseconds).</param>
/// <param name="EndNs">Timestamp of its last motion frame.</param>
/// <param name="SegmentStartNs"><paramref name="StartNs"/> − pre-roll, not before the first frame seen.</param>
/// <param name="SegmentEndNs"><paramref name="EndNs"/> + post-roll, not after the stream's end when closed by
/// <see cref="MotionEventTracker.Flush"/>.</param>
public readonly record struct MotionEvent(long StartNs, long EndNs, long SegmentStartNs, long SegmentEndNs);

/// <summary>
/// Turns per-frame motion flags into events: an event starts at a motion frame, continues through gaps without motion of
/// up to max(<see cref="MotionSettings.HoldS"/>, <see cref="MotionSettings.PostRollS"/>), and is returned by the first
/// frame after that gap (so its post-roll is already in hand); events shorter than <see cref="MotionSettings.MinEventS"/>
/// (first to last motion frame) are dropped and counted in <see cref="Dropped"/>.
/// </summary>
/// <remarks>No allocation per frame (results are nullable structs). Timestamps must not go backwards. Not thread-safe.</remarks>
public sealed class MotionEventTracker
{
    private readonly long _pre;
    private readonly long _post;
    private readonly long _min;
    private readonly long _gap;
    private bool _seen;
    private long _first;
    private long _previous;
    private long _start;
    private long _last;

    /// <summary>Creates a tracker with the timing of <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">A setting out of range (named).</exception>
    public MotionEventTracker(MotionSettings settings)
    {
        settings.Validate();
        _pre = Nanoseconds(settings.PreRollS);
        _post = Nanoseconds(settings.PostRollS);
        _min = Nanoseconds(settings.MinEventS);
        _gap = Math.Max(Nanoseconds(settings.HoldS), _post);
    }

    /// <summary>Whether an event is open (motion seen and its gap not yet over).</summary>
    public bool InEvent { get; private set; }

    /// <summary>The open event's first motion frame time; meaningful while <see cref="InEvent"/>.</summary>
    public long OpenStartNs => _start;

    /// <summary>Events returned so far.</summary>
    public long Events { get; private set; }

    /// <summary>Events dropped for being shorter than <see cref="MotionSettings.MinEventS"/>.</summary>
    public long Dropped { get; private set; }

    /// <summary>Feeds one frame.</summary>
    /// <param name="timestampNs">The frame's time in nanoseconds (not before the previous frame's).</param>
    /// <param name="motion">Whether the frame has motion (<see cref="MotionFrame.Motion"/>).</param>
    /// <returns>The event this frame closes, or null.</returns>
    /// <exception cref="ArgumentException"><paramref name="timestampNs"/> is before the previous frame's.</exception>
    public MotionEvent? Update(long timestampNs, bool motion)
    {
        if (!_seen)
        {
            _seen = true;
            _first = timestampNs;
        }
        else if (timestampNs < _previous)
        {
            throw new ArgumentException($"frame time {timestampNs} ns is before the previous frame's {_previous} ns", nameof(timestampNs));
        }

        _previous = timestampNs;
        if (motion)
        {
            if (!InEvent)
            {
                InEvent = true;
                _start = timestampNs;
            }

            _last = timestampNs;
            return null;
        }

        return InEvent && timestampNs - _last > _gap ? Close(long.MaxValue) : null;
    }

    /// <summary>Closes the open event at the end of the stream.</summary>
    /// <param name="endNs">The stream's end (the last frame's time plus one frame period); caps the segment's end.</param>
    /// <returns>The open event, or null when none is open (or it is shorter than the minimum).</returns>
    public MotionEvent? Flush(long endNs) => InEvent ? Close(endNs) : null;

    private MotionEvent? Close(long endNs)
    {
        InEvent = false;
        if (_last - _start < _min)
        {
            Dropped++;
            return null;
        }

        Events++;
        return new MotionEvent(_start, _last, Math.Max(_first, _start - _pre), Math.Min(endNs, _last + _post));
    }

    private static long Nanoseconds(double seconds) => (long)Math.Round(seconds * 1e9);
}
