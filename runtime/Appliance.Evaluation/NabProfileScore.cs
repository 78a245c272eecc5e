namespace Appliance.Evaluation;

/// <summary>A detector's NAB score under one profile.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="Threshold">Anomaly scores at or above it are detections.</param>
/// <param name="Raw">Σ over files of the NAB raw score (TP rewards + FP costs − FN costs).</param>
/// <param name="Null">The raw score of the detector that never fires: −A_FN × windows.</param>
/// <param name="Perfect">The raw score of a detector that fires first at every window's left edge: A_TP × windows.</param>
/// <param name="DetectedWindows">Windows with at least one detection (true positives, counted once per window).</param>
/// <param name="FalsePositives">Detections outside every window (rows).</param>
public readonly record struct NabProfileScore(NabProfile Profile, double Threshold, double Raw, double Null, double Perfect, int DetectedWindows, int FalsePositives)
{
    /// <summary>100 · (raw − null) / (perfect − null) (NAB <c>runner.normalize</c>): 0 for the null detector, 100 for the perfect one.</summary>
    public double Normalised => 100.0 * (Raw - Null) / (Perfect - Null);
}
