using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>
/// The ONNX-model detector: a window's score is the model's output for that window's features (for the trainer's model,
/// the PCA squared prediction error, the Q statistic of Jackson &amp; Mudholkar 1979), and the threshold is the model's own
/// (ONNX metadata <c>appliance.threshold</c>, chosen by <c>appliance train</c> on held-out normal windows) unless the
/// configuration overrides it. <see cref="AlertHysteresis"/> keeps one incident one alert, like the other window detectors.
/// </summary>
/// <remarks>
/// The model does not run inside <see cref="Observe"/>: the pipeline batches the windows of every sensor that close together
/// into one ONNX <c>Run</c> and hands each detector its row's score with <see cref="SetModelScore"/> before it observes the window.
/// A window observed without a score (no model yet, or the run failed) scores 0 and never fires; such windows are counted
/// in <see cref="Unscored"/>. Severity: critical at twice the threshold or more.
/// </remarks>
public sealed class OnnxDetector : IDetector
{
    private readonly double? _thresholdOverride;
    private readonly int _cooldown;
    private AlertHysteresis _hysteresis;
    private double _pendingScore = double.NaN;
    private double _threshold;

    /// <summary>Creates the detector.</summary>
    /// <param name="threshold">Threshold from configuration (model score units), or null to take the model's.</param>
    /// <param name="cooldown">Windows below the threshold that close an incident (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">threshold ≤ 0 or cooldown &lt; 1.</exception>
    public OnnxDetector(double? threshold, int cooldown)
    {
        if (threshold is { } t && !(t > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), t, "an ONNX score threshold must be positive");
        }

        _thresholdOverride = threshold;
        _cooldown = Math.Max(1, cooldown);
        _threshold = threshold ?? double.PositiveInfinity;
        _hysteresis = new AlertHysteresis(_threshold, _threshold, _cooldown);
    }

    /// <inheritdoc/>
    public string Name => "onnx";

    /// <summary>The threshold in force: the configured one, else the model's; +∞ (never fires) before any model states one.</summary>
    public double Threshold => _threshold;

    /// <summary>Windows observed without a model score.</summary>
    public long Unscored { get; private set; }

    /// <inheritdoc/>
    public void SetModelScore(double score, double? modelThreshold)
    {
        var threshold = _thresholdOverride ?? modelThreshold ?? double.PositiveInfinity;
        if (threshold != _threshold)
        {
            // A swapped-in model with another threshold: incident state restarts with it (scores are in its units now).
            _threshold = threshold;
            _hysteresis = new AlertHysteresis(threshold, threshold, _cooldown);
        }

        _pendingScore = score;
    }

    /// <inheritdoc/>
    public WindowVerdict Observe(in WindowFeatures window)
    {
        var score = _pendingScore;
        _pendingScore = double.NaN;
        if (!double.IsFinite(score) || window.Count == 0)
        {
            Unscored++;
            return new WindowVerdict(0, _threshold, false, false);
        }

        var fired = _hysteresis.Update(score);
        return new WindowVerdict(score, _threshold, fired, score >= 2 * _threshold);
    }
}
