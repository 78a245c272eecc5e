using Appliance.Contracts.Wire;
using Appliance.Kernels.Quantiles;
using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Rollups;

/// <summary>
/// Folds windows into rollup rows, one state per (bucket, group, channel): the map-reduce of mergeable states. Windows may
/// arrive in any order; the moments are exact merges (Pébay 2008), the sketches bin-wise sums (Masson et al. 2019, §2.3).
/// </summary>
public sealed class RollupAccumulator
{
    private readonly long _everyNs;
    private readonly Dictionary<(long Bucket, string Group, string Channel), State> _states = [];

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="everyNs">Bucket length in ns, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">everyNs below 1.</exception>
    public RollupAccumulator(long everyNs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyNs, 1);
        _everyNs = everyNs;
    }

    /// <summary>Adds one window.</summary>
    /// <param name="group">Its group (device id or label value).</param>
    /// <param name="deviceId">Its device.</param>
    /// <param name="channel">Its channel.</param>
    /// <param name="windowStartNs">Its start, UTC Unix ns (picks the bucket).</param>
    /// <param name="features">Its features.</param>
    /// <param name="sketch">Its quantile sketch, or null.</param>
    public void Add(string group, string deviceId, string channel, long windowStartNs, in WindowFeatures features, QuantileSketch? sketch)
    {
        long bucket = Math.DivRem(windowStartNs, _everyNs, out long rem) * _everyNs - (rem < 0 ? _everyNs : 0);
        var key = (bucket, group, channel);
        if (!_states.TryGetValue(key, out State? s))
        {
            s = new State();
            _states[key] = s;
        }

        s.Features = s.Windows == 0 ? features : WindowStatistics.Merge(s.Features, features);
        s.Windows++;
        s.Devices.Add(deviceId);
        if (sketch is null)
        {
            return;
        }

        s.Sketch ??= new DDSketch(sketch.Alpha, QuantileSketch.MaxBins);
        if (s.Sketch.RelativeAccuracy == sketch.Alpha)
        {
            sketch.AddTo(s.Sketch);
        }
        else
        {
            s.SketchesSkipped++;
        }
    }

    /// <summary>The rows, ordered by bucket, group and channel (ordinal).</summary>
    /// <returns>The rows.</returns>
    public IReadOnlyList<RollupRow> Rows() =>
        [.. _states.OrderBy(kv => kv.Key.Bucket).ThenBy(kv => kv.Key.Group, StringComparer.Ordinal).ThenBy(kv => kv.Key.Channel, StringComparer.Ordinal)
            .Select(kv => Row(kv.Key.Bucket, kv.Key.Group, kv.Key.Channel, kv.Value))];

    private static RollupRow Row(long bucket, string group, string channel, State s)
    {
        DDSketch? q = s.Sketch;
        return new RollupRow(bucket, group, channel, s.Windows, s.Devices.Count, s.Features, q?.RelativeAccuracy ?? double.NaN, q?.Count ?? 0,
            s.SketchesSkipped, q?.Quantile(0.50) ?? double.NaN, q?.Quantile(0.95) ?? double.NaN, q?.Quantile(0.99) ?? double.NaN);
    }

    private sealed class State
    {
        public WindowFeatures Features = WindowFeatures.Empty;
        public long Windows;
        public readonly HashSet<string> Devices = new(StringComparer.Ordinal);
        public DDSketch? Sketch;
        public long SketchesSkipped;
    }
}
