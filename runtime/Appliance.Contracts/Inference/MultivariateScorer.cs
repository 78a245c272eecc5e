using System.Globalization;
using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Inference;

/// <summary>
/// Scores one row made of the windows of several channels: the row is channel-major (channel 0's F features, then channel
/// 1's, ...), held in a buffer allocated once, and scored through one <see cref="OnnxScorer"/> (input float32 <c>[1, C·F]</c>,
/// output <c>[1, 1]</c>) whose tensors are bound once, so a steady-state <see cref="Score"/> allocates nothing.
/// The features per channel are the configuration's, else the model's ONNX metadata <see cref="OnnxScorer.FeaturesKey"/> when it
/// names window features, else <c>mean</c> when it names C input columns (the trainer's multivariate bundles: one column per
/// channel), else <see cref="WindowFeatureColumns.Default"/>; the threshold the configuration's, else the model's
/// <see cref="OnnxScorer.ThresholdKey"/>.
/// </summary>
public sealed class MultivariateScorer : IDisposable
{
    private readonly OnnxScorer _scorer;
    private readonly int[] _columns;
    private readonly float[] _row;
    private readonly float[] _score = new float[1];
    private static readonly string[] Mean = ["mean"];

    /// <summary>Loads the model for rows of <paramref name="channels"/> channels.</summary>
    /// <param name="onnx">The ONNX ModelProto.</param>
    /// <param name="channels">C: channels in a row (≥ 1).</param>
    /// <param name="features">The feature names per channel, or null for the model's own.</param>
    /// <param name="threshold">The threshold, or null for the model's own.</param>
    /// <param name="policy">Which execution provider to use.</param>
    /// <exception cref="InferenceException">The model does not load, names unknown or other features than configured, has no
    /// threshold where none is configured, or does not take <c>[1, C·F]</c> to <c>[1, 1]</c>.</exception>
    public MultivariateScorer(byte[] onnx, int channels, IReadOnlyList<string>? features, double? threshold, GpuPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var metadata = OnnxScorer.ReadMetadata(onnx);
        var own = metadata.TryGetValue(OnnxScorer.FeaturesKey, out var text) ? text.Split(',', StringSplitOptions.TrimEntries) : null;
        var ownAreFeatures = own is not null && own.All(n => WindowFeatureColumns.Names.Contains(n, StringComparer.Ordinal));
        if (features is not null && ownAreFeatures && !own!.SequenceEqual(features, StringComparer.Ordinal))
        {
            throw new InferenceException($"model takes features {string.Join(",", own!)}, configured {string.Join(",", features)}");
        }

        // The model's metadata names either the window features of each channel (mean,std,...) or, as the multivariate
        // bundles of the trainer do, its input columns (one per channel): then each channel gives the configured
        // features, by default its window mean.
        Names = features ?? (ownAreFeatures ? own! : own is not null ? Mean : WindowFeatureColumns.Default);
        if (own is not null && !ownAreFeatures && own.Length != channels * Names.Count)
        {
            throw new InferenceException($"model names {own.Length} input columns ({text}); the row has {channels} channels × {Names.Count} features");
        }

        try
        {
            _columns = WindowFeatureColumns.Resolve(Names);
        }
        catch (ArgumentException e)
        {
            throw new InferenceException($"model {OnnxScorer.FeaturesKey}: {e.Message}", e);
        }

        if (threshold is { } t)
        {
            Threshold = t;
        }
        else if (!metadata.TryGetValue(OnnxScorer.ThresholdKey, out var th) || !double.TryParse(th, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed > 0) || !double.IsFinite(parsed))
        {
            throw new InferenceException($"no calibrated threshold (ONNX metadata {OnnxScorer.ThresholdKey}, a positive number) and none configured");
        }
        else
        {
            Threshold = parsed;
        }

        Channels = channels;
        _row = new float[channels * _columns.Length];
        _scorer = new OnnxScorer(onnx, 1, _row.Length, policy);
    }

    /// <summary>C: channels per row.</summary>
    public int Channels { get; }

    /// <summary>The feature names per channel, in row order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Score at or above which a row is anomalous.</summary>
    public double Threshold { get; }

    /// <summary>Runs completed.</summary>
    public long Runs => _scorer.Runs;

    /// <summary>Writes channel <paramref name="channel"/>'s window into the row.</summary>
    /// <param name="channel">0 to C − 1, in row order.</param>
    /// <param name="window">The channel's window.</param>
    public void Set(int channel, in WindowFeatures window)
    {
        var row = _row.AsSpan(channel * _columns.Length, _columns.Length);
        for (var j = 0; j < row.Length; j++)
        {
            row[j] = WindowFeatureColumns.Value(window, _columns[j]);
        }
    }

    /// <summary>Scores the row as last set (one ONNX run).</summary>
    /// <returns>The model's score.</returns>
    /// <exception cref="InferenceException">The run failed or produced NaN or ±∞ from finite features.</exception>
    public float Score()
    {
        _scorer.Run(_row, _score);
        return _score[0];
    }

    /// <inheritdoc/>
    public void Dispose() => _scorer.Dispose();
}
