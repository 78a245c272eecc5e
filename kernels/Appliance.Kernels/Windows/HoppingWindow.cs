using Appliance.Kernels.Statistics;

namespace Appliance.Kernels.Windows;

/// <summary>
/// Hopping windows of a fixed length that start every hop, by sample count or by time; tumbling windows are the case
/// hop = length. Samples are fed in chunks as spans straight from where they lie (a ring's segments, a file's column):
/// nothing is copied.
/// </summary>
/// <remarks>
/// <para>Panes (Li, Maier, Tufte, Papadimos and Tucker 2005, "No pane, no gain: efficient evaluation of sliding-window
/// aggregates over data streams", SIGMOD Record 34(1)): the stream is cut into panes of p = gcd(length, hop) units, the
/// fused kernel runs once over each pane's samples, and each window is the exact merge
/// (<see cref="WindowStatistics.Merge(in WindowFeatures, in WindowFeatures)"/>) of its length / p panes. Every sample is
/// read once however much the windows overlap.</para>
/// <para>Window k covers [k·hop, k·hop + length). A window is handed to the sink when a sample at or past its end
/// arrives, or by <see cref="Flush{TSink}(ref TSink)"/> (which also hands over the open, partial windows). Windows with
/// no sample are not emitted. Time basis: timestamps must not decrease; a sample earlier than the pane being filled
/// is dropped and counted in <see cref="LateSamples"/>.</para>
/// <para>State is allocated at construction (length / p pane slots); feeding and closing windows allocate nothing.</para>
/// </remarks>
public sealed class HoppingWindow
{
    private const long NoPane = long.MinValue;

    private readonly long _pane;
    private readonly long _panesPerWindow;
    private readonly long _panesPerHop;
    private readonly WindowFeatures[] _ring;
    private readonly long[] _ringPane;
    private long _currentPane = NoPane;
    private WindowFeatures _current = WindowFeatures.Empty;
    private long _nextWindow;
    private long _position;

    /// <summary>Creates hopping windows.</summary>
    /// <param name="length">Window length: samples (Count) or nanoseconds (Time), &gt; 0.</param>
    /// <param name="hop">Distance between window starts, in the same units, 0 &lt; hop ≤ length·1000.</param>
    /// <param name="basis">Whether length and hop count samples or nanoseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException">length or hop is not positive, or length / gcd(length, hop) exceeds 65,536 panes.</exception>
    public HoppingWindow(long length, long hop, WindowBasis basis)
    {
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "window length must be positive");
        }

        if (hop <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(hop), hop, "window hop must be positive");
        }

        Length = length;
        Hop = hop;
        Basis = basis;
        _pane = Gcd(length, hop);
        _panesPerWindow = length / _pane;
        _panesPerHop = hop / _pane;
        if (_panesPerWindow > 65_536)
        {
            throw new ArgumentOutOfRangeException(
                nameof(hop), hop, $"length {length} and hop {hop} need {_panesPerWindow} panes of gcd {_pane} per window (at most 65,536): choose a hop that divides the length more evenly");
        }

        _ring = new WindowFeatures[_panesPerWindow];
        _ringPane = new long[_panesPerWindow];
        Array.Fill(_ringPane, NoPane);
    }

    /// <summary>Tumbling windows: hop = length.</summary>
    /// <param name="length">Window length: samples (Count) or nanoseconds (Time), &gt; 0.</param>
    /// <param name="basis">Whether length counts samples or nanoseconds.</param>
    /// <returns>Windows of <paramref name="length"/> that do not overlap.</returns>
    public static HoppingWindow Tumbling(long length, WindowBasis basis) => new(length, length, basis);

    /// <summary>Window length, in samples or nanoseconds.</summary>
    public long Length { get; }

    /// <summary>Distance between window starts, in samples or nanoseconds.</summary>
    public long Hop { get; }

    /// <summary>Whether length and hop count samples or nanoseconds.</summary>
    public WindowBasis Basis { get; }

    /// <summary>Time basis: samples dropped because their timestamp was earlier than the pane being filled.</summary>
    public long LateSamples { get; private set; }

    /// <summary>Feeds samples in sample order (Count basis; timestamps are not needed).</summary>
    /// <param name="values">The samples; NaN samples are counted in the windows' NanCount.</param>
    /// <param name="sink">Receives every window closed by these samples.</param>
    /// <exception cref="InvalidOperationException">The windows are by time.</exception>
    public void Add<TSink>(ReadOnlySpan<float> values, ref TSink sink)
        where TSink : IWindowSink
    {
        if (Basis != WindowBasis.Count)
        {
            throw new InvalidOperationException("these windows are by time: pass the samples' timestamps");
        }

        int i = 0;
        while (i < values.Length)
        {
            long pane = _position / _pane;
            int run = (int)Math.Min(values.Length - i, ((pane + 1) * _pane) - _position);
            AddRun(pane, values.Slice(i, run), ref sink);
            i += run;
            _position += run;
        }
    }

    /// <summary>Feeds timestamped samples (Time basis); timestamps in nanoseconds since the epoch, non-decreasing.</summary>
    /// <param name="timestampsNs">One timestamp per sample.</param>
    /// <param name="values">The samples; NaN samples are counted in the windows' NanCount.</param>
    /// <param name="sink">Receives every window closed by these samples.</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    /// <exception cref="InvalidOperationException">The windows are by count.</exception>
    public void Add<TSink>(ReadOnlySpan<long> timestampsNs, ReadOnlySpan<float> values, ref TSink sink)
        where TSink : IWindowSink
    {
        if (Basis != WindowBasis.Time)
        {
            throw new InvalidOperationException("these windows are by count: pass the samples without timestamps");
        }

        if (timestampsNs.Length != values.Length)
        {
            throw new ArgumentException($"{timestampsNs.Length} timestamps for {values.Length} samples: expected one per sample", nameof(timestampsNs));
        }

        int i = 0;
        while (i < values.Length)
        {
            long pane = FloorDiv(timestampsNs[i], _pane);
            if (pane < _currentPane && _currentPane != NoPane)
            {
                LateSamples++;
                i++;
                continue;
            }

            long paneEnd = (pane + 1) * _pane;
            int j = i + 1;
            while (j < values.Length && timestampsNs[j] < paneEnd && timestampsNs[j] >= timestampsNs[j - 1])
            {
                j++;
            }

            AddRun(pane, values[i..j], ref sink);
            i = j;
        }
    }

    /// <summary>Closes the pane being filled and hands every window that holds a sample to the sink, partial ones included; then starts afresh.</summary>
    /// <param name="sink">Receives the windows.</param>
    public void Flush<TSink>(ref TSink sink)
        where TSink : IWindowSink
    {
        if (_currentPane != NoPane)
        {
            ClosePane();
            long last = _currentPane;
            for (; _nextWindow * _panesPerHop <= last; _nextWindow++)
            {
                Emit(_nextWindow, ref sink);
            }
        }

        Array.Fill(_ringPane, NoPane);
        _currentPane = NoPane;
        _current = WindowFeatures.Empty;
        _nextWindow = 0;
        _position = 0;
    }

    private void AddRun<TSink>(long pane, ReadOnlySpan<float> run, ref TSink sink)
        where TSink : IWindowSink
    {
        WindowFeatures f = WindowStatistics.Compute(run);
        if (pane == _currentPane)
        {
            _current = WindowStatistics.Merge(in _current, in f);
            return;
        }

        if (_currentPane != NoPane)
        {
            ClosePane();
            // Every window that ends at or before the new pane is complete.
            for (; (_nextWindow * _panesPerHop) + _panesPerWindow <= pane; _nextWindow++)
            {
                if (_nextWindow * _panesPerHop > _currentPane)
                {
                    break; // the rest hold no closed pane
                }

                Emit(_nextWindow, ref sink);
            }
        }

        // Skip windows that end before the new pane (they hold no sample): the first open window containing it.
        long first = CeilDiv(pane - _panesPerWindow + 1, _panesPerHop);
        if (Basis == WindowBasis.Count)
        {
            first = Math.Max(first, 0); // count windows start at the first sample fed
        }

        _nextWindow = _currentPane == NoPane ? first : Math.Max(_nextWindow, first);
        _currentPane = pane;
        _current = f;
    }

    private void ClosePane()
    {
        long slot = Slot(_currentPane);
        _ring[slot] = _current;
        _ringPane[slot] = _currentPane;
    }

    private void Emit<TSink>(long window, ref TSink sink)
        where TSink : IWindowSink
    {
        long startPane = window * _panesPerHop;
        WindowFeatures w = WindowFeatures.Empty;
        for (long p = startPane; p < startPane + _panesPerWindow; p++)
        {
            long slot = Slot(p);
            if (_ringPane[slot] == p)
            {
                w = WindowStatistics.Merge(in w, in _ring[slot]);
            }
        }

        if (w.Count + w.NanCount > 0)
        {
            long start = startPane * _pane;
            sink.OnWindow(start, start + Length, in w);
        }
    }

    private long Slot(long pane) => ((pane % _panesPerWindow) + _panesPerWindow) % _panesPerWindow;

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static long FloorDiv(long a, long b) => (a / b) - (((a % b) != 0 && ((a < 0) != (b < 0))) ? 1 : 0);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}
