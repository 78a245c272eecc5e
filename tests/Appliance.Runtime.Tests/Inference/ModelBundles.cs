namespace Appliance.Runtime.Tests.Inference;

/// <summary>Writes model bundles (model.onnx + selftest.json) into a temporary directory for the hot-swap tests.</summary>
internal sealed class ModelBundles : IDisposable
{
    public ModelBundles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"appliance-bundles-{Guid.NewGuid():N}");

    /// <summary>A standard-score model fitted on rows; its self-test expects the model's own C# scores.</summary>
    public string Good(string name, int streams, int features, float offset, StandardScoreModel? modelOut = null)
    {
        var model = Fit(streams, features, offset);
        var input = Input(streams, features);
        var expected = new float[streams];
        model.Score(input, expected);
        return Write(name, model.ToOnnx(), new ModelSelfTest(streams, features, input, expected, 1e-5));
    }

    public static StandardScoreModel Fit(int streams, int features, float offset)
    {
        var rows = new List<float[]>();
        for (var r = 0; r < 8; r++)
        {
            var row = new float[streams * features];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = offset + i + ((r % 3) * 0.5f);
            }

            rows.Add(row);
        }

        return StandardScoreModel.Fit(rows, streams, features);
    }

    public static float[] Input(int streams, int features)
    {
        var x = new float[streams * features];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = i * 1.25f;
        }

        return x;
    }

    public string Write(string name, byte[] onnx, ModelSelfTest test)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), onnx);
        test.Save(Path.Combine(dir, ModelSelfTest.FileName));
        return dir;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
