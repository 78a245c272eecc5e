using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Runtime.Uplink.Wire.Formatters;

/// <summary><see cref="Ack"/> body: array of 1 item, the array of acknowledged sequences (layout on <see cref="Ack"/>).</summary>
internal sealed class AckFormatter : IMessagePackFormatter<Ack>
{
    private const int Fields = 1;

    public void Serialize(ref MessagePackWriter writer, Ack value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.WriteArrayHeader(value.Sequences.Count);
        for (int i = 0; i < value.Sequences.Count; i++)
        {
            writer.Write(value.Sequences[i]);
        }
    }

    public Ack Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReading.ReadArrayHeader(ref reader, Fields, "ack");
        options.Security.DepthStep(ref reader);
        int n = WireReading.ReadArrayHeader(ref reader, 0, "ack.sequences");
        var sequences = new long[n];
        for (int i = 0; i < n; i++)
        {
            long seq = WireReading.ReadInteger(ref reader, "ack.sequences item");
            if (seq < 1)
            {
                throw new MessagePackSerializationException($"ack.sequences[{i}] = {seq}, expected a 1-based sequence");
            }

            sequences[i] = seq;
        }

        reader.Depth--;
        WireReading.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return new Ack { Sequences = sequences };
    }
}
