using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary>
/// <see cref="Summary"/> body: positional array of 5 items (layout on <see cref="Summary"/>). Schema 2 writes the
/// window's length in ns as item [3] (1e9 fits a uint32: 5 bytes instead of 9); schema 1 frames, still read, carry the end.
/// </summary>
internal sealed class SummaryFormatter : IMessagePackFormatter<Summary>
{
    private const int Fields = 5;

    public void Serialize(ref MessagePackWriter writer, Summary value, MessagePackSerializerOptions options)
    {
        if (value.WindowEndNs < value.WindowStartNs || value.WindowEndNs - value.WindowStartNs < 0)
        {
            throw new ArgumentException(
                $"summary {value.Sensor}/{value.Channel}: window end {value.WindowEndNs} ns before its start {value.WindowStartNs} ns or a length beyond int64 ns", nameof(value));
        }

        writer.WriteArrayHeader(Fields);
        writer.Write(value.Sensor);
        writer.Write(value.Channel);
        writer.Write(value.WindowStartNs);
        writer.Write(value.WindowEndNs - value.WindowStartNs);
        options.Resolver.GetFormatterWithVerify<WindowFeatures>().Serialize(ref writer, value.Features, options);
    }

    public Summary Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Deserialize(ref reader, options, WireCodec.SchemaVersion);

    /// <summary>Reads a summary body written under <paramref name="schemaVersion"/> (1: item [3] is the end; 2: the length).</summary>
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
        WireReadRules.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return s;
    }
}
