using System.Diagnostics;
using Appliance.Contracts.Inference;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Quantiles;

namespace Appliance.Device.Pipeline;

/// <summary>
/// One candidate model scoring in shadow beside the incumbent (a rollout's wave, docs/models.md "Shadow scoring"): its own
/// session of the pipeline's batch shape <c>[S, F]</c> (F its own features), run on the rows of the same batch right after
/// the incumbent's run, and the totals the heartbeat's <see cref="ShadowReport"/> carries. It raises no alert, drives no
/// alarm and changes no summary: nothing it computes leaves the device but the report. Scored on the worker thread under
/// the <see cref="ShadowStage"/>'s lock; allocation-free per batch in steady state (the sketches' bins are preallocated).
/// </summary>
internal sealed class ShadowRun : IDisposable
{
    /// <summary>Relative accuracy of the score and latency sketches (1 %, the quantile taps' default).</summary>
    private const double SketchAccuracy = 0.01;

    private readonly HotSwapScorer? _scorer;
    private readonly float[] _scores;
    private readonly DDSketch _scoreSketch = new(SketchAccuracy);
    private readonly DDSketch _latencySketch = new(SketchAccuracy);
    private long _windows, _wouldAlert, _incumbentAlerts, _agreements, _errors;

    /// <param name="rollout">The rollout's name.</param>
    /// <param name="model">The candidate's folder name.</param>
    /// <param name="incumbent">The incumbent's folder name.</param>
    /// <param name="key">What identifies this run across revisions (the candidate's <see cref="ModelPackage.Id"/>, or the rejection).</param>
    /// <param name="scorer">The candidate's scorer with the candidate active; null when it was rejected.</param>
    /// <param name="rejection">Why the candidate does not run; empty when it does.</param>
    public ShadowRun(string rollout, string model, string incumbent, string key, HotSwapScorer? scorer, string rejection)
    {
        Rollout = rollout;
        Model = model;
        Incumbent = incumbent;
        Key = key;
        _scorer = scorer;
        Rejection = rejection;
        var active = scorer?.Active;
        Threshold = active?.Threshold ?? double.NaN;
        Input = active is null ? [] : new float[scorer!.Streams * active.Scorer.Features];
        _scores = new float[scorer?.Streams ?? 0];
    }

    public string Rollout { get; }

    public string Model { get; }

    public string Incumbent { get; }

    public string Key { get; }

    public string Rejection { get; }

    /// <summary>The candidate's threshold (ONNX metadata <see cref="OnnxScorer.ThresholdKey"/>, as its bundle carries it); NaN when rejected.</summary>
    public double Threshold { get; }

    /// <summary>The candidate's active model (its feature columns), or null when rejected.</summary>
    public ScoringModel? Active => _scorer?.Active;

    /// <summary>The candidate's input batch, S·F row-major, filled by the caller before <see cref="Score"/>.</summary>
    public float[] Input { get; }

    /// <summary>
    /// Scores <see cref="Input"/> with the candidate and counts the rows marked in <paramref name="rows"/> (the windows of the
    /// batch): a window would alert when the candidate's score is at or above its threshold, the incumbent alerted when its
    /// score is at or above <paramref name="incumbentThreshold"/> (never when null). A failed run counts every marked row as
    /// an error.
    /// </summary>
    /// <param name="incumbentScores">The incumbent's S scores of the same batch.</param>
    /// <param name="incumbentThreshold">The incumbent's threshold, or null when it states none.</param>
    /// <param name="rows">Which of the S rows are windows of this batch.</param>
    public void Score(ReadOnlySpan<float> incumbentScores, double? incumbentThreshold, ReadOnlySpan<bool> rows)
    {
        if (_scorer is null)
        {
            return;
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            _scorer.Run(Input, _scores);
        }
        catch (InferenceException)
        {
            foreach (bool r in rows)
            {
                _errors += r ? 1 : 0;
            }

            return;
        }

        _latencySketch.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        for (int i = 0; i < rows.Length; i++)
        {
            if (!rows[i])
            {
                continue;
            }

            float candidate = _scores[i];
            bool would = candidate >= Threshold;
            bool incumbent = incumbentThreshold is { } t && incumbentScores[i] >= t;
            _windows++;
            _wouldAlert += would ? 1 : 0;
            _incumbentAlerts += incumbent ? 1 : 0;
            _agreements += would == incumbent ? 1 : 0;
            _scoreSketch.Add(candidate);
        }
    }

    /// <summary>The totals so far (the caller holds the stage's lock).</summary>
    public ShadowReport Report() => new()
    {
        Rollout = Rollout,
        Model = Model,
        Incumbent = Incumbent,
        Windows = _windows,
        WouldAlert = _wouldAlert,
        IncumbentAlerts = _incumbentAlerts,
        Agreements = _agreements,
        Errors = _errors,
        LatencyP50Us = _latencySketch.Quantile(0.5),
        LatencyP99Us = _latencySketch.Quantile(0.99),
        ScoreP50 = _scoreSketch.Quantile(0.5),
        ScoreP90 = _scoreSketch.Quantile(0.9),
        ScoreP99 = _scoreSketch.Quantile(0.99),
        Rejection = Rejection,
    };

    /// <inheritdoc/>
    public void Dispose() => _scorer?.Dispose();
}
