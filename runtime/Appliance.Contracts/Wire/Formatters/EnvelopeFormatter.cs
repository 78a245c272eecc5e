using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Envelope"/>: fixarray of 5 items (6 with a non-zero incarnation), the body dispatched on the message
/// type (layout on <see cref="Envelope"/>).</summary>
internal sealed class EnvelopeFormatter : IMessagePackFormatter<Envelope>
{
    private const int Fields = 5;

    public void Serialize(ref MessagePackWriter writer, Envelope value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(value.Incarnation == 0 ? Fields : Fields + 1);
        writer.Write(value.SchemaVersion);
        writer.Write((byte)value.MessageType);
        writer.Write(value.DeviceId);
        writer.Write(value.Sequence);
        IFormatterResolver r = options.Resolver;
        switch (value.MessageType, value.Body)
        {
            case (MessageType.Summary, Summary s): r.GetFormatterWithVerify<Summary>().Serialize(ref writer, s, options); break;
            case (MessageType.Alert, Alert a): r.GetFormatterWithVerify<Alert>().Serialize(ref writer, a, options); break;
            case (MessageType.Heartbeat, Heartbeat h): r.GetFormatterWithVerify<Heartbeat>().Serialize(ref writer, h, options); break;
            case (MessageType.Ack, Ack k): r.GetFormatterWithVerify<Ack>().Serialize(ref writer, k, options); break;
            case (MessageType.Command, Command c): r.GetFormatterWithVerify<Command>().Serialize(ref writer, c, options); break;
            case (MessageType.CommandResult, CommandResult c): r.GetFormatterWithVerify<CommandResult>().Serialize(ref writer, c, options); break;
            case (MessageType.ClipChunk, ClipChunk c): r.GetFormatterWithVerify<ClipChunk>().Serialize(ref writer, c, options); break;
            default:
                throw new ArgumentException(
                    $"envelope type {value.MessageType} with a body of type {value.Body?.GetType().Name ?? "null"} (expected the matching body class)",
                    nameof(value));
        }

        if (value.Incarnation != 0)
        {
            writer.Write(value.Incarnation);
        }
    }

    public Envelope Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "envelope");
        long version = WireReadRules.ReadInteger(ref reader, "envelope.schema_version");
        if (version < WireCodec.OldestReadableSchemaVersion || version > WireCodec.SchemaVersion)
        {
            throw new MessagePackSerializationException(
                $"envelope.schema_version {version}, this build reads {WireCodec.OldestReadableSchemaVersion}..{WireCodec.SchemaVersion}");
        }

        long type = WireReadRules.ReadInteger(ref reader, "envelope.message_type");
        string deviceId = WireReadRules.ReadRequiredString(ref reader, "envelope.device_id");
        if (deviceId.Length == 0)
        {
            throw new MessagePackSerializationException("envelope.device_id is empty");
        }

        long sequence = WireReadRules.ReadInteger(ref reader, "envelope.sequence");
        if (sequence < 1)
        {
            throw new MessagePackSerializationException($"envelope.sequence {sequence}, expected 1-based");
        }

        IFormatterResolver r = options.Resolver;
        object body = type switch
        {
            (long)MessageType.Summary => SummaryFormatter.Deserialize(ref reader, options, version),
            (long)MessageType.Alert => r.GetFormatterWithVerify<Alert>().Deserialize(ref reader, options),
            (long)MessageType.Heartbeat => HeartbeatFormatter.Deserialize(ref reader, options, version),
            (long)MessageType.Ack => r.GetFormatterWithVerify<Ack>().Deserialize(ref reader, options),
            (long)MessageType.Command => r.GetFormatterWithVerify<Command>().Deserialize(ref reader, options),
            (long)MessageType.CommandResult => r.GetFormatterWithVerify<CommandResult>().Deserialize(ref reader, options),
            (long)MessageType.ClipChunk => r.GetFormatterWithVerify<ClipChunk>().Deserialize(ref reader, options),
            _ => throw new MessagePackSerializationException($"envelope.message_type {type} is unknown (expected 1..7)"),
        };
        long incarnation = 0;
        int extra = count - Fields;
        if (extra > 0)
        {
            incarnation = WireReadRules.ReadInteger(ref reader, "envelope.incarnation");
            if (incarnation < 0)
            {
                throw new MessagePackSerializationException($"envelope.incarnation {incarnation}, expected 0 to 2^63-1");
            }

            extra--;
        }

        WireReadRules.SkipItems(ref reader, extra, options);
        reader.Depth--;
        return new Envelope((byte)version, (MessageType)type, deviceId, sequence, body, incarnation);
    }
}
