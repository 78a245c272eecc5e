using System.Globalization;
using System.Text;
using Appliance.Cloud.Training;
using Appliance.Contracts.Inference;

namespace Appliance.Evaluation;

/// <summary>Settings of one <c>appliance eval skab</c> run (docs/multivariate.md states what was tried on which files).</summary>
/// <param name="Model">A <see cref="MultivariateBundle.Kinds"/> model kind.</param>
/// <param name="TrainRows">Rows at the start of each file the model is fitted on (SKAB's notebooks: <c>X_train = df[:400]</c>); the rest are the test rows.</param>
/// <param name="Quantile">Quantile of the training scores that sets the model's threshold (SKAB's notebooks: 0.99).</param>
/// <param name="Margin">The alarm threshold as a multiple of the model's (SKAB's autoencoder notebook alarms at 3/2·UCL).</param>
/// <param name="Smooth">Rows of the causal moving average of the normalised score (1: none).</param>
/// <param name="Channels">Comma-separated sensor columns the model sees, in this order; null or empty for every one.</param>
public sealed record SkabOptions(string Model = "pca", int TrainRows = 400, double Quantile = 0.95, double Margin = 0.8, int Smooth = 30, string? Channels = SkabOptions.DefaultChannels)
{
    /// <summary>
    /// The channels the default model sees: every SKAB sensor but the two temperatures (Temperature, Thermocouple), which
    /// drift slowly through each experiment, so that a model fitted on the first 400 rows alarms on most later normal rows
    /// (FAR 59 % with them on valve1; docs/multivariate.md).
    /// </summary>
    public const string DefaultChannels = "Accelerometer1RMS,Accelerometer2RMS,Current,Pressure,Voltage,Volume Flow RateRMS";

    /// <summary>The settings <c>eval skab</c> runs with unless told otherwise (chosen on valve1 files 0-7: docs/multivariate.md).</summary>
    public static SkabOptions Default { get; } = new();

    /// <summary>The name of the score files' folder and prefix: the model kind.</summary>
    public string Detector => Model;
}

/// <summary>
/// SKAB's proposed-leaderboard protocol: for each file, fit a multivariate model on its first <see cref="SkabOptions.TrainRows"/>
/// rows (anomaly-free), score the remaining rows through the model's ONNX graph in ONNX Runtime (as a device scores it),
/// and report per test row anomaly_score = (causal moving average over <see cref="SkabOptions.Smooth"/> rows of
/// score/threshold)/margin; a row is predicted anomalous when anomaly_score &gt; 1. <see cref="Score"/> turns those into the
/// leaderboard's figures (<see cref="SkabMetrics"/>).
/// </summary>
public static class SkabRun
{
    /// <summary>Fits and scores every file; returns the anomaly_score of each file's test rows.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or a file has no test rows.</exception>
    public static double[][] Run(SkabCorpus corpus, SkabOptions options, Action<int, int>? progress = null)
    {
        if (options.TrainRows < 10 || options.Smooth < 1 || !(options.Margin > 0))
        {
            throw new ArgumentException($"--train-rows {options.TrainRows} (≥ 10), --smooth {options.Smooth} (≥ 1), --margin {options.Margin} (> 0): a value is out of range");
        }

        var scores = new double[corpus.Files.Count][];
        var done = 0;
        Parallel.For(0, corpus.Files.Count, i =>
        {
            var file = corpus.Files[i];
            var test = file.Length - options.TrainRows;
            if (test < 1)
            {
                throw new ArgumentException($"{file.RelativePath}: {file.Length} rows, none left to test after the {options.TrainRows} training rows");
            }

            var columns = Columns(file, options.Channels);
            var rows = file.Rows.Select(r => columns.Select(c => r[c]).ToArray()).ToArray();
            var model = MultivariateBundle.Fit(options.Model, rows[..options.TrainRows], options.Quantile);
            var input = rows[options.TrainRows..].SelectMany(r => r).ToArray();
            var raw = new float[test];
            using (var scorer = new OnnxScorer(model.ToOnnx(), test, model.Features, GpuPolicy.Off))
            {
                scorer.Run(input, raw);
            }

            var s = new double[test];
            var sum = 0.0;
            for (var r = 0; r < test; r++)
            {
                sum += raw[r] / model.Threshold;
                if (r >= options.Smooth)
                {
                    sum -= raw[r - options.Smooth] / model.Threshold;
                }

                s[r] = sum / Math.Min(r + 1, options.Smooth) / options.Margin;
            }

            scores[i] = s;
            progress?.Invoke(Interlocked.Increment(ref done), corpus.Files.Count);
        });
        return scores;
    }

    /// <summary>The leaderboard figures of per-test-row anomaly scores (a row is an alarm when its score is above 1).</summary>
    /// <param name="corpus">The files.</param>
    /// <param name="scores">Per file, one score per test row: the file's last rows.</param>
    /// <exception cref="ArgumentException">A score array is longer than its file.</exception>
    public static SkabResult Score(SkabCorpus corpus, IReadOnlyList<double[]> scores)
    {
        (long Tp, long Fp, long Tn, long Fn) counts = default;
        var raw = new double[SkabMetrics.Profiles.Count];
        var windows = 0;
        for (var i = 0; i < corpus.Files.Count; i++)
        {
            var file = corpus.Files[i];
            var offset = file.Length - scores[i].Length;
            if (offset < 0)
            {
                throw new ArgumentException($"{file.RelativePath}: {scores[i].Length} scores for {file.Length} rows");
            }

            var prediction = scores[i].Select(v => v > 1).ToArray();
            SkabMetrics.CountOutliers(file.Anomaly.AsSpan(offset), prediction, ref counts);
            var (r, w) = SkabMetrics.ChangepointNab(file.Timestamps.AsSpan(offset), file.Changepoint.AsSpan(offset), SkabMetrics.Changepoints(prediction));
            windows += w;
            for (var p = 0; p < raw.Length; p++)
            {
                raw[p] += r[p];
            }
        }

        var nab = raw.Select((v, p) => SkabMetrics.Normalise(v, windows, SkabMetrics.Profiles[p])).ToArray();
        return new SkabResult(corpus.Files.Count, counts.Tp, counts.Fp, counts.Tn, counts.Fn, nab[0], nab[1], nab[2], windows);
    }

    /// <summary>
    /// Writes the scores in NAB's results layout: <c>DIR/&lt;detector&gt;/&lt;group&gt;/&lt;detector&gt;_&lt;n&gt;.csv</c>, one row per
    /// test row, header <c>timestamp,&lt;sensor columns&gt;,anomaly_score,anomaly,changepoint</c> (NAB's
    /// <c>timestamp,value,anomaly_score,label</c> with SKAB's columns), scores in round-trip ("R") form so that
    /// <see cref="ReadScores"/> gives back the same doubles.
    /// </summary>
    public static void WriteScores(string dir, string detector, SkabCorpus corpus, IReadOnlyList<double[]> scores)
    {
        var ci = CultureInfo.InvariantCulture;
        for (var i = 0; i < corpus.Files.Count; i++)
        {
            var file = corpus.Files[i];
            var path = ScorePath(Path.Combine(dir, detector), detector, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var sb = new StringBuilder();
            sb.Append("timestamp,").AppendJoin(',', file.Channels).Append(",anomaly_score,anomaly,changepoint\n");
            var offset = file.Length - scores[i].Length;
            for (var r = 0; r < scores[i].Length; r++)
            {
                var row = offset + r;
                sb.Append(file.Timestamps[row].ToString("yyyy-MM-dd HH:mm:ss", ci));
                foreach (var v in file.Rows[row])
                {
                    sb.Append(',').Append(v.ToString("R", ci));
                }

                sb.Append(',').Append(scores[i][r].ToString("R", ci)).Append(',').Append(file.Anomaly[row]).Append(',').Append(file.Changepoint[row]).Append('\n');
            }

            File.WriteAllText(path, sb.ToString());
        }
    }

    /// <summary>
    /// Reads scores written by <see cref="WriteScores"/> from a detector's results folder (<c>DIR/&lt;detector&gt;</c>):
    /// each file's rows must be the data file's last rows, timestamp for timestamp.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file has no score file.</exception>
    /// <exception cref="FormatException">A score file is malformed or its timestamps differ from the data file's (file and line named).</exception>
    public static double[][] ReadScores(string resultsDir, string detector, SkabCorpus corpus)
    {
        var scores = new double[corpus.Files.Count][];
        for (var i = 0; i < corpus.Files.Count; i++)
        {
            var file = corpus.Files[i];
            var path = ScorePath(resultsDir, detector, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: no score file for {file.RelativePath}", path);
            }

            var (times, values) = NabCorpus.ReadCsv(path, "anomaly_score");
            var offset = file.Length - times.Length;
            if (offset < 0)
            {
                throw new FormatException($"{path}: {times.Length} rows, but {file.RelativePath} has {file.Length}");
            }

            for (var r = 0; r < times.Length; r++)
            {
                if (times[r] != file.Timestamps[offset + r])
                {
                    throw new FormatException($"{path}:{r + 2}: timestamp {times[r]:yyyy-MM-dd HH:mm:ss} differs from {file.RelativePath}'s row {offset + r + 2} ({file.Timestamps[offset + r]:yyyy-MM-dd HH:mm:ss}): the score rows must be the data file's last rows");
                }
            }

            scores[i] = values;
        }

        return scores;
    }

    /// <summary>The column indices of the named channels (all when none are named).</summary>
    /// <exception cref="ArgumentException">A name is not one of the file's sensor columns.</exception>
    private static int[] Columns(SkabFile file, string? channels)
    {
        if (string.IsNullOrWhiteSpace(channels))
        {
            return [.. Enumerable.Range(0, file.Channels.Length)];
        }

        return [.. channels.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(name =>
        {
            var i = Array.IndexOf(file.Channels, name);
            return i >= 0 ? i : throw new ArgumentException($"--channels '{name}': {file.RelativePath} has no such sensor column (it has {string.Join(", ", file.Channels)})");
        })];
    }

    private static string ScorePath(string resultsDir, string detector, SkabFile file)
    {
        var group = Path.GetDirectoryName(file.RelativePath) ?? string.Empty;
        return Path.Combine(resultsDir, group, $"{detector}_{Path.GetFileName(file.RelativePath)}");
    }
}
