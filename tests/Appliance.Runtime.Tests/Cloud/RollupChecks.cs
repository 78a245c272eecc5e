using Appliance.Cloud.Rollups;
using Appliance.Kernels.Quantiles;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// The rollup equality check on both stores (SQLite and PostgreSQL): four devices (sites a, a, b and one without labels)
/// send 150 one-second windows of 100 seeded samples each, a sketch with every window; each rollup row is compared with a
/// recomputation from the raw samples of its bucket and group. Moments: count, min, max exact; mean within 1e-12·(|mean| + σ);
/// M2, M3, M4 (Pébay 2008 merges) within 1e-9·n·σ^k (the sums of k-th powers, to double rounding). Quantiles: within the
/// sketch's stated relative error α of the true lower quantile (Masson et al. 2019, Theorem 1), and equal to the quantile of
/// one sketch built from all the raw samples (the merge is exact, §2.3).
/// </summary>
internal static class RollupChecks
{
    public const double Alpha = 0.01;
    private const long Second = 1_000_000_000;
    private const int Windows = 150;
    private const int PerWindow = 100;

    private static readonly (string Id, Dictionary<string, string>? Labels)[] Fleet =
    [
        ("d1", new() { ["site"] = "a", ["line"] = "1" }),
        ("d2", new() { ["site"] = "a", ["line"] = "2" }),
        ("d3", new() { ["site"] = "b" }),
        ("d4", null),
    ];

    /// <summary>Stores the fleet's heartbeats and windows; returns the raw samples per device with their window starts.</summary>
    public static Dictionary<string, List<(long StartNs, float[] Samples)>> Seed(ICollectorStore store, long t0)
    {
        var raw = new Dictionary<string, List<(long, float[])>>();
        var rng = new Random(17);
        foreach (var (id, labels) in Fleet)
        {
            var batch = new List<Envelope> { Envelope.Create(id, 1, new Heartbeat { ConfigRevision = "r", ConfigState = "applied", ExecutionProvider = "CPU", Labels = labels }) };
            var windows = new List<(long, float[])>();
            int device = int.Parse(id[1..], CultureInfo.InvariantCulture);
            for (int w = 0; w < Windows; w++)
            {
                var samples = new float[PerWindow];
                for (int i = 0; i < samples.Length; i++)
                {
                    // Box-Muller normal, scaled per device, crossing zero (both sketch stores) with an occasional spike.
                    double n = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                    samples[i] = (float)((device * 0.7) + (n * (1 + device)) + (rng.NextDouble() < 0.01 ? 40 : 0));
                }

                long start = t0 + (w * Second);
                var sketch = new DDSketch(Alpha);
                sketch.Add(samples);
                batch.Add(Envelope.Create(id, 2 + w, new Summary
                {
                    Sensor = "vib", Channel = "x", WindowStartNs = start, WindowEndNs = start + Second,
                    // The double overload: the windows exact to double rounding, so the check isolates the merge (the float
                    // overload's own precision, 2·72·2⁻²⁴ of the power sums, is WindowStatistics' and tested there).
                    Features = WindowStatistics.Compute(Array.ConvertAll(samples, x => (double)x)), Quantiles = QuantileSketch.From(sketch),
                }));
                windows.Add((start, samples));
            }

            Assert.Equal(batch.Count, store.Store(batch, 0, t0).Stored);
            raw[id] = windows;
        }

        return raw;
    }

    /// <summary>Rolls up per device and per site every minute and compares every row with the raw samples.</summary>
    public static void RollupsEqualRecomputation<TStore>(TStore store)
        where TStore : ICollectorStore, IFleetReader
    {
        // Start 30 s into a minute: 150 s of windows span buckets of 30, 60, 60 s.
        long t0 = (WireSamples.StartNs / RollupQuery.MinuteNs * RollupQuery.MinuteNs) + (30 * Second);
        var raw = Seed(store, t0);
        var labels = store.GetDeviceLabels();
        Assert.Equal("a", labels["d1"]["site"]);
        Assert.Empty(labels["d4"]);

        foreach (string by in new[] { "device", "label:site" })
        {
            var query = RollupQuery.Parse("vib", "1m", by, t0 - RollupQuery.MinuteNs, t0 + RollupQuery.HourNs);
            var rows = store.QueryRollups(query);
            string Group(string id) => query.LabelKey is null ? id : labels[id].GetValueOrDefault("site", RollupRow.Unlabelled);
            var expected = raw.SelectMany(kv => kv.Value.Select(w => (Group: Group(kv.Key), Device: kv.Key, w.StartNs, w.Samples)))
                .GroupBy(w => (Bucket: w.StartNs / RollupQuery.MinuteNs * RollupQuery.MinuteNs, w.Group))
                .OrderBy(g => g.Key.Bucket).ThenBy(g => g.Key.Group, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Count, rows.Count);
            Assert.Equal(by == "device" ? 12 : 9, rows.Count); // 3 buckets × (4 devices | sites a, b and "(none)")
            for (int i = 0; i < rows.Count; i++)
            {
                var (key, row) = (expected[i].Key, rows[i]);
                Assert.Equal((key.Bucket, key.Group, "x"), (row.BucketStartNs, row.Group, row.Channel));
                Assert.Equal(expected[i].Count(), row.Windows);
                Assert.Equal(expected[i].Select(w => w.Device).Distinct().Count(), row.Devices);
                double[] xs = [.. expected[i].SelectMany(w => w.Samples).Select(x => (double)x)];
                AssertMoments(xs, row.Features, $"{by} {key}");
                AssertQuantiles(xs, row, $"{by} {key}");
            }
        }
    }

    private static void AssertMoments(double[] xs, WindowFeatures f, string what)
    {
        int n = xs.Length;
        double mean = xs.Sum() / n;
        double sigma = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / n);
        Assert.Equal(n, f.Count);
        Assert.Equal(xs.Min(), f.Min);
        Assert.Equal(xs.Max(), f.Max);
        Assert.True(Math.Abs(f.Mean - mean) <= 1e-12 * (Math.Abs(mean) + sigma), $"{what}: mean {f.Mean} against {mean}");
        for (int k = 2; k <= 4; k++)
        {
            double m = xs.Sum(x => Math.Pow(x - mean, k));
            double got = k switch { 2 => f.M2, 3 => f.M3, _ => f.M4 };
            Assert.True(Math.Abs(got - m) <= 1e-9 * n * Math.Pow(sigma, k), $"{what}: M{k} {got} against {m}");
        }
    }

    private static void AssertQuantiles(double[] xs, RollupRow row, string what)
    {
        Array.Sort(xs);
        var whole = new DDSketch(Alpha, QuantileSketch.MaxBins);
        whole.Add(xs);
        Assert.Equal(Alpha, row.Alpha);
        Assert.Equal(xs.Length, row.SketchCount);
        foreach (var (q, got) in new[] { (0.50, row.P50), (0.95, row.P95), (0.99, row.P99) })
        {
            double truth = xs[(int)(q * (xs.Length - 1))]; // the lower quantile, the rank DDSketch answers for
            Assert.True(Math.Abs(got - truth) <= (Alpha * Math.Abs(truth)) + 1e-12, $"{what}: p{q * 100} {got} against {truth} (α = {Alpha})");
            Assert.Equal(whole.Quantile(q), got);
        }
    }
}
