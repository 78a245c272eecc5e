using System.CommandLine;
using System.Globalization;
using Appliance.Cloud.Training;
using Appliance.Evaluation;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance eval skab --data DIR [--model pca|ae] [--train-rows N] [--quantile Q] [--margin M] [--smooth W] [--channels LIST] [--json]
/// [--scores-out DIR | --scores DIR]</c>: SKAB's proposed-leaderboard protocol (<see cref="SkabRun"/>,
/// <see cref="SkabMetrics"/>) over every labelled SKAB file under DIR. Prints outlier F1, FAR and MAR (per test row) and the
/// changepoint NAB scores (standard, low FP, low FN; 60 s windows to the right of each changepoint). <c>--json</c> prints one
/// object: <c>{"f1":..,"far":..,"mar":..,"nab_standard":..,"nab_low_fp":..,"nab_low_fn":..,"files":..,"tp":..,"fp":..,"tn":..,"fn":..,"changepoints":..}</c>
/// (f1 a fraction; far and mar in percent, as SKAB's leaderboard prints them). <c>--scores-out DIR</c> writes the per-row
/// scores (<see cref="SkabRun.WriteScores"/>); <c>--scores DIR</c> scores such files instead of running a model (DIR or
/// DIR/&lt;model&gt;). Progress goes to standard error; exit 2 on bad input (one line names the file, line or option).
/// </summary>
internal static class EvalSkabCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "SKAB data directory (<group>/<n>.csv; files without anomaly/changepoint columns are left out)", Required = true };
        var model = new Option<string>("--model") { Description = $"Multivariate model fitted per file: {string.Join(", ", MultivariateBundle.Kinds)}", DefaultValueFactory = _ => SkabOptions.Default.Model };
        var trainRows = new Option<int>("--train-rows") { Description = "Rows at the start of each file to fit on (SKAB's notebooks: 400)", DefaultValueFactory = _ => SkabOptions.Default.TrainRows };
        var quantile = new Option<double>("--quantile") { Description = "Quantile of the training scores that sets the threshold", DefaultValueFactory = _ => SkabOptions.Default.Quantile };
        var margin = new Option<double>("--margin") { Description = "Alarm above this multiple of the threshold", DefaultValueFactory = _ => SkabOptions.Default.Margin };
        var smooth = new Option<int>("--smooth") { Description = "Rows of the causal moving average of the score (1: none)", DefaultValueFactory = _ => SkabOptions.Default.Smooth };
        var channels = new Option<string?>("--channels") { Description = "Comma-separated sensor columns the model sees (default: all)", DefaultValueFactory = _ => SkabOptions.Default.Channels };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (f1, far, mar, nab_standard, nab_low_fp, nab_low_fn, files, ...)" };
        var scoresOut = new Option<string?>("--scores-out") { Description = "Also write per-row scores to DIR/<model>/<group>/<model>_<n>.csv" };
        var scores = new Option<string?>("--scores") { Description = "Score files written by --scores-out (DIR or DIR/<model>) instead of running the model" };
        var cmd = new Command("skab", "Score a multivariate model on SKAB (Skoltech Anomaly Benchmark), proposed-leaderboard protocol") { data, model, trainRows, quantile, margin, smooth, channels, json, scoresOut, scores };
        cmd.SetAction((p, _) => Cli.Guard(() => Task.FromResult(Run(
            p.GetValue(data)!,
            new SkabOptions(p.GetValue(model)!, p.GetValue(trainRows), p.GetValue(quantile), p.GetValue(margin), p.GetValue(smooth), p.GetValue(channels)),
            p.GetValue(json),
            p.GetValue(scoresOut),
            p.GetValue(scores)))));
        return cmd;
    }

    private static int Run(string dataDir, SkabOptions options, bool json, string? scoresOut, string? scoresDir)
    {
        if (scoresOut is not null && scoresDir is not null)
        {
            throw new ArgumentException("--scores-out and --scores: --scores-out writes a run's scores, --scores reads them; give one");
        }

        if (!MultivariateBundle.Kinds.Contains(options.Model))
        {
            throw new ArgumentException($"--model '{options.Model}': expected one of {string.Join(", ", MultivariateBundle.Kinds)}");
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var corpus = SkabCorpus.Load(dataDir);
        double[][] rowScores;
        if (scoresDir is not null)
        {
            var folder = EvalCommand.ResultsFolder(scoresDir, options.Detector);
            Console.Error.WriteLine($"eval: reading {options.Detector} scores from {folder}");
            rowScores = SkabRun.ReadScores(folder, options.Detector, corpus);
        }
        else
        {
            rowScores = SkabRun.Run(corpus, options, (done, all) => EvalCommand.Progress($"fitting and scoring {options.Model} on", done, all));
            if (scoresOut is not null)
            {
                SkabRun.WriteScores(scoresOut, options.Detector, corpus, rowScores);
                Console.Error.WriteLine($"eval: wrote per-row scores to {Path.Combine(scoresOut, options.Detector)}");
            }
        }

        var r = SkabRun.Score(corpus, rowScores);
        Console.Error.WriteLine($"eval: done in {started.Elapsed.TotalSeconds:F1} s");
        var ci = CultureInfo.InvariantCulture;
        if (json)
        {
            Console.WriteLine(string.Create(ci, $"{{\"f1\":{r.F1:R},\"far\":{r.FarPercent:R},\"mar\":{r.MarPercent:R},\"nab_standard\":{r.NabStandard:R},\"nab_low_fp\":{r.NabLowFp:R},\"nab_low_fn\":{r.NabLowFn:R},\"files\":{r.Files},\"tp\":{r.TruePositives},\"fp\":{r.FalsePositives},\"tn\":{r.TrueNegatives},\"fn\":{r.FalseNegatives},\"changepoints\":{r.Changepoints}}}"));
            return ExitCodes.Ok;
        }

        var source = scoresDir is null ? string.Create(ci, $"model {options.Model}, fit on the first {options.TrainRows} rows, quantile {options.Quantile:R}, margin {options.Margin:R}, smooth {options.Smooth}, channels {options.Channels ?? "all"}") : $"scores from {scoresDir}";
        Console.WriteLine(string.Create(ci, $"SKAB: {r.Files} files, {r.TruePositives + r.FalsePositives + r.TrueNegatives + r.FalseNegatives} test rows, {r.Changepoints} changepoints; {source}"));
        Console.WriteLine(string.Create(ci, $"outliers:     F1 {r.F1:F2}  FAR {r.FarPercent:F2} %  MAR {r.MarPercent:F2} %  (TP {r.TruePositives}, FP {r.FalsePositives}, TN {r.TrueNegatives}, FN {r.FalseNegatives})"));
        Console.WriteLine(string.Create(ci, $"changepoints: NAB standard {r.NabStandard:F2}  low FP {r.NabLowFp:F2}  low FN {r.NabLowFn:F2}  (60 s windows to the right of each changepoint)"));
        Console.WriteLine("SKAB proposed leaderboard (README): outlier F1 0.78 Conv-AE and MSET, 0.76 T-squared+Q; changepoint NAB standard 32.42 MSCRED");
        return ExitCodes.Ok;
    }
}
