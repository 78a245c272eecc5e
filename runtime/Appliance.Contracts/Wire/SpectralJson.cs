using System.Text;
using System.Text.Json;

namespace Appliance.Contracts.Wire;

/// <summary>
/// Spectral features as JSON properties, the one form the collector stores (the <c>summaries.spectral</c> column),
/// <c>cloud summaries</c> prints and <c>appliance stats --spectral</c> writes: <c>dominant_hz</c>, <c>dominant_amplitude</c>,
/// <c>centroid_hz</c>, <c>kurtosis</c>, <c>envelope_amplitude</c> (numbers; null where not finite, RFC 8259 §6 has no NaN)
/// and <c>band_rms</c> (an array in the configured band order).
/// </summary>
public static class SpectralJson
{
    /// <summary>Writes the six properties into the open object of <paramref name="w"/>.</summary>
    /// <param name="w">A writer inside an object.</param>
    /// <param name="s">The features.</param>
    /// <param name="envelope">False to leave <c>envelope_amplitude</c> out (none was asked for).</param>
    /// <param name="kurtosisName">The kurtosis property's name: <c>kurtosis</c> when empty; <c>appliance stats</c> passes
    /// <c>spectral_kurtosis</c>, its lines having a time-domain <c>kurtosis</c> already.</param>
    public static void WriteProperties(Utf8JsonWriter w, in SpectralSummary s, bool envelope = true, ReadOnlySpan<byte> kurtosisName = default)
    {
        ArgumentNullException.ThrowIfNull(w);
        Number(w, "dominant_hz"u8, s.DominantHz);
        Number(w, "dominant_amplitude"u8, s.DominantAmplitude);
        Number(w, "centroid_hz"u8, s.CentroidHz);
        Number(w, kurtosisName.IsEmpty ? "kurtosis"u8 : kurtosisName, s.Kurtosis);
        if (envelope)
        {
            Number(w, "envelope_amplitude"u8, s.EnvelopeAmplitude);
        }

        w.WriteStartArray("band_rms"u8);
        foreach (float b in s.BandRms.Span)
        {
            if (float.IsFinite(b))
            {
                w.WriteNumberValue(b);
            }
            else
            {
                w.WriteNullValue();
            }
        }

        w.WriteEndArray();
    }

    /// <summary>The features as one JSON object (the collector's <c>spectral</c> column).</summary>
    /// <param name="s">The features.</param>
    /// <returns>Compact JSON text.</returns>
    public static string ToJson(in SpectralSummary s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            WriteProperties(w, s);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, float value)
    {
        if (float.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
