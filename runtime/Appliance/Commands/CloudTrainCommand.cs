using System.CommandLine;
using System.Globalization;
using Appliance.Cloud.Storage;
using Appliance.Cloud.Training;
using Appliance.Contracts.Config;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance cloud train --db PATH|URL --devices SELECTOR --since T --until T --sensor NAME --out DIR [--channel C]
/// [--features LIST] [--components K] [--explained F] [--holdout 0.2] [--alpha 0.001] [--exclude-labelled true|false]
/// [--exclude-margin 1m] [--json]</c>: trains the PCA model bundle from the window features the collector stored
/// (<see cref="StoreTrainer"/>) and prints one summary line (or one JSON object). Bad input, an empty range, an unknown
/// device or a store that cannot be opened: one line, exit 2.
/// </summary>
internal static class CloudTrainCommand
{
    /// <summary>The verb.</summary>
    public static Command Create()
    {
        var db = CloudCommand.DbOption();
        var json = CloudCommand.JsonOption();
        var devices = new Option<string>("--devices") { Description = "The devices: ids, label:KEY=VALUE selectors (as cloud pull-config --selector) or * for all, comma-separated", Required = true };
        var since = new Option<string>("--since") { Description = "Windows starting at or after this: ISO 8601 UTC (2026-12-01T00:00:00Z) or Unix seconds", Required = true };
        var until = new Option<string>("--until") { Description = "Windows starting before this: ISO 8601 UTC or Unix seconds", Required = true };
        var sensor = new Option<string>("--sensor") { Description = "The sensor whose windows train the model, as the devices name it", Required = true };
        var channel = new Option<string?>("--channel") { Description = "Only this channel of the sensor (default: every channel, each window one row, as the device scores them)" };
        var output = new Option<string>("--out") { Description = "Directory for the bundle (model.onnx with the threshold in its metadata, selftest.toml, SHA256SUMS, model-card.md)", Required = true };
        var features = new Option<string>("--features") { Description = "Window features, comma-separated (mean,std,min,max,rms,skewness,kurtosis,...)", DefaultValueFactory = _ => "mean,std,min,max" };
        var components = new Option<int>("--components") { Description = "Principal components to keep (0: enough to explain --explained)", DefaultValueFactory = _ => 0 };
        var explained = new Option<double>("--explained") { Description = "Variance fraction to explain when --components is 0", DefaultValueFactory = _ => 0.95 };
        var holdout = new Option<double>("--holdout") { Description = "The last fraction of the windows, in time order, held out (never fitted) to calibrate the threshold", DefaultValueFactory = _ => 0.2 };
        var alpha = new Option<double>("--alpha") { Description = "Threshold = the (1 - alpha) quantile of the held-out windows' scores (nearest rank)", DefaultValueFactory = _ => 0.001 };
        var excludeLabelled = new Option<bool>("--exclude-labelled") { Description = "Leave out windows around alerts an operator labelled true (cloud alerts label ID true); --exclude-labelled false keeps them", DefaultValueFactory = _ => true, Arity = ArgumentArity.ZeroOrOne };
        var margin = new Option<string>("--exclude-margin") { Description = "How far around a true alert's time its windows are left out", DefaultValueFactory = _ => "1m" };
        var cmd = new Command("train", "Train the window-feature model bundle from the windows the collector stored, with a held-out part and a calibrated threshold")
        {
            db, devices, since, until, sensor, channel, output, features, components, explained, holdout, alpha, excludeLabelled, margin, json,
        };
        cmd.SetAction((p, _) => Cli.Guard(() =>
        {
            var names = p.GetValue(features)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            long marginNs = Duration.TryParse(p.GetValue(margin)!, out var span, out var error) ? span.Ticks * 100 : throw new ArgumentException($"--exclude-margin: {error}");
            var request = new StoreTrainingRequest(p.GetValue(devices)!, Time("--since", p.GetValue(since)!), Time("--until", p.GetValue(until)!), p.GetValue(sensor)!,
                p.GetValue(channel), names, p.GetValue(output)!, "")
            {
                Components = p.GetValue(components), Explained = p.GetValue(explained), HoldOut = p.GetValue(holdout), Alpha = p.GetValue(alpha),
                ExcludeLabelled = p.GetValue(excludeLabelled), ExcludeMarginNs = marginNs,
            };
            using var store = Open(p.GetValue(db)!);
            var r = StoreTrainer.Train((IFleetReader)store, request with { Source = PostgresStore.IsUrl(p.GetValue(db)!) ? store.ToString()! : p.GetValue(db)! });
            if (p.GetValue(json))
            {
                CloudCommand.WriteJson(w => Json(w, r));
            }
            else
            {
                Console.WriteLine(Line(r));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return cmd;
    }

    /// <summary>The summary line.</summary>
    internal static string Line(StoreTrainingReport r) => string.Create(CultureInfo.InvariantCulture,
        $"cloud train: {r.Windows} windows used from {r.DevicesWithWindows} of {r.Devices.Count} devices ({r.Model.TrainingRows} fitted, {r.Model.HeldOutRows} held out); {r.Model.Components} components of {string.Join(",", r.Model.FeatureNames)}; threshold {r.Model.Threshold:G6} ({r.Quantile:G} quantile of held-out scores); held-out would-alert rate {r.Model.HeldOutAlertRate:P2}; {r.ExcludedWindows} windows left out around {r.TrueAlerts} alerts labelled true; wrote {Path.GetFullPath(r.Model.OutputDirectory)}/model.onnx");

    private static void Json(System.Text.Json.Utf8JsonWriter w, StoreTrainingReport r)
    {
        w.WriteStartObject();
        w.WriteNumber("windows", r.Windows);
        w.WriteNumber("training_windows", r.Model.TrainingRows);
        w.WriteNumber("held_out_windows", r.Model.HeldOutRows);
        w.WriteStartArray("devices");
        r.Devices.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteNumber("devices_with_windows", r.DevicesWithWindows);
        w.WriteStartArray("features");
        r.Model.FeatureNames.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteNumber("components", r.Model.Components);
        w.WriteNumber("explained_variance", r.Model.ExplainedVariance);
        w.WriteNumber("threshold", r.Model.Threshold);
        w.WriteNumber("quantile", r.Quantile);
        w.WriteNumber("held_out_alert_rate", r.Model.HeldOutAlertRate);
        w.WriteNumber("excluded_windows", r.ExcludedWindows);
        w.WriteNumber("true_alerts", r.TrueAlerts);
        w.WriteNumber("ort_max_relative_difference", r.Model.MaxRelativeDifference);
        w.WriteString("out", Path.GetFullPath(r.Model.OutputDirectory));
        w.WriteEndObject();
    }

    /// <summary>Opens the store for reading; one that cannot be opened (server down, refused login, not a store) is bad input here.</summary>
    private static ICollectorStore Open(string db)
    {
        try
        {
            return CloudCommand.OpenExisting(db);
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new IOException($"--db: cannot open the collector store: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a <c>--since</c>/<c>--until</c> value: Unix seconds (digits, optionally a fraction) or ISO 8601 (UTC when no offset).</summary>
    /// <returns>UTC Unix ns.</returns>
    /// <exception cref="ArgumentException">Neither form.</exception>
    internal static long Time(string option, string text)
    {
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds) && seconds < 9_000_000_000m)
        {
            return (long)(seconds * 1_000_000_000m);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            ? (when.UtcTicks - DateTime.UnixEpoch.Ticks) * 100
            : throw new ArgumentException($"{option} {Appliance.Kernels.Text.QuotedText.Quote(text)}: expected an ISO 8601 UTC time such as 2026-12-01T00:00:00Z, or Unix seconds such as 1796083200");
    }
}
