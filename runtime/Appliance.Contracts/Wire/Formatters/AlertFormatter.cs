using Appliance.Kernels.Statistics;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Alert"/> body: positional array of 8 items (layout on <see cref="Alert"/>).</summary>
internal sealed class AlertFormatter : IMessagePackFormatter<Alert>
{
    private const int Fields = 8;

    public void Serialize(ref MessagePackWriter writer, Alert value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Sensor);
        writer.Write(value.Channel);
        writer.Write(value.TimeNs);
        writer.Write(value.Score);
        writer.Write(value.Threshold);
        writer.Write((byte)value.Severity);
        writer.Write(value.Detector);
        options.Resolver.GetFormatterWithVerify<WindowFeatures>().Serialize(ref writer, value.Features, options);
    }

    public Alert Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "alert");
        string sensor = WireReadRules.ReadRequiredString(ref reader, "alert.sensor");
        string channel = WireReadRules.ReadRequiredString(ref reader, "alert.channel");
        long timeNs = WireReadRules.ReadInteger(ref reader, "alert.time_ns");
        double score = WireReadRules.ReadFloat(ref reader, "alert.score");
        double threshold = WireReadRules.ReadFloat(ref reader, "alert.threshold");
        long severity = WireReadRules.ReadInteger(ref reader, "alert.severity");
        if (severity is < (long)AlertSeverity.Info or > (long)AlertSeverity.Critical)
        {
            throw new MessagePackSerializationException($"alert.severity: {severity}, expected 0 (info), 1 (warning) or 2 (critical)");
        }

        var a = new Alert
        {
            Sensor = sensor,
            Channel = channel,
            TimeNs = timeNs,
            Score = score,
            Threshold = threshold,
            Severity = (AlertSeverity)severity,
            Detector = WireReadRules.ReadRequiredString(ref reader, "alert.detector"),
            Features = options.Resolver.GetFormatterWithVerify<WindowFeatures>().Deserialize(ref reader, options),
        };
        WireReadRules.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return a;
    }
}
