using Appliance.Kernels.Statistics;

namespace Appliance.Detection;

/// <summary>A streaming detector over one channel's windows: bounded memory, one window at a time, in time order.</summary>
public interface IDetector
{
    /// <summary>The detector's name as sent on the wire (for example <c>ewma-z</c>).</summary>
    string Name { get; }

    /// <summary>What <see cref="WindowVerdict.Score"/> is, as the live line labels it: <c>score</c> (the default) or, for a z-score, <c>z</c>.</summary>
    string ScoreLabel => "score";

    /// <summary>
    /// Gives the model's score for the next window to be observed (from the batch run that held it), before
    /// <see cref="Observe"/>. Detectors that do not read a model's score ignore it (the default).
    /// </summary>
    /// <param name="score">The model's output for this detector's row; NaN for "not scored" (no model, or the run failed).</param>
    /// <param name="modelThreshold">The active model's threshold, or null when none states one.</param>
    void SetModelScore(double score, double? modelThreshold)
    {
    }

    /// <summary>Scores one closed window and decides whether it opens an incident.</summary>
    WindowVerdict Observe(in WindowFeatures window);
}
