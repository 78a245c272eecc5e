namespace Appliance.Cloud.Training;

/// <summary>
/// A model of normal rows of F channels scored together (issue 19 item 1), trained here and exported as an ONNX graph that
/// the device scores through <see cref="Appliance.Contracts.Inference.OnnxScorer"/>: input <c>features[N, F]</c> float32 (raw
/// values: the standardisation is in the graph), output <c>score[N, 1]</c> float32, a row is anomalous when its score is
/// above <see cref="Threshold"/> (written to the ONNX metadata <c>appliance.threshold</c> by <see cref="MultivariateBundle"/>).
/// </summary>
public interface IMultivariateModel
{
    /// <summary>The model's kind as <c>--model</c> names it: <c>pca</c> or <c>ae</c>.</summary>
    string Kind { get; }

    /// <summary>F: channels (features) per row.</summary>
    int Features { get; }

    /// <summary>The alert threshold in score units, chosen from the training rows' scores only (never from labels).</summary>
    double Threshold { get; }

    /// <summary>The C# reference computation of the scores (ONNX Runtime must equal it within 1e-5 relative).</summary>
    /// <param name="input">N·F raw features, row-major.</param>
    /// <param name="scores">Receives N scores.</param>
    /// <exception cref="ArgumentException">Lengths do not match.</exception>
    void Score(ReadOnlySpan<float> input, Span<float> scores);

    /// <summary>The model as an ONNX ModelProto (IR 8, opset 13), input <c>features[N, F]</c>, output <c>score[N, 1]</c>.</summary>
    /// <param name="metadata">ModelProto.metadata_props to write; may be null.</param>
    byte[] ToOnnx(IReadOnlyDictionary<string, string>? metadata = null);

    /// <summary>One line per fitted parameter family, for the bundle's model card (Markdown list items).</summary>
    IEnumerable<string> Describe();
}
