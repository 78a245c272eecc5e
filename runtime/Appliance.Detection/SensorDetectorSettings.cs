namespace Appliance.Detection;

/// <summary>
/// A sensor's own detector (<c>[[sensor]] detector = ...</c> and the <c>detector_*</c> keys), used on every channel of that
/// sensor instead of the global <c>[detector]</c> table.
/// </summary>
/// <param name="Spec">The detector: <c>ewma-z</c>, <c>onnx</c>, or a streaming detector specification as <c>appliance eval nab
/// --detector</c> takes it (<c>windowed-gaussian</c>, <c>relative-entropy</c>, <c>ewma-tail</c>, <c>cusum</c>, with
/// <c>:key=value</c> options and <c>+</c> for the maximum of several).</param>
/// <param name="Threshold">Override of the threshold: |z| for ewma-z, a score in (0, 1] for the streaming detectors
/// (default 0.9999), model score units for onnx (default: the model's own); null for the default.</param>
/// <param name="Cooldown">Windows below the threshold that close an incident; null for <c>[detector] cooldown</c>.</param>
/// <param name="RangeMin">Smallest expected value (relative-entropy's histogram range, in the channel's SI unit); NaN when not given.</param>
/// <param name="RangeMax">Largest expected value; NaN when not given.</param>
public sealed record SensorDetectorSettings(string Spec, double? Threshold, int? Cooldown, double RangeMin, double RangeMax)
{
    /// <summary>The detector kind: the specification up to its first ':' or '+' (for example <c>relative-entropy</c>).</summary>
    public string Kind => Spec.Split(':', '+')[0].Trim();
}
