namespace Appliance.Cloud.Ingest;

/// <summary>
/// Rate limit for a warning a peer can trigger at will (malformed frames, refusals, unroutable replies): at most one line
/// per <see cref="Interval"/>, each carrying how many were left out since the previous line, so a flood of a million frames
/// writes a handful of lines while every frame is still counted. Used by the poller thread only.
/// </summary>
internal sealed class LogLimiter(TimeSpan interval)
{
    private long _nextMs = long.MinValue;
    private long _suppressed;

    /// <summary>Time between two lines.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>Occurrences left out of the log so far, in total.</summary>
    public long TotalSuppressed { get; private set; }

    /// <summary>Decides whether this occurrence is logged.</summary>
    /// <param name="nowMs">A monotonic clock, ms.</param>
    /// <param name="suppressedBefore">When true: occurrences left out since the last line.</param>
    /// <returns>True to write a line now.</returns>
    public bool ShouldLog(long nowMs, out long suppressedBefore)
    {
        if (nowMs >= _nextMs)
        {
            _nextMs = nowMs + (long)Interval.TotalMilliseconds;
            suppressedBefore = _suppressed;
            _suppressed = 0;
            return true;
        }

        _suppressed++;
        TotalSuppressed++;
        suppressedBefore = 0;
        return false;
    }
}
