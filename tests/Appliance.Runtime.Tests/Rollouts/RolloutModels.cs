namespace Appliance.Runtime.Tests.Rollouts;

/// <summary>Model folders and rollout files for the shadow-scoring tests (issue 18 item 3).</summary>
internal static class RolloutModels
{
    /// <summary>
    /// Writes <c>models/NAME/</c> into <paramref name="work"/>: a <see cref="StandardScoreModel"/> over the window mean of the
    /// BME280's three channels (score = z², a squared standard score, so never negative), fitted on fixed rows around the
    /// emulator's readings, with <paramref name="threshold"/> as its ONNX metadata threshold and a self-test it passes. The
    /// same name-independent bytes for the same threshold. Returns the text files to commit (model.onnx is written here).
    /// </summary>
    public static Dictionary<string, string?> Folder(string work, string name, double threshold)
    {
        var rows = Enumerable.Range(0, 20).Select(i => new float[] { 22 + (i % 5 * 0.5f), 101_300 + (i % 7 * 10), 45 + (i % 3) }).ToList();
        var fit = StandardScoreModel.Fit(rows, streams: 3, features: 1);
        var onnx = fit.ToOnnx(new Dictionary<string, string>
        {
            [OnnxScorer.FeaturesKey] = "mean",
            [OnnxScorer.ThresholdKey] = threshold.ToString("R", CultureInfo.InvariantCulture),
        });
        float[] input = [22.2f, 101_330f, 45.5f];
        var expected = new float[3];
        fit.Score(input, expected);
        var selfTest = string.Create(CultureInfo.InvariantCulture, $"streams = 3\nfeatures = 1\ntolerance = 1e-3\n\n[[case]]\ninput = [{string.Join(", ", input.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]\nexpected = [{string.Join(", ", expected.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]\n");
        return Write(work, name, onnx, selfTest);
    }

    /// <summary>A folder whose files verify (SHA256SUMS lists them with their true hashes) but whose model.onnx is not ONNX.</summary>
    public static Dictionary<string, string?> Garbage(string work, string name) =>
        Write(work, name, Encoding.UTF8.GetBytes("these bytes are not an ONNX ModelProto"), "streams = 3\nfeatures = 1\ntolerance = 1e-3\n\n[[case]]\ninput = [1, 2, 3]\nexpected = [0, 0, 0]\n");

    /// <summary>
    /// <c>rollouts/NAME.toml</c> replacing <c>pump</c> by <paramref name="model"/> on device pump-7, in <paramref name="phase"/>
    /// (shadow: pump-7 in shadow; promoted: pump-7 active; aborted or pending: neither).
    /// </summary>
    public static string Rollout(string model, string phase) => $$"""
        [rollout]
        model = "{{model}}"
        incumbent = "pump"
        devices = ["pump-7"]
        waves = [1]
        bake = "1m"

        [state]
        phase = "{{phase}}"
        wave = {{(phase == "pending" ? 0 : 1)}}
        shadow = [{{(phase == "shadow" ? "\"pump-7\"" : "")}}]
        active = [{{(phase == "promoted" ? "\"pump-7\"" : "")}}]
        reason = ""
        wave_started_unix_ms = 0

        """;

    private static Dictionary<string, string?> Write(string work, string name, byte[] onnx, string selfTest)
    {
        var folder = Path.Combine(work, "models", name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        var sums = $"{Convert.ToHexStringLower(SHA256.HashData(onnx))}  model.onnx\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(selfTest)))}  selftest.toml\n";
        return new Dictionary<string, string?> { [$"models/{name}/selftest.toml"] = selfTest, [$"models/{name}/SHA256SUMS"] = sums };
    }

    /// <summary>The model id the device shows for <c>models/NAME/</c> of the working tree.</summary>
    public static string Id(string work, string name) =>
        $"models/{name}@sha256:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(work, "models", name, "model.onnx"))))[..12]}";
}
