using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Appliance.Device.Uplink;

/// <summary>
/// The uplink's resend warnings, rate-limited: one line when it starts resending (no acknowledgement for
/// <see cref="UplinkOptions.ResendAfter"/>), a summary every <see cref="SummaryEvery"/> while it goes on, and one line when
/// acknowledgements resume. Before, a collector that was down logged a "resending" line every resend interval (every 2 s).
/// Used by the uplink thread only.
/// </summary>
internal sealed class ResendLog(ILogger logger)
{
    /// <summary>How often a summary is logged while the uplink keeps resending.</summary>
    public static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(1);

    private long _sinceTicks;
    private long _lastLineTicks;
    private long _resends;

    /// <summary>Records a resend from sequence <paramref name="from"/>, after <paramref name="silentMs"/> without progress.</summary>
    public void Resend(long from, long silentMs)
    {
        long now = Stopwatch.GetTimestamp();
        _resends++;
        if (_sinceTicks == 0)
        {
            _sinceTicks = _lastLineTicks = now;
            UplinkLog.Resending(logger, from, silentMs);
        }
        else if (Stopwatch.GetElapsedTime(_lastLineTicks, now) >= SummaryEvery)
        {
            _lastLineTicks = now;
            UplinkLog.StillResending(logger, from, _resends, (long)Stopwatch.GetElapsedTime(_sinceTicks, now).TotalSeconds);
        }
    }

    /// <summary>Records an acknowledgement that advanced the journal: ends a resending spell with one line.</summary>
    public void Progress()
    {
        if (_sinceTicks != 0)
        {
            UplinkLog.ResendingEnded(logger, _resends, (long)Stopwatch.GetElapsedTime(_sinceTicks).TotalSeconds);
            _sinceTicks = 0;
            _resends = 0;
        }
    }
}
