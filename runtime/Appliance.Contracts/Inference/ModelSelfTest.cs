using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Appliance.Contracts.Inference;

/// <summary>
/// The self-test shipped beside a model (<c>selftest.json</c> next to <c>model.onnx</c>): an input batch and the scores
/// the model must give for it. Format: <c>{"rows": S, "features": F, "input": [S·F floats, row-major],
/// "expected": [S floats], "relative_tolerance": 1e-5}</c>. A score passes when |got − expected| ≤ tol · max(1, |expected|).
/// </summary>
/// <param name="Rows">S.</param>
/// <param name="Features">F.</param>
/// <param name="Input">S·F features, row-major.</param>
/// <param name="Expected">S expected scores.</param>
/// <param name="RelativeTolerance">Tolerance, relative to max(1, |expected|).</param>
public sealed record ModelSelfTest(int Rows, int Features, float[] Input, float[] Expected, double RelativeTolerance)
{
    /// <summary>The file name beside <c>model.onnx</c>.</summary>
    public const string FileName = "selftest.json";

    /// <summary>Reads a self-test file.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">The file is malformed (the message names the file and key).</exception>
    public static ModelSelfTest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: model self-test not found (expected {FileName} beside model.onnx)", path);
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var rows = Int(path, root, "rows");
            var features = Int(path, root, "features");
            var input = Floats(path, root, "input");
            var expected = Floats(path, root, "expected");
            var tol = root.TryGetProperty("relative_tolerance", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : 1e-5;
            if (input.Length != rows * features || expected.Length != rows)
            {
                throw new FormatException($"{path}: input has {input.Length} values and expected {expected.Length} (rows {rows} x features {features} needs {rows * features} and {rows})");
            }

            return new ModelSelfTest(rows, features, input, expected, tol);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Writes the self-test as JSON (floats in round-trip form).</summary>
    public void Save(string path)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"rows\": {Rows}, \"features\": {Features}, \"relative_tolerance\": {RelativeTolerance.ToString("R", CultureInfo.InvariantCulture)},\n \"input\": [");
        sb.AppendJoin(", ", Input.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        sb.Append("],\n \"expected\": [");
        sb.AppendJoin(", ", Expected.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        sb.Append("]}\n");
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>Runs the self-test on <paramref name="scorer"/>.</summary>
    /// <returns>Null when it passes, otherwise what failed.</returns>
    public string? Check(OnnxScorer scorer)
    {
        if (scorer.Streams != Rows || scorer.Features != Features)
        {
            return $"self-test is [{Rows},{Features}] but the scorer takes [{scorer.Streams},{scorer.Features}]";
        }

        var got = new float[Rows];
        try
        {
            scorer.Run(Input, got);
        }
        catch (InferenceException e)
        {
            return e.Message;
        }

        for (var i = 0; i < Rows; i++)
        {
            if (!(Math.Abs(got[i] - Expected[i]) <= RelativeTolerance * Math.Max(1.0, Math.Abs(Expected[i]))))
            {
                return $"self-test row {i}: score {got[i]:R}, expected {Expected[i]:R} (relative tolerance {RelativeTolerance})";
            }
        }

        return null;
    }

    private static int Int(string path, JsonElement root, string key) =>
        root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i > 0
            ? i
            : throw new FormatException($"{path}: \"{key}\": expected a positive integer");

    private static float[] Floats(string path, JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{path}: \"{key}\": expected an array of numbers");
        }

        var a = new float[v.GetArrayLength()];
        var i = 0;
        foreach (var e in v.EnumerateArray())
        {
            a[i++] = e.ValueKind == JsonValueKind.Number ? e.GetSingle() : throw new FormatException($"{path}: \"{key}\"[{i}]: expected a number");
        }

        return a;
    }
}
