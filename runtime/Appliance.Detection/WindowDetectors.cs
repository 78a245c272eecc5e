
namespace Appliance.Detection;

/// <summary>
/// Builds a channel's window detector from configuration: the sensor's own <c>detector</c> when it has one, otherwise
/// the global <c>[detector]</c> table (an EWMA z-score).
/// </summary>
public static class WindowDetectors
{
    /// <summary>Score threshold of a streaming detector when the sensor gives none (a tail probability of 1e-4).</summary>
    public const double DefaultScoreThreshold = 0.9999;

    /// <summary>The kinds a sensor's <c>detector</c> may name.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["ewma-z", "onnx", .. DetectorSpec.Names, "spectral"];

    /// <summary>Creates one channel's detector.</summary>
    /// <param name="sensor">The sensor's own detector settings, or null.</param>
    /// <param name="global">The <c>[detector]</c> table.</param>
    /// <exception cref="ArgumentException">The specification is not valid (the message says why).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A threshold or cooldown is out of range.</exception>
    public static IDetector Create(SensorDetectorSettings? sensor, DetectorSettings global)
    {
        var cooldown = Math.Max(1, sensor?.Cooldown ?? global.Cooldown);
        switch (sensor?.Kind)
        {
            case null:
                return new EwmaZScoreDetector(global.Alpha, global.Threshold, global.Warmup, global.Cooldown);
            case DetectorKind.EwmaZ:
                if (sensor.Spec.Trim() != "ewma-z")
                {
                    throw new ArgumentException($"'{sensor.Spec}': ewma-z takes its options from the [detector] table (alpha, warmup) and detector_threshold/detector_cooldown");
                }

                return new EwmaZScoreDetector(global.Alpha, sensor.Threshold ?? global.Threshold, global.Warmup, sensor.Cooldown ?? global.Cooldown);
            case DetectorKind.Onnx:
                if (sensor.Spec.Trim() != "onnx")
                {
                    throw new ArgumentException($"'{sensor.Spec}': onnx takes no options (the model is [inference] model)");
                }

                return new OnnxDetector(sensor.Threshold, cooldown);
            case DetectorKind.Spectral:
                return SpectralDetector.Parse(sensor.Spec.Trim(), sensor.Threshold, cooldown);
            default:
                if (sensor.Spec.Contains("relative-entropy", StringComparison.Ordinal) && !(sensor.RangeMin < sensor.RangeMax))
                {
                    throw new ArgumentException($"'{sensor.Spec}': relative-entropy needs detector_range = [min, max] (the values' expected range)");
                }

                var detector = DetectorSpec.Create(sensor.Spec, sensor.RangeMin, sensor.RangeMax);
                return new WindowScoreDetector(detector, sensor.Threshold ?? DefaultScoreThreshold, cooldown);
        }
    }
}
