using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Wire;

/// <summary>
/// The features of one window of one sensor channel, as sent to the collector
/// (<see cref="MessageType.Summary"/>).
/// </summary>
/// <remarks>
/// Body layout (MessagePack array, positional; a reader skips items past the sixth):
/// <code>
/// [0] sensor          str
/// [1] channel         str
/// [2] window_start_ns int   UTC Unix nanoseconds, inclusive
/// [3] window_length_ns int  nanoseconds, end - start (schema 1: window_end_ns, UTC Unix nanoseconds, exclusive)
/// [4] features        array (see WindowFeaturesFormatter: 12 items, float32 where float32 holds the value)
/// [5] spectral        nil or array (schema 3; see SpectralSummary): [dominant_hz, dominant_amplitude, centroid_hz,
///                     kurtosis, envelope_amplitude, [band_rms...]], float32. Schema 1 and 2 frames have 5 items: none.
/// [6] quantiles       nil or array (schema 3, added later; see QuantileSketch): [alpha float64, zero_count int,
///                     positive_offset int, [counts int...], negative_offset int, [counts int...]]. Written only when the
///                     window has a sketch (item [5] is then nil when it has no spectral features); readers that predate it
///                     skip it as an unknown trailing item, so it needs no new schema version.
/// </code>
/// Timestamps stay integer nanoseconds (shortest MessagePack int form); only the float features narrow.
/// </remarks>
public sealed class Summary
{
    /// <summary>Sensor name as configured (e.g. <c>bme280-0</c>).</summary>
    public string Sensor { get; init; } = "";

    /// <summary>Channel of the sensor (e.g. <c>pressure</c>).</summary>
    public string Channel { get; init; } = "";

    /// <summary>Start of the window, inclusive, in UTC Unix nanoseconds.</summary>
    public long WindowStartNs { get; init; }

    /// <summary>End of the window, exclusive, in UTC Unix nanoseconds.</summary>
    public long WindowEndNs { get; init; }

    /// <summary>The window's features, copied field by field onto the wire as float32 (float64 out of float32's range) and integers.</summary>
    public WindowFeatures Features { get; init; }

    /// <summary>The window's spectral features, for a sensor configured with <c>spectral</c>; null otherwise (and in schema 1-2 frames).</summary>
    public SpectralSummary? Spectral { get; init; }

    /// <summary>The window's quantile sketch (DDSketch state), for a sensor configured with <c>quantiles</c>; null otherwise.</summary>
    public QuantileSketch? Quantiles { get; init; }
}
