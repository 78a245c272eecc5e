using System.Globalization;
using System.Text;
using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>
/// Fits the multivariate models by name and writes them as model bundles in the format <c>appliance train</c> writes and a
/// device loads (<see cref="ModelPackage.LoadDirectory"/>, a configuration repository's <c>models/NAME/</c>):
/// <c>model.onnx</c> (input <c>features[N, F]</c> float32 raw channel values in the order of the metadata
/// <see cref="OnnxScorer.FeaturesKey"/>, output <c>score[N, 1]</c>, threshold in <see cref="OnnxScorer.ThresholdKey"/>; a row
/// is anomalous when its score is above it), <c>selftest.json</c> and <c>selftest.toml</c> (rows and the C# scores ONNX
/// Runtime must reproduce), <c>model-card.md</c> and <c>SHA256SUMS</c>.
/// </summary>
public static class MultivariateBundle
{
    /// <summary>The model kinds <see cref="Fit"/> knows: <c>pca</c> (<see cref="PcaT2QModel"/>), <c>ae</c> (<see cref="TanhAutoencoder"/>).</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["pca", "ae"];

    /// <summary>Fits the model of <paramref name="kind"/> on normal rows with its documented defaults and the given quantile.</summary>
    /// <param name="kind">One of <see cref="Kinds"/>.</param>
    /// <param name="rows">Training rows, each F long.</param>
    /// <param name="quantile">Quantile of the training scores (statistics) that sets the threshold (limits), in (0, 1].</param>
    /// <exception cref="ArgumentException">Unknown kind, too few rows or a parameter out of range.</exception>
    public static IMultivariateModel Fit(string kind, IReadOnlyList<float[]> rows, double quantile = 0.99) => kind switch
    {
        "pca" => PcaT2QModel.Fit(rows, quantile: quantile),
        "ae" => TanhAutoencoder.Fit(rows, quantile: quantile),
        _ => throw new ArgumentException($"--model '{kind}': expected one of {string.Join(", ", Kinds)}"),
    };

    /// <summary>Writes <paramref name="model"/> as a bundle in <paramref name="outDir"/> and verifies it as a device would.</summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="featureNames">F channel names, in input order.</param>
    /// <param name="selfTestRows">Rows (for example held-out normal rows) whose C# scores the bundle's self-test carries; at least one.</param>
    /// <param name="outDir">Directory (created).</param>
    /// <param name="trainingData">What the model was fitted on, for the model card.</param>
    /// <returns>The bundle as <see cref="ModelPackage.LoadDirectory"/> reads it back.</returns>
    /// <exception cref="ArgumentException">Names or rows do not match F.</exception>
    /// <exception cref="InferenceException">ONNX Runtime disagrees with the C# scores beyond 1e-5 relative.</exception>
    public static ModelPackage Write(IMultivariateModel model, IReadOnlyList<string> featureNames, IReadOnlyList<float[]> selfTestRows, string outDir, string trainingData)
    {
        var f = model.Features;
        if (featureNames.Count != f || selfTestRows.Count == 0 || selfTestRows.Any(r => r.Length != f))
        {
            throw new ArgumentException($"expected {f} feature names and at least one row of {f} values");
        }

        var ci = CultureInfo.InvariantCulture;
        Directory.CreateDirectory(outDir);
        var onnx = model.ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.FeaturesKey] = string.Join(",", featureNames),
            [OnnxScorer.ThresholdKey] = model.Threshold.ToString("R", ci),
        });
        File.WriteAllBytes(Path.Combine(outDir, ModelPackage.ModelFile), onnx);
        var n = Math.Min(ModelTrainer.SelfTestRows, selfTestRows.Count);
        var input = selfTestRows.Take(n).SelectMany(r => r).ToArray();
        var expected = new float[n];
        model.Score(input, expected);
        var maxRel = MaxRelativeDifference(onnx, model, input, expected);
        var test = new ModelSelfTest(n, f, input, expected, 1e-5);
        test.Save(Path.Combine(outDir, ModelSelfTest.FileName));
        File.WriteAllText(Path.Combine(outDir, ModelPackage.SelfTestFile), ModelTrainer.SelfTestToml(test));
        var card = new StringBuilder();
        card.AppendLine(ci, $"# Model card: multivariate {model.Kind} ({model.GetType().Name})");
        card.AppendLine();
        card.AppendLine(ci, $"- date: {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
        card.AppendLine(ci, $"- training data: {trainingData}");
        card.AppendLine(ci, $"- input: features[N, {f}] float32, raw channel values in this order: {string.Join(", ", featureNames)}");
        card.AppendLine(ci, $"- ONNX metadata: {OnnxScorer.ThresholdKey} = {model.Threshold.ToString("R", ci)}; a row is anomalous when its score is above it");
        foreach (var line in model.Describe())
        {
            card.AppendLine(line);
        }

        card.AppendLine(ci, $"- ONNX Runtime vs C#: max relative difference {maxRel:E2} over the self-test rows (limit 1e-5)");
        File.WriteAllText(Path.Combine(outDir, "model-card.md"), card.ToString());
        ModelTrainer.WriteManifest(outDir);
        return ModelPackage.LoadDirectory(outDir);
    }

    /// <summary>The largest relative difference between ONNX Runtime's scores of <paramref name="input"/> and <paramref name="expected"/>.</summary>
    /// <exception cref="InferenceException">Above 1e-5.</exception>
    internal static double MaxRelativeDifference(byte[] onnx, IMultivariateModel model, float[] input, float[] expected)
    {
        var maxRel = 0.0;
        using (var scorer = new OnnxScorer(onnx, expected.Length, model.Features, GpuPolicy.Off))
        {
            var ort = new float[expected.Length];
            scorer.Run(input, ort);
            for (var i = 0; i < ort.Length; i++)
            {
                maxRel = Math.Max(maxRel, Math.Abs(ort[i] - expected[i]) / Math.Max(1e-30, Math.Abs(expected[i])));
            }
        }

        return maxRel <= 1e-5 ? maxRel : throw new InferenceException($"ONNX Runtime scores differ from the C# model's by {maxRel:E2} relative (limit 1e-5)");
    }
}
