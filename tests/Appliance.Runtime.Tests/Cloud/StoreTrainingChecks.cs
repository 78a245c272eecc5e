using Appliance.Cloud.Control;
using Appliance.Kernels.Statistics;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>
/// <c>cloud train</c> and alert labels (issue 18 items 1 and 5) on a store, shared by the SQLite and PostgreSQL tests. Windows
/// go in through the collector's own path (<see cref="ICollectorStore.Store"/>): three devices, each window two samples a, b
/// drawn independently from N(0, 1) (seeded Box-Muller), so the features <c>first</c> = a and <c>last</c> = b are two
/// independent standard normals. Standardised, their covariance is I; PCA keeping one component leaves the residual
/// along the other unit direction v, v·z ~ N(0, 1), so the score Q = (v·z)² is χ² with 1 degree of freedom (Jackson &amp;
/// Mudholkar 1979; the χ² of a squared standard normal). Its 0.95 quantile is z₀.₉₇₅² = 1.959964² = 3.841459 (NIST/SEMATECH
/// e-Handbook of Statistical Methods, §1.3.6.7.4, table of χ² critical values, ν = 1). Tolerance: the nearest-rank quantile
/// of n = 1200 held-out scores has a standard error of √(p(1−p)/n) / f(q) = √(0.95·0.05/1200) / 0.0298 = 0.21 (f the χ²(1)
/// density at 3.84), plus the small error of the fitted mean, σ and direction; ±0.75 is over 3 of those.
/// </summary>
internal static class StoreTrainingChecks
{
    public const long Second = 1_000_000_000;
    public const int PerDevice = 2000;
    public const double Chi2Of1Quantile95 = 3.841459;
    public static readonly string[] Devices = ["t1", "t2", "t3"];

    /// <summary>Stores heartbeats (t1, t2 labelled site=a; t3 site=b) and <see cref="PerDevice"/> one-second windows per device from t0.</summary>
    public static void Seed(ICollectorStore store, long t0)
    {
        var rng = new Random(18);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        foreach (string id in Devices)
        {
            var batch = new List<Envelope> { Envelope.Create(id, 1, new Heartbeat { ConfigRevision = "r", ConfigState = "applied", ExecutionProvider = "CPU", Labels = new Dictionary<string, string> { ["site"] = id == "t3" ? "b" : "a" } }) };
            for (int w = 0; w < PerDevice; w++)
            {
                long start = t0 + (w * Second);
                batch.Add(Envelope.Create(id, 2 + w, new Summary
                {
                    Sensor = "vib", Channel = "x", WindowStartNs = start, WindowEndNs = start + Second,
                    Features = WindowStatistics.Compute([Normal(), Normal()]),
                }));
            }

            Assert.Equal(batch.Count, store.Store(batch, 0, t0).Stored);
        }
    }

    public static StoreTrainingRequest Request(long t0, string outDir, string devices = "*") =>
        new(devices, t0, t0 + (PerDevice * Second), "vib", null, ["first", "last"], outDir, "test store") { Components = 1, Alpha = 0.05, HoldOut = 0.2 };

    /// <summary>The threshold is the χ²(1) 0.95 quantile; the bundle loads as a device loads it, threshold and all.</summary>
    public static void ThresholdIsChiSquareQuantile<TStore>(TStore store, string outDir)
        where TStore : ICollectorStore, IFleetReader
    {
        long t0 = WireSamples.StartNs;
        Seed(store, t0);
        var r = StoreTrainer.Train(store, Request(t0, outDir));

        Assert.Equal(Devices, r.Devices);
        Assert.Equal(3 * PerDevice, r.Windows);
        Assert.Equal(4800, r.Model.TrainingRows);
        Assert.Equal(1200, r.Model.HeldOutRows);
        Assert.Equal(0.95, r.Quantile, 12);
        Assert.InRange(r.Model.Threshold, Chi2Of1Quantile95 - 0.75, Chi2Of1Quantile95 + 0.75);
        // Nearest rank: at most ⌊0.05·1200⌋ = 60 held-out scores lie above the 0.95 quantile (ties excepted; there are none here).
        Assert.InRange(r.Model.HeldOutAlertRate, 0.04, 0.05);
        var package = ModelPackage.LoadDirectory(outDir);
        Assert.Equal(r.Model.Threshold, double.Parse(OnnxScorer.ReadMetadata(package.Onnx)[OnnxScorer.ThresholdKey], System.Globalization.CultureInfo.InvariantCulture), 12);

        // Selectors as pull-config and rollups take them: a label selects t1 and t2, an id adds t3.
        var two = StoreTrainer.Train(store, Request(t0, outDir + "-2", "label:site=a"));
        Assert.Equal(["t1", "t2"], two.Devices);
        Assert.Equal(2 * PerDevice, two.Windows);
        Assert.Equal(["t1", "t2", "t3"], DeviceSelector.Resolve(store, "label:site=a,t3"));
    }

    /// <summary>Labels on the store: true, then relabelled false; precision; windows around a true alert left out.</summary>
    public static void LabelsGatePrecisionAndTraining<TStore>(TStore store, string outDir)
        where TStore : ICollectorStore, IFleetReader
    {
        long t0 = WireSamples.StartNs;
        Seed(store, t0);
        // Four alerts of t1 in the middle of the range; the detector fires at the end of a window.
        long at = t0 + (1000 * Second);
        Assert.Equal(4, store.Store([.. Enumerable.Range(0, 4).Select(i => Envelope.Create("t1", 5000 + i, WireSamples.AlertOf("vib", at + (i * 100 * Second))))], 0, t0).Stored);

        Assert.Null(store.LabelAlert("t1", 4999, true, t0)); // no such alert
        Assert.True(store.LabelAlert("t1", 5000, false, t0 + 1)!.Label is false);
        var relabelled = store.LabelAlert("t1", 5000, true, t0 + 2)!; // the operator changes their mind: the later label wins
        Assert.True(relabelled.Label);
        Assert.Equal(t0 + 2, relabelled.LabelledNs);
        Assert.True(store.LabelAlert("t1", 5001, false, t0 + 3)!.Label is false);
        Assert.True(store.LabelAlert("t1", 5002, false, t0 + 4)!.Label is false);

        var p = AlertLabels.Precision(store, ["t1"], t0, t0 + (PerDevice * Second));
        Assert.Equal(new LabelPrecision(1, 2, 1), p);
        Assert.Equal(1 / 3.0, p.Precision, 12);
        Assert.True(double.IsNaN(AlertLabels.Precision(store, ["t2"], t0, t0 + (PerDevice * Second)).Precision));
        Assert.Equal([true, false, false, null], store.QueryAlerts(new AlertQuery("t1", 0, long.MaxValue, null, null, 10)).OrderBy(a => a.Sequence).Select(a => a.Label));

        // Margin 2 s around the true alert at `at`: t1's windows [s, s + 1 s) touching [at − 2 s, at + 2 s] are those with
        // s from at − 3 s (ending at at − 2 s) to at + 2 s: 6 windows. The false and unlabelled alerts leave theirs in.
        var r = StoreTrainer.Train(store, Request(t0, outDir) with { ExcludeMarginNs = 2 * Second });
        Assert.Equal(1, r.TrueAlerts);
        Assert.Equal(6, r.ExcludedWindows);
        Assert.Equal((3 * PerDevice) - 6, r.Windows);
        var kept = StoreTrainer.Train(store, Request(t0, outDir + "-all") with { ExcludeLabelled = false });
        Assert.Equal(0, kept.ExcludedWindows);
        Assert.Equal(3 * PerDevice, kept.Windows);
    }
}
