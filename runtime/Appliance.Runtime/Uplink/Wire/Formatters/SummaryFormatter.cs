using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Runtime.Uplink.Wire.Formatters;

/// <summary><see cref="Summary"/> body: positional array of 5 items (layout on <see cref="Summary"/>).</summary>
internal sealed class SummaryFormatter : IMessagePackFormatter<Summary>
{
    private const int Fields = 5;

    public void Serialize(ref MessagePackWriter writer, Summary value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Sensor);
        writer.Write(value.Channel);
        writer.Write(value.WindowStartNs);
        writer.Write(value.WindowEndNs);
        options.Resolver.GetFormatterWithVerify<WindowFeatures>().Serialize(ref writer, value.Features, options);
    }

    public Summary Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReading.ReadArrayHeader(ref reader, Fields, "summary");
        var s = new Summary
        {
            Sensor = WireReading.ReadRequiredString(ref reader, "summary.sensor"),
            Channel = WireReading.ReadRequiredString(ref reader, "summary.channel"),
            WindowStartNs = WireReading.ReadInteger(ref reader, "summary.window_start_ns"),
            WindowEndNs = WireReading.ReadInteger(ref reader, "summary.window_end_ns"),
            Features = options.Resolver.GetFormatterWithVerify<WindowFeatures>().Deserialize(ref reader, options),
        };
        WireReading.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return s;
    }
}
