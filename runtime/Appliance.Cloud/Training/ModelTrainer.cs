using Appliance.Kernels.Windows;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Appliance.Contracts.Inference;
using Appliance.Kernels.Text;

namespace Appliance.Cloud.Training;

/// <summary>
/// <c>appliance train</c>: fits a <see cref="PcaReconstructionModel"/> on window features, chooses its threshold on
/// held-out normal rows, and writes a model bundle: <c>model.onnx</c>, <c>selftest.json</c> (held-out rows and the
/// trainer's own scores for them, checked by <see cref="HotSwapScorer"/> before a device uses the model) and
/// <c>model-card.md</c> (features, normalisation, components, threshold, training data and its SHA-256, date).
/// Input: a CSV with a header of feature names, read by <see cref="CsvReader"/> (its rules and <c>file:line</c> errors); a
/// <c>timestamp</c> column, if any, is ignored; every other cell must be a finite number. Rows are taken in file order: the first (1 − heldOut) fit the model, the rest choose the threshold.
/// After writing, the bundle is loaded in ONNX Runtime and every held-out row's score compared with the C# score.
/// Given a window length, the input is instead a recorded series (<c>timestamp,value</c>, as <c>appliance demo --replay</c>
/// takes it) cut into the device's own tumbling windows (<see cref="TumblingWindow"/>, <see cref="Appliance.Kernels.Statistics.WindowStatistics"/>), so
/// that the model sees exactly the features the device computes. The model's ONNX metadata names its input columns
/// (<see cref="OnnxScorer.FeaturesKey"/>) and carries the threshold (<see cref="OnnxScorer.ThresholdKey"/>); the folder
/// also holds <c>selftest.toml</c> and <c>SHA256SUMS</c>, so it can be committed as <c>models/NAME/</c> of a
/// configuration repository as it is (<see cref="ModelPackage"/>).
/// </summary>
public static class ModelTrainer
{
    /// <summary>Self-test rows written beside the model.</summary>
    public const int SelfTestRows = 16;

    /// <summary>Trains and writes the bundle.</summary>
    /// <param name="input">The features CSV.</param>
    /// <param name="outDir">Output directory (created).</param>
    /// <param name="components">k, or 0 to explain <paramref name="explained"/> of the variance.</param>
    /// <param name="explained">Variance fraction when k = 0.</param>
    /// <param name="heldOut">Fraction of rows held out, in (0, 0.9].</param>
    /// <param name="quantile">Quantile of held-out scores taken as the threshold, in (0, 1].</param>
    /// <exception cref="FileNotFoundException">The input is missing.</exception>
    /// <exception cref="FormatException">The input is malformed (file, line and column named).</exception>
    /// <exception cref="ArgumentException">A parameter is out of range or there are too few rows.</exception>
    /// <exception cref="InferenceException">ONNX Runtime does not load the written model or disagrees with the trainer beyond 1e-5 relative.</exception>
    /// <param name="window">Window length for a recorded <c>timestamp,value</c> series; null when the input is a features CSV.</param>
    /// <param name="features">Feature columns to use, in order (window feature names, <see cref="WindowFeatureColumns.Names"/>);
    /// null for every column of a features CSV, or <see cref="DefaultSeriesFeatures"/> for a series.</param>
    public static TrainingReport Train(string input, string outDir, int components = 0, double explained = 0.95, double heldOut = 0.2, double quantile = 0.999, TimeSpan? window = null, IReadOnlyList<string>? features = null)
    {
        Validate(heldOut, quantile);

        var (names, rows) = window is { } length ? ReadSeriesWindows(input, length, features ?? DefaultSeriesFeatures) : Select(input, ReadFeatures(input), features);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(input)));
        var windows = window is { } w ? string.Create(CultureInfo.InvariantCulture, $" of {w.TotalSeconds:G} s tumbling windows of the series (the device's own windows)") : string.Empty;
        return Fit(names, rows, outDir, components, explained, heldOut, quantile, $"{Path.GetFullPath(input)} (sha256 {sha})", windows, input);
    }

    /// <summary>
    /// Fits and writes the bundle from rows already in memory, in the order given (the last <paramref name="heldOut"/> of them
    /// held out to choose the threshold): the part of <see cref="Train"/> after reading, shared with
    /// <see cref="StoreTrainer"/> (<c>appliance cloud train</c>), so there is one PCA trainer.
    /// </summary>
    /// <param name="names">F feature names, in model input order.</param>
    /// <param name="rows">Rows of F values, oldest first.</param>
    /// <param name="outDir">Output directory (created).</param>
    /// <param name="components">k, or 0 to explain <paramref name="explained"/> of the variance.</param>
    /// <param name="explained">Variance fraction when k = 0.</param>
    /// <param name="heldOut">Fraction of rows held out, in (0, 0.9].</param>
    /// <param name="quantile">Quantile of held-out scores taken as the threshold, in (0, 1].</param>
    /// <param name="trainingData">Where the rows came from, for the model card.</param>
    /// <param name="inputNote">Appended to the model card's input line (empty for none).</param>
    /// <param name="what">Names the input in errors (a file, or the store's selection).</param>
    /// <returns>What was fitted and written.</returns>
    /// <exception cref="ArgumentException">A parameter is out of range or there are too few rows.</exception>
    /// <exception cref="InferenceException">ONNX Runtime disagrees with the trainer beyond 1e-5 relative.</exception>
    public static TrainingReport Fit(string[] names, List<float[]> rows, string outDir, int components, double explained, double heldOut, double quantile, string trainingData, string inputNote, string what)
    {
        Validate(heldOut, quantile);

        var split = (int)Math.Round(rows.Count * (1 - heldOut));
        if (split < 2 || rows.Count - split < 1)
        {
            throw new ArgumentException($"{what}: {rows.Count} rows are too few to fit and hold out {heldOut:P0} (need at least 3)");
        }

        var train = rows.GetRange(0, split);
        var held = rows.GetRange(split, rows.Count - split);
        var model = PcaReconstructionModel.Fit(train, components, explained);
        var f = names.Length;
        var heldFlat = held.SelectMany(r => r).ToArray();
        var heldScores = new float[held.Count];
        model.Score(heldFlat, heldScores);
        // Floor: on data that lies exactly in the k-dimensional subspace the held-out scores are rounding noise (~1e-14);
        // a threshold there would alarm on the next rounding difference. 1e-6 of F (the mean score of pure noise, since
        // the squared residual of standardised features sums to about F − k) keeps it meaningful.
        var threshold = Math.Max(ModelPackage.ScoreQuantile(heldScores, quantile), 1e-6 * names.Length);
        Directory.CreateDirectory(outDir);
        var onnx = model.ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.FeaturesKey] = string.Join(",", names),
            [OnnxScorer.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture),
        });
        File.WriteAllBytes(Path.Combine(outDir, "model.onnx"), onnx);
        var n = Math.Min(SelfTestRows, held.Count);
        var test = new ModelSelfTest(n, f, heldFlat[..(n * f)], heldScores[..n], 1e-5);
        test.Save(Path.Combine(outDir, ModelSelfTest.FileName));
        File.WriteAllText(Path.Combine(outDir, ModelPackage.SelfTestFile), SelfTestToml(test));

        // ONNX Runtime must agree with the trainer on every held-out row.
        var maxRel = 0.0;
        using (var scorer = new OnnxScorer(onnx, held.Count, f, GpuPolicy.Off))
        {
            var ort = new float[held.Count];
            scorer.Run(heldFlat, ort);
            for (var i = 0; i < ort.Length; i++)
            {
                maxRel = Math.Max(maxRel, Math.Abs(ort[i] - heldScores[i]) / Math.Max(1e-30, Math.Abs(heldScores[i])));
            }
        }

        if (maxRel > 1e-5)
        {
            throw new InferenceException($"ONNX Runtime scores differ from the trainer's by {maxRel:E2} relative (limit 1e-5)");
        }

        var variance = model.Eigenvalues.Take(model.Components).Sum() / Math.Max(1e-300, model.Eigenvalues.Sum(v => Math.Max(v, 0)));
        var alertRate = heldScores.Count(v => v > threshold) / (double)held.Count;
        var report = new TrainingReport(names, train.Count, held.Count, model.Components, variance, threshold, maxRel, outDir, alertRate);
        File.WriteAllText(Path.Combine(outDir, "model-card.md"), Card(report, model, trainingData, inputNote));
        WriteManifest(outDir);
        return report;
    }

    /// <summary>Checks the held-out fraction and the threshold quantile.</summary>
    /// <param name="heldOut">Fraction of rows held out, in (0, 0.9].</param>
    /// <param name="quantile">Quantile of held-out scores taken as the threshold, in (0, 1].</param>
    /// <param name="heldOutOption">The option that gave <paramref name="heldOut"/>, named in the error.</param>
    /// <exception cref="ArgumentException">One is out of range (the option named).</exception>
    public static void Validate(double heldOut, double quantile, string heldOutOption = "--held-out")
    {
        if (!(heldOut > 0 && heldOut <= 0.9))
        {
            throw new ArgumentException($"{heldOutOption} {heldOut.ToString(CultureInfo.InvariantCulture)}: expected a fraction in (0, 0.9]");
        }

        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentException($"--quantile {quantile}: expected a value in (0, 1]");
        }
    }

    /// <summary>The features of a recorded series' windows when none are named: mean, sample standard deviation, min and max.</summary>
    public static IReadOnlyList<string> DefaultSeriesFeatures { get; } = ["mean", "std", "min", "max"];

    /// <summary>
    /// The self-test in the configuration repository's format (<see cref="ModelPackage.SelfTest"/>): one case of the
    /// held-out rows with the trainer's scores; its tolerance is absolute, so the relative one is scaled by the largest score.
    /// </summary>
    internal static string SelfTestToml(ModelSelfTest test)
    {
        var ci = CultureInfo.InvariantCulture;
        var tolerance = test.RelativeTolerance * Math.Max(1.0, test.Expected.Max(v => Math.Abs((double)v)));
        var sb = new StringBuilder();
        sb.AppendLine("# Written by appliance train: held-out windows and the trainer's own scores for them (ONNX Runtime must agree).");
        sb.AppendLine(ci, $"streams = {test.Rows}");
        sb.AppendLine(ci, $"features = {test.Features}");
        sb.AppendLine(ci, $"tolerance = {tolerance.ToString("E3", ci)}");
        sb.AppendLine();
        sb.AppendLine("[[case]]");
        sb.AppendLine(ci, $"input = [{string.Join(", ", test.Input.Select(v => ((double)v).ToString("R", ci)))}]");
        sb.AppendLine(ci, $"expected = [{string.Join(", ", test.Expected.Select(v => ((double)v).ToString("R", ci)))}]");
        return sb.ToString();
    }

    /// <summary>SHA256SUMS over every other file of the folder, in the format of GNU <c>sha256sum</c> (hash, two spaces, name).</summary>
    internal static void WriteManifest(string outDir)
    {
        var sb = new StringBuilder();
        foreach (var file in Directory.GetFiles(outDir).Select(Path.GetFileName).Where(f => f != ModelPackage.ManifestFile).Order(StringComparer.Ordinal))
        {
            sb.Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, file!))))).Append("  ").Append(file).Append('\n');
        }

        File.WriteAllText(Path.Combine(outDir, ModelPackage.ManifestFile), sb.ToString());
    }

    private static (string[] Names, List<float[]> Rows) Select(string path, (string[] Names, List<float[]> Rows) all, IReadOnlyList<string>? features)
    {
        if (features is null)
        {
            return all;
        }

        var index = features.Select(f => Array.IndexOf(all.Names, f)).ToArray();
        if (index.FirstOrDefault(i => i < 0, 0) < 0)
        {
            var missing = features.First(f => Array.IndexOf(all.Names, f) < 0);
            throw new FormatException($"{path}:1: --features names '{missing}', which is not a column (columns: {string.Join(", ", all.Names)})");
        }

        return ([.. features], [.. all.Rows.Select(r => index.Select(i => r[i]).ToArray())]);
    }

    /// <summary>Cuts a recorded series into the device's tumbling windows and takes the named features of each non-empty window.</summary>
    private static (string[] Names, List<float[]> Rows) ReadSeriesWindows(string path, TimeSpan length, IReadOnlyList<string> features)
    {
        int[] columns;
        try
        {
            columns = WindowFeatureColumns.Resolve(features);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--features: {e.Message}", e);
        }

        using var source = new Appliance.Drivers.Sources.CsvReplaySource("train", path);
        var ring = new SampleRing(1 << 12, 1);
        var window = new TumblingWindow(ring, length);
        var closed = new Appliance.Kernels.Statistics.WindowFeatures[1];
        var value = new float[1];
        var rows = new List<float[]>();
        void Take()
        {
            if (closed[0].Count > 0)
            {
                rows.Add([.. columns.Select(c => WindowFeatureColumns.Value(closed[0], c))]);
            }
        }

        void Drain()
        {
            while (window.Unread > 0)
            {
                if (window.Drain(closed, out _, out _))
                {
                    Take();
                }
            }
        }

        // Through a ring into the device's own window path, so the trainer's windows are the device's.
        Appliance.Drivers.Sources.SampleStatus status;
        while ((status = source.Read(value, out var ts)) != Appliance.Drivers.Sources.SampleStatus.EndOfStream)
        {
            if (status == Appliance.Drivers.Sources.SampleStatus.Ok)
            {
                if (ring.Count == ring.Capacity)
                {
                    Drain();
                }

                ring.TryWrite(ts, value);
            }
        }

        Drain();
        if (window.Flush(closed, out _, out _))
        {
            Take();
        }

        return ([.. features], rows);
    }

    private static string Card(TrainingReport r, PcaReconstructionModel model, string trainingData, string windows)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Model card: PCA reconstruction (linear autoencoder)");
        sb.AppendLine();
        sb.AppendLine(ci, $"- date: {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
        sb.AppendLine(ci, $"- training data: {trainingData}; first {r.TrainingRows} rows fitted, last {r.HeldOutRows} held out as normal");
        sb.AppendLine(ci, $"- input: features[N, {r.FeatureNames.Count}] float32, columns in this order: {string.Join(", ", r.FeatureNames)}{windows}");
        sb.AppendLine(ci, $"- ONNX metadata: {OnnxScorer.FeaturesKey} = {string.Join(",", r.FeatureNames)}, {OnnxScorer.ThresholdKey} = {r.Threshold.ToString("R", ci)}");
        sb.AppendLine("- output: score[N, 1] float32 = ‖z − z·V·Vᵀ‖², z = (x − μ)·(1/σ) (Jackson & Mudholkar 1979, Q statistic)");
        sb.AppendLine(ci, $"- normalisation (in the graph): μ = [{string.Join(", ", model.Mean.Select(v => v.ToString("R", ci)))}], 1/σ = [{string.Join(", ", model.InverseSigma.Select(v => v.ToString("R", ci)))}]");
        sb.AppendLine(ci, $"- components: {r.Components} of {r.FeatureNames.Count}, explaining {r.ExplainedVariance:P2} of the standardised variance");
        sb.AppendLine(ci, $"- threshold: {r.Threshold.ToString("R", ci)} (quantile of the held-out normal rows' scores)");
        sb.AppendLine(ci, $"- ONNX Runtime vs trainer: max relative difference {r.MaxRelativeDifference:E2} over the held-out rows (limit 1e-5)");
        sb.AppendLine(ci, $"- self-test: {ModelSelfTest.FileName}, {Math.Min(SelfTestRows, r.HeldOutRows)} held-out rows with the trainer's scores");
        return sb.ToString();
    }

    private static (string[] Names, List<float[]> Rows) ReadFeatures(string path)
    {
        using var reader = CsvReader.Open(path, new CsvFormat { ExampleHeader = "mean,std,min,max", RequireRows = true });
        var cols = reader.Header;
        var use = Enumerable.Range(0, cols.Count).Where(i => !cols[i].Equals("timestamp", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (use.Length == 0)
        {
            throw reader.Error(1, $"no feature columns in header '{string.Join(',', cols)}'");
        }

        var rows = new List<float[]>();
        while (reader.ReadRow())
        {
            var row = new float[use.Length];
            for (var j = 0; j < use.Length; j++)
            {
                row[j] = reader.Single(use[j], allowMissing: false);
            }

            rows.Add(row);
        }

        return ([.. use.Select(i => cols[i])], rows);
    }
}
