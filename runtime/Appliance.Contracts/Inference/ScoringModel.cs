namespace Appliance.Contracts.Inference;

/// <summary>
/// A loaded, checked model as <see cref="HotSwapScorer"/> holds it: the session, the window features its input columns
/// are (<see cref="WindowFeatureColumns"/>), and its alert threshold from the model's metadata.
/// </summary>
public sealed class ScoringModel : IDisposable
{
    internal ScoringModel(string id, OnnxScorer scorer, IReadOnlyList<string> featureNames, int[] columns, double? threshold)
    {
        Id = id;
        Scorer = scorer;
        FeatureNames = featureNames;
        Columns = columns;
        Threshold = threshold;
    }

    /// <summary>Where the model came from (a bundle directory, or <c>models/NAME</c> of the configuration repository).</summary>
    public string Id { get; }

    /// <summary>The session, <c>[S, F]</c> → <c>[S, 1]</c>.</summary>
    public OnnxScorer Scorer { get; }

    /// <summary>The F input columns, in order (empty when the caller supplies raw rows).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The columns as ids for <see cref="WindowFeatureColumns.Value"/>.</summary>
    public int[] Columns { get; }

    /// <summary>The score at or above which a window is anomalous (<see cref="OnnxScorer.ThresholdKey"/>), or null when the model states none.</summary>
    public double? Threshold { get; }

    /// <inheritdoc/>
    public void Dispose() => Scorer.Dispose();
}
