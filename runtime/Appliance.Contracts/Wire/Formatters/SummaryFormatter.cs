using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary>
/// <see cref="Summary"/> body: positional array of 5 or 6 items (layout on <see cref="Summary"/>). Schema 2 writes the
/// window's length in ns as item [3] (1e9 fits a uint32: 5 bytes instead of 9); schema 1 frames, still read, carry the end.
/// Schema 3 adds item [5], the spectral features (<see cref="SpectralSummary"/>), written only when the window has them:
/// a summary without them stays the 5-item body of schema 2, byte for byte. Item [6], the window's quantile sketch
/// (<see cref="QuantileSketch"/>), follows the same rule (item [5] nil when only the sketch is there); a reader from before
/// it skips it as a trailing item, so the schema stays 3.
/// </summary>
internal sealed class SummaryFormatter : IMessagePackFormatter<Summary>
{
    private const int Fields = 5;

    /// <summary>Items of the spectral array: five scalars and the band RMS array.</summary>
    private const int SpectralFields = 6;

    /// <summary>Items of the quantile sketch array: α, zero count, positive offset and counts, negative offset and counts.</summary>
    private const int SketchFields = 6;

    /// <summary>Most bands a reader accepts (a configuration lists a handful).</summary>
    private const int MaxBands = 256;

    public void Serialize(ref MessagePackWriter writer, Summary value, MessagePackSerializerOptions options)
    {
        if (value.WindowEndNs < value.WindowStartNs || value.WindowEndNs - value.WindowStartNs < 0)
        {
            throw new ArgumentException(
                $"summary {value.Sensor}/{value.Channel}: window end {value.WindowEndNs} ns before its start {value.WindowStartNs} ns or a length beyond int64 ns", nameof(value));
        }

        writer.WriteArrayHeader(value.Quantiles is not null ? Fields + 2 : value.Spectral is null ? Fields : Fields + 1);
        writer.Write(value.Sensor);
        writer.Write(value.Channel);
        writer.Write(value.WindowStartNs);
        writer.Write(value.WindowEndNs - value.WindowStartNs);
        options.Resolver.GetFormatterWithVerify<WindowFeatures>().Serialize(ref writer, value.Features, options);
        if (value.Spectral is { } spectral)
        {
            WriteSpectral(ref writer, spectral);
        }
        else if (value.Quantiles is not null)
        {
            writer.WriteNil();
        }

        if (value.Quantiles is { } sketch)
        {
            WriteSketch(ref writer, sketch);
        }
    }

    private static void WriteSketch(ref MessagePackWriter writer, QuantileSketch q)
    {
        writer.WriteArrayHeader(SketchFields);
        writer.Write(q.Alpha);
        writer.Write(q.ZeroCount);
        writer.Write(q.PositiveOffset);
        WriteCounts(ref writer, q.PositiveCounts);
        writer.Write(q.NegativeOffset);
        WriteCounts(ref writer, q.NegativeCounts);
    }

    private static void WriteCounts(ref MessagePackWriter writer, long[] counts)
    {
        writer.WriteArrayHeader(counts.Length);
        foreach (long c in counts)
        {
            writer.Write(c);
        }
    }

    private static QuantileSketch? ReadSketch(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, SketchFields, "summary.quantiles");
        double alpha = WireReadRules.ReadFloat(ref reader, "summary.quantiles.alpha");
        long zeros = WireReadRules.ReadInteger(ref reader, "summary.quantiles.zero_count");
        int positiveOffset = ReadKey(ref reader, "summary.quantiles.positive_offset");
        long[] positive = ReadCounts(ref reader, "summary.quantiles.positive_counts");
        int negativeOffset = ReadKey(ref reader, "summary.quantiles.negative_offset");
        long[] negative = ReadCounts(ref reader, "summary.quantiles.negative_counts");
        WireReadRules.SkipItems(ref reader, count - SketchFields, options);
        reader.Depth--;
        var sketch = new QuantileSketch(alpha, zeros, positiveOffset, positive, negativeOffset, negative);
        return sketch.Problem() is { } problem ? throw new MessagePackSerializationException($"summary.quantiles: {problem}") : sketch;
    }

    private static int ReadKey(ref MessagePackReader reader, string what)
    {
        long key = WireReadRules.ReadInteger(ref reader, what);
        return key is < int.MinValue or > int.MaxValue
            ? throw new MessagePackSerializationException($"{what} {key}: expected a bin key within int32")
            : (int)key;
    }

    private static long[] ReadCounts(ref MessagePackReader reader, string what)
    {
        int n = WireReadRules.ReadArrayHeader(ref reader, 0, what);
        if (n > QuantileSketch.MaxBins)
        {
            throw new MessagePackSerializationException($"{what}: {n} bins, expected at most {QuantileSketch.MaxBins}");
        }

        var counts = new long[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = WireReadRules.ReadInteger(ref reader, what);
        }

        return counts;
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
            var spectral = ReadSpectral(ref reader);
            reader.Depth--;
            read++;
            QuantileSketch? sketch = null;
            if (count > Fields + 1)
            {
                sketch = ReadSketch(ref reader, options);
                read++;
            }

            s = new Summary { Sensor = s.Sensor, Channel = s.Channel, WindowStartNs = s.WindowStartNs, WindowEndNs = s.WindowEndNs, Features = s.Features, Spectral = spectral, Quantiles = sketch };
        }

        WireReadRules.SkipItems(ref reader, count - read, options);
        reader.Depth--;
        return s;
    }
}
