using Appliance.Kernels.Motion;

namespace Appliance.Kernels.Tests.Motion;

public class MotionEventTrackerTests
{
    private const long Ms = 1_000_000;

    /// <summary>Feeds frames every 100 ms from 0 to <paramref name="endMs"/> (exclusive) with motion inside the given
    /// [from, to] millisecond intervals; returns the events and the frame time (ms) that returned each.</summary>
    private static List<(MotionEvent Event, long AtMs)> Run(MotionEventTracker tracker, long endMs, params (long From, long To)[] motion)
    {
        var events = new List<(MotionEvent, long)>();
        for (long t = 0; t < endMs; t += 100)
        {
            bool m = motion.Any(i => t >= i.From && t <= i.To);
            if (tracker.Update(t * Ms, m) is { } e)
            {
                events.Add((e, t));
            }
        }

        if (tracker.Flush(endMs * Ms) is { } last)
        {
            events.Add((last, endMs));
        }

        return events;
    }

    [Fact]
    public void Update_GapWithinHold_MergesIntoOneEvent()
    {
        var tracker = new MotionEventTracker(new MotionSettings { HoldS = 1.0, PreRollS = 0.5, PostRollS = 0.5, MinEventS = 0 });
        var events = Run(tracker, 8000, (1000, 2000), (2800, 3500)); // gap 2.0 -> 2.8 s = 0.8 s <= 1 s
        var (e, at) = Assert.Single(events);
        Assert.Equal(new MotionEvent(1000 * Ms, 3500 * Ms, 500 * Ms, 4000 * Ms), e);
        Assert.Equal(4600, at); // first frame more than 1 s after the last motion frame (4.5 s is exactly 1 s: not more)
    }

    [Fact]
    public void Update_GapLongerThanHold_SplitsEvents()
    {
        var tracker = new MotionEventTracker(new MotionSettings { HoldS = 1.0, PreRollS = 0.5, PostRollS = 0.5, MinEventS = 0 });
        var events = Run(tracker, 8000, (1000, 2000), (3500, 4000)); // gap 1.5 s
        Assert.Equal([new MotionEvent(1000 * Ms, 2000 * Ms, 500 * Ms, 2500 * Ms), new MotionEvent(3500 * Ms, 4000 * Ms, 3000 * Ms, 4500 * Ms)],
            events.Select(x => x.Event));
        Assert.Equal(2, tracker.Events);
    }

    [Fact]
    public void Update_ShorterThanMinimum_DroppedAndCounted()
    {
        var tracker = new MotionEventTracker(new MotionSettings { HoldS = 0.5, MinEventS = 0.3, PostRollS = 0 });
        var events = Run(tracker, 6000, (1000, 1200), (3000, 3300)); // 0.2 s: dropped; 0.3 s: kept (not shorter)
        Assert.Equal(3000 * Ms, Assert.Single(events).Event.StartNs);
        Assert.Equal(1, tracker.Dropped);
    }

    [Fact]
    public void Update_PostRollLongerThanHold_EventReturnedAfterItsPostRoll()
    {
        var tracker = new MotionEventTracker(new MotionSettings { HoldS = 0.2, PreRollS = 0, PostRollS = 2.0, MinEventS = 0 });
        var events = Run(tracker, 10000, (1000, 1500), (2500, 3000)); // gap 1 s > hold but < post-roll: one event
        var (e, at) = Assert.Single(events);
        Assert.Equal(new MotionEvent(1000 * Ms, 3000 * Ms, 1000 * Ms, 5000 * Ms), e);
        Assert.Equal(5100, at);
        Assert.True(at * Ms >= e.SegmentEndNs);
    }

    [Fact]
    public void Segment_ClampedToFirstFrameAndFlushEnd()
    {
        var tracker = new MotionEventTracker(new MotionSettings { PreRollS = 2, PostRollS = 2, HoldS = 1, MinEventS = 0 });
        tracker.Update(500 * Ms, false); // first frame at 0.5 s
        Assert.Null(tracker.Update(1000 * Ms, true));
        Assert.True(tracker.InEvent);
        Assert.Null(tracker.Update(1500 * Ms, true));
        Assert.Equal(new MotionEvent(1000 * Ms, 1500 * Ms, 500 * Ms, 2000 * Ms), tracker.Flush(2000 * Ms));
        Assert.False(tracker.InEvent);
        Assert.Null(tracker.Flush(2000 * Ms));
    }

    [Fact]
    public void Update_TimeGoesBack_Throws()
    {
        var tracker = new MotionEventTracker(new MotionSettings());
        tracker.Update(1000, false);
        Assert.Throws<ArgumentException>(() => tracker.Update(999, true));
    }
}
