namespace Appliance.Detection;

/// <summary>The <c>[detector]</c> table: an EWMA z-score over each channel's window means.</summary>
/// <param name="Kind">The detector: <c>ewma-z</c>.</param>
/// <param name="Alpha">EWMA smoothing factor in (0, 1].</param>
/// <param name="Threshold">The |z| above which a window raises an alert.</param>
/// <param name="Warmup">Windows seen before any alert can be raised.</param>
/// <param name="Cooldown">Windows after an alert during which the same channel raises no new alert (debounce).</param>
public sealed record DetectorSettings(string Kind, double Alpha, double Threshold, int Warmup, int Cooldown);
