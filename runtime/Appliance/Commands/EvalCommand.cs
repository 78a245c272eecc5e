using Appliance.Detection;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Appliance.Evaluation;

namespace Appliance.Commands;

/// <summary>
/// <c>appliance eval nab --data DIR [--detector NAME] [--json]</c>: runs one of our streaming detectors over every NAB
/// series and scores it with the NAB method (<see cref="NabSweep"/>: thresholds optimised per profile), printing the
/// three normalised scores beside the published scoreboard (DIR/results/final_results.json).
/// <c>appliance eval nab --data DIR --scores RESULTS_DIR --detector NAME [--thresholds FILE | --threshold T]</c> scores a
/// detector's published per-row score files (<c>&lt;category&gt;/&lt;NAME&gt;_&lt;file&gt;.csv</c>) instead.
/// <c>--scores-out DIR</c> also writes the run's per-row scores in NAB's results layout
/// (<c>DIR/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c>, <see cref="NabCorpus.WriteScores"/>; the detector's
/// name with every character outside [A-Za-z0-9._-] replaced by '_'), which <c>--scores DIR/&lt;detector&gt;</c> (or
/// <c>--scores DIR</c>, when it holds that folder) scores back to the same figures. <c>eval skab</c>: see <see cref="EvalSkabCommand"/>.
/// <c>--json</c> prints only <c>{"standard":..,"reward_low_FP_rate":..,"reward_low_FN_rate":..}</c>. Progress goes to
/// standard error. Exit 2 on bad input (one line names the file, line or option).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The NAB corpus directory (data/, labels/, config/)", Required = true };
        var detector = new Option<string>("--detector") { Description = $"Detector name: ours ({string.Join(", ", DetectorSpec.Names)}) or, with --scores, the published detector's file prefix", DefaultValueFactory = _ => DetectorSpec.Default };
        var scores = new Option<string?>("--scores") { Description = "Score a published detector's results directory (<category>/<NAME>_<file>.csv) instead of running ours" };
        var thresholds = new Option<string?>("--thresholds") { Description = "NAB thresholds.json: use the detector's threshold per profile instead of optimising" };
        var threshold = new Option<double?>("--threshold") { Description = "One threshold for every profile instead of optimising" };
        var json = new Option<bool>("--json") { Description = "Print only {\"standard\":..,\"reward_low_FP_rate\":..,\"reward_low_FN_rate\":..}" };
        var scoresOut = new Option<string?>("--scores-out") { Description = "Also write the per-row scores to DIR/<detector>/<category>/<detector>_<file>.csv (NAB results layout)" };
        var nab = new Command("nab", "Score a detector on the Numenta Anomaly Benchmark") { data, detector, scores, thresholds, threshold, json, scoresOut };
        nab.SetAction((p, _) => Cli.Guard(() => Task.FromResult(Run(p.GetValue(data)!, p.GetValue(detector)!, p.GetValue(scores), p.GetValue(thresholds), p.GetValue(threshold), p.GetValue(json), p.GetValue(scoresOut)))));
        return new Command("eval", "Evaluate detectors on labelled benchmarks") { nab, EvalSkabCommand.Create() };
    }

    /// <summary>A detector's name as a results folder and file prefix: every character outside [A-Za-z0-9._-] becomes '_'.</summary>
    internal static string ResultsName(string detector) =>
        string.Concat(detector.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'));

    /// <summary>The folder <c>--scores DIR</c> names: DIR/&lt;detector&gt; when it exists (what <c>--scores-out DIR</c> wrote), else DIR.</summary>
    internal static string ResultsFolder(string dir, string name) =>
        Directory.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : dir;

    private static int Run(string dataDir, string detector, string? scoresDir, string? thresholdsFile, double? threshold, bool json, string? scoresOut)
    {
        if (scoresOut is not null && scoresDir is not null)
        {
            throw new ArgumentException("--scores-out and --scores: --scores-out writes a run's scores, --scores reads them; give one");
        }

        if (thresholdsFile is not null && threshold is not null)
        {
            throw new ArgumentException("--thresholds and --threshold: give one or the other");
        }

        if (scoresDir is null)
        {
            // Check the specification before loading 58 files, as a device would build it (no range, no probationary
            // length: see NabRun): a typo or a setting a device cannot take fails at once, with the key named.
            _ = DetectorSpec.Create(detector, double.NaN, double.NaN);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var corpus = NabCorpus.Load(dataDir, (done, all) => Progress("loading", done, all));
        double[][] scores;
        if (scoresDir is not null)
        {
            var name = ResultsName(detector);
            var folder = ResultsFolder(scoresDir, name);
            Console.Error.WriteLine($"eval: reading {detector} scores from {folder}");
            scores = corpus.ReadScores(folder, name);
        }
        else
        {
            scores = NabRun.Run(corpus, detector, (done, all) => Progress($"running {detector} on", done, all));
            if (scoresOut is not null)
            {
                corpus.WriteScores(scoresOut, ResultsName(detector), scores);
                Console.Error.WriteLine($"eval: wrote per-row scores to {Path.Combine(scoresOut, ResultsName(detector))}");
            }
        }

        IReadOnlyDictionary<string, double>? fixedThresholds = null;
        if (thresholdsFile is not null)
        {
            fixedThresholds = NabThresholds.Load(thresholdsFile, detector);
        }
        else if (threshold is { } t)
        {
            fixedThresholds = corpus.Profiles.ToDictionary(p => p.Name, _ => t, StringComparer.Ordinal);
        }

        Console.Error.WriteLine($"eval: scoring {corpus.Profiles.Count} profiles ({(fixedThresholds is null ? "optimising thresholds" : "fixed thresholds")})");
        var results = NabEvaluation.Score(corpus, scores, fixedThresholds);
        Console.Error.WriteLine($"eval: done in {started.Elapsed.TotalSeconds:F1} s");
        if (json)
        {
            Console.WriteLine("{" + string.Join(",", results.Select(r => $"\"{r.Profile.Name}\":{r.Normalised.ToString("R", CultureInfo.InvariantCulture)}")) + "}");
            return ExitCodes.Ok;
        }

        Console.WriteLine($"NAB: {corpus.Series.Count} files, {corpus.Series.Sum(s => s.Length)} rows, {corpus.LabelledWindows} windows; detector {detector}{(scoresDir is null ? string.Empty : $" (scores from {scoresDir})")}");
        Console.WriteLine($"{"profile",-20} {"threshold",12} {"raw",10} {"detected",9} {"FP rows",8} {"score",8}");
        foreach (var r in results)
        {
            Console.WriteLine($"{r.Profile.Name,-20} {r.Threshold,12:G6} {r.Raw,10:F3} {r.DetectedWindows,5}/{corpus.LabelledWindows,-3} {r.FalsePositives,8} {r.Normalised,8:F2}");
        }

        PrintScoreboard(Path.Combine(dataDir, "results", "final_results.json"), detector, results);
        return ExitCodes.Ok;
    }

    private static void PrintScoreboard(string path, string detector, IReadOnlyList<NabProfileScore> ours)
    {
        if (!File.Exists(path))
        {
            Console.WriteLine($"(no published scoreboard at {path})");
            return;
        }

        var names = ours.Select(r => r.Profile.Name).ToArray();
        var rows = new List<(string Name, double[] Scores)>();
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(path)))
        {
            foreach (var d in doc.RootElement.EnumerateObject())
            {
                var s = new double[names.Length];
                for (var i = 0; i < names.Length; i++)
                {
                    s[i] = d.Value.TryGetProperty(names[i], out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                }

                rows.Add((d.Name, s));
            }
        }

        rows.Add(($"> {detector} (this run)", [.. ours.Select(r => r.Normalised)]));
        Console.WriteLine();
        Console.WriteLine($"published scoreboard ({path}), with this run:");
        Console.WriteLine($"{"detector",-32} " + string.Join(" ", names.Select(n => $"{n,20}")));
        foreach (var (name, s) in rows.OrderByDescending(r => r.Scores[0]))
        {
            Console.WriteLine($"{name,-32} " + string.Join(" ", s.Select(v => $"{v,20:F2}")));
        }
    }

    internal static void Progress(string what, int done, int all)
    {
        if (done == all || done % 10 == 0)
        {
            Console.Error.WriteLine($"eval: {what} {done}/{all} files");
        }
    }
}
