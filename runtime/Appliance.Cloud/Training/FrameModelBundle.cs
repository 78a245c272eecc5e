using System.Globalization;
using System.Text;
using Appliance.Contracts.Inference;

namespace Appliance.Cloud.Training;

/// <summary>
/// A small model of a camera's background for scoring an event's frames (<see cref="EventFrameScorer"/>), fitted in C#
/// and written as a model bundle (<c>model.onnx</c>, <c>selftest.toml</c>, <c>selftest.json</c>, <c>model-card.md</c>,
/// <c>SHA256SUMS</c>) that <see cref="ModelPackage.LoadDirectory"/> verifies: a per-pixel diagonal Gaussian over
/// <c>FrameThumbnail</c>s of frames without objects (<see cref="StandardScoreModel"/>, the same μ and σ on each of the S
/// rows), so a row's score Σ((x − μ) / σ)² is χ² with G² degrees of freedom on background and grows with what differs
/// from it ("something present" vs background).
/// </summary>
/// <remarks>Threshold (ONNX metadata <see cref="OnnxScorer.ThresholdKey"/>): <c>margin</c> × the largest
/// training score (<see cref="ModelPackage.ScoreQuantile"/> at 1). On background the score is about G² ± √(2G²) (χ²:
/// 1024 ± 45 for G = 32), so a margin of 2 keeps background frames below it, while a box covering a few percent of the
/// cells at z ≈ 100 adds tens of thousands.</remarks>
public static class FrameModelBundle
{
    /// <summary>The default factor between the largest background score and the threshold.</summary>
    public const double DefaultMargin = 2;

    /// <summary>ONNX metadata key stating what the model's input rows are.</summary>
    public const string InputKey = "appliance.input";

    /// <summary>Fits the background model and writes the bundle to <paramref name="outDir"/> (created).</summary>
    /// <param name="background">Thumbnails of background frames, each G² values in [0, 1]; at least two.</param>
    /// <param name="batch">S: frames scored per event (2 to 4096).</param>
    /// <param name="outDir">The bundle directory; its name is the model's name.</param>
    /// <param name="trainingData">What the frames were, for the model card.</param>
    /// <param name="margin">Threshold = margin × the largest training score (above 1).</param>
    /// <returns>The bundle as <see cref="ModelPackage.LoadDirectory"/> reads it back.</returns>
    /// <exception cref="ArgumentException">Fewer than two thumbnails, lengths that differ or are not a square, or S or margin out of range.</exception>
    /// <exception cref="InferenceException">ONNX Runtime disagrees with the C# scores beyond 1e-4 relative.</exception>
    public static ModelPackage Write(IReadOnlyList<float[]> background, int batch, string outDir, string trainingData, double margin = DefaultMargin)
    {
        int f = background.Count > 0 ? background[0].Length : 0;
        int g = (int)Math.Round(Math.Sqrt(f));
        if (background.Count < 2 || f == 0 || g * g != f || background.Any(t => t.Length != f) || batch is < 2 or > 4096 || !(margin > 1))
        {
            throw new ArgumentException($"expected at least two thumbnails of G*G values, a batch of 2 to 4096 and a margin above 1 (got {background.Count} thumbnails, batch {batch}, margin {margin})");
        }

        var ci = CultureInfo.InvariantCulture;
        var tiled = background.Select(t => Tile(t, batch)).ToList();
        var model = StandardScoreModel.Fit(tiled, batch, f);
        var rowScores = new float[batch];
        var training = new float[tiled.Count];
        for (int i = 0; i < tiled.Count; i++)
        {
            model.Score(tiled[i], rowScores);
            training[i] = rowScores[0];
        }

        var threshold = ModelPackage.ScoreQuantile(training, 1) * margin;
        var onnx = model.ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.ThresholdKey] = threshold.ToString("R", ci),
            [InputKey] = $"frame thumbnails [{batch},{f}]: {g}x{g} area-averaged luma in [0,1], row-major",
        });
        Directory.CreateDirectory(outDir);
        File.WriteAllBytes(Path.Combine(outDir, ModelPackage.ModelFile), onnx);

        // Self-test: S consecutive training thumbnails (cycled when fewer) with the C# scores.
        var input = new float[batch * f];
        for (int r = 0; r < batch; r++)
        {
            background[r % background.Count].CopyTo(input, r * f);
        }

        var expected = new float[batch];
        model.Score(input, expected);
        var ort = new float[batch];
        using (var scorer = new OnnxScorer(onnx, batch, f, GpuPolicy.Off))
        {
            scorer.Run(input, ort);
        }

        var maxRel = ort.Zip(expected, (a, b) => Math.Abs(a - b) / Math.Max(1e-30, Math.Abs(b))).Max();
        if (!(maxRel <= 1e-4))
        {
            throw new InferenceException($"ONNX Runtime scores differ from the C# model's by {maxRel:E2} relative (limit 1e-4)");
        }

        var test = new ModelSelfTest(batch, f, input, expected, 1e-4);
        test.Save(Path.Combine(outDir, ModelSelfTest.FileName));
        File.WriteAllText(Path.Combine(outDir, ModelPackage.SelfTestFile), ModelTrainer.SelfTestToml(test));
        var card = new StringBuilder();
        card.AppendLine("# Model card: event frames vs background (per-pixel Gaussian over frame thumbnails)");
        card.AppendLine();
        card.AppendLine(ci, $"- date: {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
        card.AppendLine(ci, $"- training data: {trainingData} ({background.Count} background thumbnails)");
        card.AppendLine(ci, $"- input: features[{batch}, {f}] float32, one {g}x{g} area-averaged luma thumbnail in [0,1] per row (an event's frames)");
        card.AppendLine(ci, $"- score: sum over the {f} cells of ((x - mu) / sigma)^2, chi-square with {f} degrees of freedom on background; an event's score is its rows' largest");
        card.AppendLine(ci, $"- ONNX metadata: {OnnxScorer.ThresholdKey} = {threshold.ToString("R", ci)} ({margin.ToString(ci)} x the largest training score {training.Max().ToString("R", ci)}); an event is flagged at or above it");
        card.AppendLine(ci, $"- ONNX Runtime vs C#: max relative difference {maxRel:E2} over the self-test rows (limit 1e-4)");
        File.WriteAllText(Path.Combine(outDir, "model-card.md"), card.ToString());
        ModelTrainer.WriteManifest(outDir);
        return ModelPackage.LoadDirectory(outDir);
    }

    private static float[] Tile(float[] row, int times)
    {
        var result = new float[row.Length * times];
        for (int i = 0; i < times; i++)
        {
            row.CopyTo(result, i * row.Length);
        }

        return result;
    }
}
