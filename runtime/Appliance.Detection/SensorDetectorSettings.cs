namespace Appliance.Detection;

/// <summary>
/// A sensor's own detector (<c>[[sensor]] detector = ...</c> and the <c>detector_*</c> keys), used on every channel of that
/// sensor instead of the global <c>[detector]</c> table.
/// </summary>
/// <param name="Kind">The detector kind, parsed from the specification once, when the configuration is read (<see cref="TryParseKind"/>).</param>
/// <param name="Spec">The detector: <c>ewma-z</c>, <c>onnx</c>, or a streaming detector specification as <c>appliance eval nab
/// --detector</c> takes it (<c>windowed-gaussian</c>, <c>relative-entropy</c>, <c>ewma-tail</c>, <c>cusum</c>, with
/// <c>:key=value</c> options and <c>+</c> for the maximum of several).</param>
/// <param name="Threshold">Override of the threshold: |z| for ewma-z, a score in (0, 1] for the streaming detectors
/// (default 0.9999), model score units for onnx (default: the model's own); null for the default.</param>
/// <param name="Cooldown">Windows below the threshold that close an incident; null for <c>[detector] cooldown</c>.</param>
/// <param name="RangeMin">Smallest expected value (relative-entropy's histogram range, in the channel's SI unit); NaN when not given.</param>
/// <param name="RangeMax">Largest expected value; NaN when not given.</param>
public sealed record SensorDetectorSettings(DetectorKind Kind, string Spec, double? Threshold, int? Cooldown, double RangeMin, double RangeMax)
{
    /// <summary>The first detector's name in the specification: the text up to its first ':' or '+' (<c>relative-entropy</c>).</summary>
    public string Name => FirstName(Spec);

    /// <summary>Parses the kind of a specification from its first detector's name.</summary>
    /// <param name="spec">The specification.</param>
    /// <param name="kind">The kind when the name is one of <see cref="WindowDetectors.Kinds"/>.</param>
    /// <returns>True when it is.</returns>
    public static bool TryParseKind(string spec, out DetectorKind kind)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var name = FirstName(spec);
        (var known, kind) = name switch
        {
            "ewma-z" => (true, DetectorKind.EwmaZ),
            "onnx" => (true, DetectorKind.Onnx),
            "spectral" => (true, DetectorKind.Spectral),
            _ => (DetectorSpec.Names.Contains(name, StringComparer.Ordinal), DetectorKind.Streaming),
        };
        return known;
    }

    private static string FirstName(string spec) => spec.Split(':', '+')[0].Trim();
}

/// <summary>What kind of detector a sensor's <c>detector</c> names.</summary>
public enum DetectorKind
{
    /// <summary><c>ewma-z</c>: the EWMA z-score of the <c>[detector]</c> table, with the sensor's threshold and cool-down.</summary>
    EwmaZ,

    /// <summary><c>onnx</c>: the score of the <c>[inference]</c> model.</summary>
    Onnx,

    /// <summary>A streaming detector specification (<see cref="DetectorSpec"/>): scores in [0, 1].</summary>
    Streaming,

    /// <summary><c>spectral</c>: band-energy z-scores of the sensor's spectral features (<see cref="SpectralDetector"/>).</summary>
    Spectral,
}
