namespace Appliance.Detection;

/// <summary>The outcome of one window for one channel: its score and, when the detector fires, the alert's severity.</summary>
/// <param name="Score">The detector's score for the window (for <see cref="EwmaZScoreDetector"/>: the z-score).</param>
/// <param name="Threshold">The |score| above which the detector fires.</param>
/// <param name="Fired">True when this window opens a new incident (debounced: one incident, one alert).</param>
/// <param name="Critical">True when |score| is at least twice the threshold.</param>
public readonly record struct WindowVerdict(double Score, double Threshold, bool Fired, bool Critical);
