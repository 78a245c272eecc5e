using System.Globalization;
using Appliance.Cloud.Control;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>What <c>appliance cloud train</c> asks of <see cref="StoreTrainer.Train"/>.</summary>
/// <param name="Devices">The devices: a <see cref="DeviceSelector"/> (ids, <c>label:KEY=VALUE</c>, <c>*</c>, comma-separated).</param>
/// <param name="SinceNs">Windows starting at or after this, UTC Unix ns.</param>
/// <param name="UntilNs">Windows starting before this, UTC Unix ns; after <paramref name="SinceNs"/>.</param>
/// <param name="Sensor">The sensor whose windows are taken, as the devices name it.</param>
/// <param name="Channel">Only this channel; null for every channel of the sensor (the device scores each channel's window
/// as one row with one model, so the rows of every channel train it).</param>
/// <param name="Features">Window feature columns (<see cref="WindowFeatureColumns.Names"/>), in model input order.</param>
/// <param name="OutDir">Where the bundle is written.</param>
/// <param name="Source">Names the store in the model card and errors (the <c>--db</c> text, without a password).</param>
public sealed record StoreTrainingRequest(string Devices, long SinceNs, long UntilNs, string Sensor, string? Channel, IReadOnlyList<string> Features, string OutDir, string Source)
{
    /// <summary>Principal components to keep; 0: enough to explain <see cref="Explained"/>.</summary>
    public int Components { get; init; }

    /// <summary>Variance fraction to explain when <see cref="Components"/> is 0.</summary>
    public double Explained { get; init; } = 0.95;

    /// <summary>The last fraction of the windows, in time order, held out to calibrate the threshold; in (0, 0.9].</summary>
    public double HoldOut { get; init; } = 0.2;

    /// <summary>The threshold is the (1 − alpha) quantile of the held-out windows' scores; alpha in (0, 1).</summary>
    public double Alpha { get; init; } = 0.001;

    /// <summary>Leave out the windows within <see cref="ExcludeMarginNs"/> of an alert labelled true (a true anomaly is not normal data).</summary>
    public bool ExcludeLabelled { get; init; } = true;

    /// <summary>How far around a true alert's time windows are left out, ns: a window [start, end) is left out when it
    /// touches [time − margin, time + margin] (the alert's time is the end of the window that fired).</summary>
    public long ExcludeMarginNs { get; init; } = 60_000_000_000;
}

/// <summary>What <see cref="StoreTrainer.Train"/> read, left out and wrote.</summary>
/// <param name="Model">The bundle's report (<see cref="ModelTrainer.Fit"/>): rows fitted and held out, threshold, held-out alert rate.</param>
/// <param name="Devices">The selected devices.</param>
/// <param name="DevicesWithWindows">How many of them had windows in the range.</param>
/// <param name="Windows">Windows used (fitted + held out).</param>
/// <param name="ExcludedWindows">Windows left out around alerts labelled true.</param>
/// <param name="TrueAlerts">Alerts labelled true in the range (whose windows were left out).</param>
/// <param name="Quantile">1 − alpha: the quantile of held-out scores taken as the threshold.</param>
public sealed record StoreTrainingReport(TrainingReport Model, IReadOnlyList<string> Devices, int DevicesWithWindows, int Windows, int ExcludedWindows, int TrueAlerts, double Quantile);

/// <summary>
/// <c>appliance cloud train</c> (issue 18 item 1): fits the PCA reconstruction bundle of <see cref="ModelTrainer"/> on the
/// window features the collector stored, instead of a CSV. The windows of the selected devices' sensor whose start lies in
/// the range are read through <see cref="IFleetReader.QuerySummaries"/> (SQLite or PostgreSQL, the same statement), ordered
/// by window start (then device, sequence), and each becomes one row of the named features, computed from the stored moments
/// as the device computes them (<see cref="WindowFeatureColumns.Value"/>). The split is chronological: the last
/// <see cref="StoreTrainingRequest.HoldOut"/> of the rows is held out, never fitted, and the threshold is the (1 − alpha)
/// quantile of its scores (nearest rank, <see cref="ModelPackage.ScoreQuantile"/>), written into the model's ONNX metadata
/// (<see cref="OnnxScorer.ThresholdKey"/>) where a device's <see cref="ModelPackage.RequireThreshold"/> looks for it.
/// </summary>
public static class StoreTrainer
{
    /// <summary>Reads, fits, calibrates and writes the bundle.</summary>
    /// <param name="store">The collector store.</param>
    /// <param name="request">What to train on.</param>
    /// <returns>What was used and written.</returns>
    /// <exception cref="ArgumentException">The range is empty or reversed, the selector or a feature is bad, alpha or the
    /// hold-out is out of range, or the range holds no (or too few) windows; the message names the option.</exception>
    /// <exception cref="InferenceException">ONNX Runtime disagrees with the trainer beyond 1e-5 relative.</exception>
    public static StoreTrainingReport Train(IFleetReader store, StoreTrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var r = request;
        if (r.SinceNs >= r.UntilNs)
        {
            throw new ArgumentException($"--since {Iso(r.SinceNs)} is not before --until {Iso(r.UntilNs)} (expected since < until)");
        }

        if (!(r.Alpha > 0 && r.Alpha < 1))
        {
            throw new ArgumentException($"--alpha {r.Alpha.ToString(CultureInfo.InvariantCulture)}: expected a value in (0, 1) (the threshold is the 1 - alpha quantile of held-out scores)");
        }

        ModelTrainer.Validate(r.HoldOut, 1 - r.Alpha, "--holdout");

        int[] columns;
        try
        {
            columns = WindowFeatureColumns.Resolve(r.Features);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--features: {e.Message}", e);
        }

        var devices = DeviceSelector.Resolve(store, r.Devices);
        var trueAlerts = r.ExcludeLabelled ? AlertLabels.TrueAlerts(store, devices, SaturatingAdd(r.SinceNs, -r.ExcludeMarginNs), SaturatingAdd(r.UntilNs, r.ExcludeMarginNs)) : [];
        var around = trueAlerts.ToLookup(a => a.DeviceId, StringComparer.Ordinal);
        var windows = new List<StoredSummary>();
        int excluded = 0, withWindows = 0;
        foreach (string device in devices)
        {
            var rows = store.QuerySummaries(new SummaryQuery(device, r.Sensor, r.SinceNs, r.UntilNs, int.MaxValue))
                .Where(s => (r.Channel is null || s.Channel == r.Channel) && s.Features.Count > 0).ToList();
            withWindows += rows.Count > 0 ? 1 : 0;
            foreach (var s in rows)
            {
                if (around[device].Any(a => s.WindowStartNs <= SaturatingAdd(a.TimeNs, r.ExcludeMarginNs) && s.WindowEndNs >= SaturatingAdd(a.TimeNs, -r.ExcludeMarginNs)))
                {
                    excluded++;
                }
                else
                {
                    windows.Add(s);
                }
            }
        }

        string what = $"{r.Source}: sensor {r.Sensor}{(r.Channel is null ? "" : "/" + r.Channel)} of {string.Join(",", devices)} from {Iso(r.SinceNs)} to {Iso(r.UntilNs)}";
        if (windows.Count == 0)
        {
            throw new ArgumentException($"{what}: no windows in range{(excluded > 0 ? $" ({excluded} left out around alerts labelled true)" : "")}");
        }

        windows.Sort((a, b) => a.WindowStartNs != b.WindowStartNs ? a.WindowStartNs.CompareTo(b.WindowStartNs)
            : string.CompareOrdinal(a.DeviceId, b.DeviceId) is var d && d != 0 ? d
            : a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : string.CompareOrdinal(a.Channel, b.Channel));
        var data = windows.ConvertAll(s => Array.ConvertAll(columns, c => WindowFeatureColumns.Value(s.Features, c)));
        double quantile = 1 - r.Alpha;
        string trainingData = $"{what} ({windows.Count} windows in window-start order; {excluded} left out within {r.ExcludeMarginNs / 1e9:G} s of {trueAlerts.Count} alerts labelled true); threshold = {quantile.ToString("G", CultureInfo.InvariantCulture)} quantile of the held-out scores";
        var model = ModelTrainer.Fit([.. r.Features], data, r.OutDir, r.Components, r.Explained, r.HoldOut, quantile, trainingData, "", what);
        return new StoreTrainingReport(model, devices, withWindows, windows.Count, excluded, trueAlerts.Count, quantile);
    }

    /// <summary>ISO 8601 UTC of a Unix ns time, to the second.</summary>
    public static string Iso(long unixNs) =>
        DateTime.UnixEpoch.AddTicks(unixNs / 100).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static long SaturatingAdd(long a, long b) => b > 0 && a > long.MaxValue - b ? long.MaxValue : b < 0 && a < long.MinValue - b ? long.MinValue : a + b;
}
