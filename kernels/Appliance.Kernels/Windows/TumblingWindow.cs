using Appliance.Kernels.Statistics;

namespace Appliance.Kernels.Windows;

/// <summary>
/// Tumbling windows by time over one sensor's <see cref="SampleRing"/> of C channels: windows are aligned to multiples of
/// the length since the Unix epoch (<c>[k·L, (k+1)·L)</c>), so that windows of different devices and sensors line up and
/// merge. A sample whose timestamp reaches the open window's end closes it; empty windows in a gap are not emitted.
/// </summary>
/// <remarks>
/// <para>Zero copy: the window reads its samples where the ring holds them. <see cref="Drain"/> scans the new timestamps
/// for the first sample outside the open window (a vectorised range search over the ring's timestamp segments), runs the
/// fused kernel (<see cref="WindowStatistics.Compute(ReadOnlySpan{float})"/>) over each channel's run of samples
/// <c>[from, to)</c> in the ring's own storage (two segments where the run crosses the ring's wrap), merges the result
/// into the open window's partial features, and only then advances the ring. The partial state is one
/// <see cref="WindowFeatures"/> per channel; the moments merge exactly (Chan, Golub and LeVeque 1979; Pébay 2008,
/// SAND2008-6212, <see cref="WindowStatistics.Merge(in WindowFeatures, in WindowFeatures)"/>), counts, NaN counts and
/// Σx² add, min/max combine, first/last and the zero crossing at the seam are taken from the two sides.</para>
/// <para>While the open window's accepted samples fill at most half the ring they are held there unread (the producer
/// keeps the other half), so the kernel usually runs once per window, over the whole window, when it closes; a longer
/// window is folded in runs of half the ring. So the ring need not hold a window, and a window of any length costs no
/// buffer: state is C features, allocated once; draining and closing allocate nothing.</para>
/// <para>Results: the closed features equal the one-pass kernel over the window's samples to the kernel's own rounding
/// (the float lanes sum 64 terms per lane, <see cref="WindowStatistics"/> class remarks); which runs the window was cut
/// into changes only that rounding. Counts, NaN counts, min, max, first, last and zero crossings are exact.</para>
/// <para>One consumer thread drains; <see cref="LateSamples"/> and <see cref="EarlySamples"/> may be read from any thread.</para>
/// </remarks>
public sealed class TumblingWindow
{
    private readonly SampleRing _ring;
    private readonly WindowFeatures[] _open;
    private readonly long _lengthNs;
    private readonly long _stepBackNs;
    private readonly int _holdLimit;
    private long _notBeforeNs;
    private long _startNs = long.MinValue;
    private int _held;   // samples at the ring's head accepted into the open window and not yet folded into _open
    private long _folded; // samples (NaN included) already folded into _open
    private long _lateSamples;
    private long _earlySamples;
    private long _stepsBack;

    /// <summary>Creates the window state over <paramref name="ring"/> (its one consumer from now on).</summary>
    /// <param name="ring">The sensor's ring; its <see cref="SampleRing.Channels"/> is C.</param>
    /// <param name="length">The window length (at least 1 ms).</param>
    /// <param name="notBeforeNs">Samples stamped before this instant (Unix ns) are dropped and counted in
    /// <see cref="EarlySamples"/> (the pipeline passes its options' NotBeforeNs); <see cref="long.MinValue"/> takes every sample.</param>
    /// <param name="stepBack">A sample stamped this much or more before the open window (or the not-before instant) is a
    /// clock stepped back, not a late sample: the open window closes (as at its end) and a window opens at that sample, and
    /// the step is counted in <see cref="StepsBack"/>. Live sensors, whose stamps come from one clock that only goes back
    /// at a detected step, pass that clock's step threshold; null (replays, training) keeps every earlier sample late.</param>
    /// <exception cref="ArgumentOutOfRangeException">The length is under 1 ms, or the step back is not positive.</exception>
    public TumblingWindow(SampleRing ring, TimeSpan length, long notBeforeNs = long.MinValue, TimeSpan? stepBack = null)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, TimeSpan.FromMilliseconds(1));
        if (stepBack is { } back)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(back, TimeSpan.Zero, nameof(stepBack));
        }

        _ring = ring;
        _lengthNs = length.Ticks * 100;
        _notBeforeNs = notBeforeNs;
        _stepBackNs = stepBack is { } b ? b.Ticks * 100 : long.MaxValue;
        _holdLimit = Math.Max(1, ring.Capacity / 2);
        _open = new WindowFeatures[ring.Channels];
        _open.AsSpan().Fill(WindowFeatures.Empty);
    }

    /// <summary>Sees each run of samples folded and each close (for example spectral features); null for none. Set before
    /// the first <see cref="Drain"/>.</summary>
    public IWindowTap? Tap { get; set; }

    /// <summary>Samples older than the open window (out of order), dropped and counted.</summary>
    public long LateSamples => Interlocked.Read(ref _lateSamples);

    /// <summary>Samples stamped before the not-before instant given at construction, dropped and counted.</summary>
    public long EarlySamples => Interlocked.Read(ref _earlySamples);

    /// <summary>Clock steps back seen in the timestamps (see the constructor's stepBack): windows restarted, no sample dropped.</summary>
    public long StepsBack => Interlocked.Read(ref _stepsBack);

    /// <summary>Start of the open window (Unix ns), or <see cref="long.MinValue"/> before the first sample.</summary>
    public long StartNs => _startNs;

    /// <summary>Samples (NaN included) in the open window: those folded into its features and those held in the ring.</summary>
    public long Count => _folded + _held;

    /// <summary>Unread samples at the ring's head that the open window has taken but not yet folded (they stay in the
    /// ring): the ring holds <see cref="SampleRing.Count"/> − Held samples this window has not looked at yet.</summary>
    public int Held => _held;

    /// <summary>Samples in the ring that this window has not looked at yet (<see cref="SampleRing.Count"/> − <see cref="Held"/>):
    /// 0 when every sample written so far has been taken into a window or dropped.</summary>
    public int Unread => _ring.Count - _held;

    /// <summary>
    /// Takes the ring's new samples into the open window, up to the first sample at or past its end, which closes it:
    /// the window's features are then written to <paramref name="closed"/> (one per channel) and that sample is left in the
    /// ring as the first of the next window. Late and early samples are dropped from the ring and counted.
    /// </summary>
    /// <param name="closed">C features, written only when a window closed.</param>
    /// <param name="closedStartNs">The closed window's start, Unix ns (inclusive).</param>
    /// <param name="closedEndNs">The closed window's end, Unix ns (exclusive).</param>
    /// <returns>True when a window closed (call again for the samples after it); false when every sample the ring held
    /// at the call has been taken.</returns>
    public bool Drain(Span<WindowFeatures> closed, out long closedStartNs, out long closedEndNs)
    {
        closedStartNs = closedEndNs = 0;
        int n = _ring.Peek(int.MaxValue);
        while (_held < n)
        {
            _ring.TimestampSegments(n, out var t0, out var t1);
            if (_startNs != long.MinValue)
            {
                // The run of samples inside [max(start, not-before), end): the common case, one vectorised search. The
                // range is never empty (the window opened at a sample at or after not-before), but an empty one must not
                // reach the search, whose unsigned range test would then accept everything.
                long low = Math.Max(_startNs, _notBeforeNs), high = _startNs + _lengthNs - 1;
                if (low <= high)
                {
                    _held = IndexOutside(t0, t1, _held, low, high);
                    if (_held == n)
                    {
                        break;
                    }
                }
            }

            long ts = _held < t0.Length ? t0[_held] : t1[_held - t0.Length];
            long reference = Math.Max(_startNs, _notBeforeNs);
            if (_stepBackNs != long.MaxValue && reference != long.MinValue && ts < reference - _stepBackNs)
            {
                // The clock stepped back: close the open window as at its end, and restart the windows (and drop the
                // not-before guard, which stood for the old time) at this sample, instead of taking the samples for late ones
                // until the clock is back where it was.
                n -= Fold();
                bool any = Close(closed, out closedStartNs, out closedEndNs);
                _startNs = AlignDown(ts);
                _notBeforeNs = long.MinValue;
                Interlocked.Increment(ref _stepsBack);
                if (any)
                {
                    return true;
                }
            }
            else if (ts < _notBeforeNs)
            {
                n -= Fold();
                _ring.Advance(1);
                n--;
                Interlocked.Increment(ref _earlySamples);
            }
            else if (_startNs == long.MinValue)
            {
                _startNs = AlignDown(ts);
            }
            else if (ts < _startNs)
            {
                n -= Fold();
                _ring.Advance(1);
                n--;
                Interlocked.Increment(ref _lateSamples);
            }
            else
            {
                // At or past the end: close, and let this sample open the window it falls in (gaps emit nothing).
                n -= Fold();
                bool any = Close(closed, out closedStartNs, out closedEndNs);
                _startNs = AlignDown(ts);
                if (any)
                {
                    return true;
                }
            }
        }

        if (_held >= _holdLimit)
        {
            Fold();
        }

        return false;
    }

    /// <summary>Folds the held samples and closes the open window (for example at the end of a replay) if it holds samples.</summary>
    /// <param name="closed">C features, written only when a window closed.</param>
    /// <param name="startNs">The closed window's start, Unix ns.</param>
    /// <param name="endNs">The closed window's end, Unix ns.</param>
    /// <returns>True when a window was closed.</returns>
    public bool Flush(Span<WindowFeatures> closed, out long startNs, out long endNs)
    {
        Fold();
        return Close(closed, out startNs, out endNs);
    }

    /// <summary>Runs the kernel over the held samples of every channel, merges them into the open window and releases
    /// them to the producer.</summary>
    /// <returns>The samples folded.</returns>
    private int Fold()
    {
        int count = _held;
        if (count == 0)
        {
            return 0;
        }

        for (var c = 0; c < _open.Length; c++)
        {
            _ring.ChannelSegments(c, count, out var first, out var second);
            WindowFeatures run = WindowStatistics.Compute(first);
            if (!second.IsEmpty)
            {
                WindowFeatures wrapped = WindowStatistics.Compute(second);
                run = WindowStatistics.Merge(in run, in wrapped);
            }

            _open[c] = WindowStatistics.Merge(in _open[c], in run);
            Tap?.Take(c, first, second);
        }

        _folded += count;
        _held = 0;
        _ring.Advance(count);
        return count;
    }

    private bool Close(Span<WindowFeatures> closed, out long startNs, out long endNs)
    {
        startNs = _startNs;
        endNs = _startNs + _lengthNs;
        if (_folded == 0)
        {
            Tap?.Close(emitted: false);
            return false;
        }

        Tap?.Close(emitted: true);
        _open.CopyTo(closed);
        _open.AsSpan().Fill(WindowFeatures.Empty);
        _folded = 0;
        return true;
    }

    /// <summary>The first index at or after <paramref name="from"/> of the samples t0 then t1 whose timestamp lies outside
    /// [<paramref name="low"/>, <paramref name="high"/>], or t0.Length + t1.Length when none does.</summary>
    private static int IndexOutside(ReadOnlySpan<long> t0, ReadOnlySpan<long> t1, int from, long low, long high)
    {
        if (from < t0.Length)
        {
            int k = t0[from..].IndexOfAnyExceptInRange(low, high);
            if (k >= 0)
            {
                return from + k;
            }

            from = t0.Length;
        }

        int j = t1[(from - t0.Length)..].IndexOfAnyExceptInRange(low, high);
        return j >= 0 ? from + j : t0.Length + t1.Length;
    }

    private long AlignDown(long t)
    {
        var r = t % _lengthNs;
        return r >= 0 ? t - r : t - r - _lengthNs;
    }
}
