using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary>
/// <see cref="Summary"/> body: positional array of 5 or 6 items (layout on <see cref="Summary"/>). Schema 2 writes the
/// window's length in ns as item [3] (1e9 fits a uint32: 5 bytes instead of 9); schema 1 frames, still read, carry the end.
/// Schema 3 adds item [5], the spectral features (<see cref="SpectralSummary"/>), written only when the window has them:
/// a summary without them stays the 5-item body of schema 2, byte for byte.
/// </summary>
internal sealed class SummaryFormatter : IMessagePackFormatter<Summary>
{
    private const int Fields = 5;

    /// <summary>Items of the spectral array: five scalars and the band RMS array.</summary>
    private const int SpectralFields = 6;

    /// <summary>Most bands a reader accepts (a configuration lists a handful).</summary>
    private const int MaxBands = 256;

    public void Serialize(ref MessagePackWriter writer, Summary value, MessagePackSerializerOptions options)
    {
        if (value.WindowEndNs < value.WindowStartNs || value.WindowEndNs - value.WindowStartNs < 0)
        {
            throw new ArgumentException(
                $"summary {value.Sensor}/{value.Channel}: window end {value.WindowEndNs} ns before its start {value.WindowStartNs} ns or a length beyond int64 ns", nameof(value));
        }

        writer.WriteArrayHeader(value.Spectral is null ? Fields : Fields + 1);
        writer.Write(value.Sensor);
        writer.Write(value.Channel);
        writer.Write(value.WindowStartNs);
        writer.Write(value.WindowEndNs - value.WindowStartNs);
        options.Resolver.GetFormatterWithVerify<WindowFeatures>().Serialize(ref writer, value.Features, options);
        if (value.Spectral is { } spectral)
        {
            WriteSpectral(ref writer, spectral);
        }
    }

    private static void WriteSpectral(ref MessagePackWriter writer, in SpectralSummary s)
    {
        writer.WriteArrayHeader(SpectralFields);
        writer.Write(s.DominantHz);
        writer.Write(s.DominantAmplitude);
        writer.Write(s.CentroidHz);
        writer.Write(s.Kurtosis);
        writer.Write(s.EnvelopeAmplitude);
        var bands = s.BandRms.Span;
        writer.WriteArrayHeader(bands.Length);
        foreach (float b in bands)
        {
            writer.Write(b);
        }
    }

    private static SpectralSummary? ReadSpectral(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int count = WireReadRules.ReadArrayHeader(ref reader, SpectralFields, "summary.spectral");
        var s = new SpectralSummary
        {
            DominantHz = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.dominant_hz"),
            DominantAmplitude = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.dominant_amplitude"),
            CentroidHz = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.centroid_hz"),
            Kurtosis = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.kurtosis"),
            EnvelopeAmplitude = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.envelope_amplitude"),
        };
        int bandCount = WireReadRules.ReadArrayHeader(ref reader, 0, "summary.spectral.band_rms");
        if (bandCount > MaxBands)
        {
            throw new MessagePackSerializationException($"summary.spectral.band_rms: {bandCount} bands, expected at most {MaxBands}");
        }

        var bands = new float[bandCount];
        for (int b = 0; b < bandCount; b++)
        {
            bands[b] = (float)WireReadRules.ReadFloat(ref reader, "summary.spectral.band_rms");
        }

        if (count > SpectralFields)
        {
            throw new MessagePackSerializationException($"summary.spectral: array of {count} items, expected {SpectralFields}");
        }

        return s with { BandRms = bands };
    }

    public Summary Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Deserialize(ref reader, options, WireCodec.SchemaVersion);

    /// <summary>Reads a summary body written under <paramref name="schemaVersion"/> (1: item [3] is the end; 2: the length; 3: item [5] spectral).</summary>
    internal static Summary Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options, long schemaVersion)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "summary");
        string sensor = WireReadRules.ReadRequiredString(ref reader, "summary.sensor");
        string channel = WireReadRules.ReadRequiredString(ref reader, "summary.channel");
        long start = WireReadRules.ReadInteger(ref reader, "summary.window_start_ns");
        long end;
        if (schemaVersion == 1)
        {
            end = WireReadRules.ReadInteger(ref reader, "summary.window_end_ns");
        }
        else
        {
            long length = WireReadRules.ReadInteger(ref reader, "summary.window_length_ns");
            if (length < 0 || start > long.MaxValue - length)
            {
                throw new MessagePackSerializationException(
                    $"summary.window_length_ns {length} at start {start}: expected a length >= 0 whose end fits int64 ns");
            }

            end = start + length;
        }

        var s = new Summary
        {
            Sensor = sensor,
            Channel = channel,
            WindowStartNs = start,
            WindowEndNs = end,
            Features = options.Resolver.GetFormatterWithVerify<WindowFeatures>().Deserialize(ref reader, options),
        };
        int read = Fields;
        if (schemaVersion >= 3 && count > Fields)
        {
            options.Security.DepthStep(ref reader);
            s = new Summary { Sensor = s.Sensor, Channel = s.Channel, WindowStartNs = s.WindowStartNs, WindowEndNs = s.WindowEndNs, Features = s.Features, Spectral = ReadSpectral(ref reader) };
            reader.Depth--;
            read++;
        }

        WireReadRules.SkipItems(ref reader, count - read, options);
        reader.Depth--;
        return s;
    }
}
