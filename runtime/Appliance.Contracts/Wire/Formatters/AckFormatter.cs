using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Ack"/> body: array of 1 to 3 items, the acknowledged sequences, the optional proof (bin or nil) and the
/// optional pending count (layout on <see cref="Ack"/>).</summary>
internal sealed class AckFormatter : IMessagePackFormatter<Ack>
{
    private const int Fields = 1;

    public void Serialize(ref MessagePackWriter writer, Ack value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(value.Pending is not null ? Fields + 2 : value.Proof is null ? Fields : Fields + 1);
        writer.WriteArrayHeader(value.Sequences.Count);
        for (int i = 0; i < value.Sequences.Count; i++)
        {
            writer.Write(value.Sequences[i]);
        }

        if (value.Proof is not null)
        {
            writer.Write(value.Proof);
        }
        else if (value.Pending is not null)
        {
            writer.WriteNil();
        }

        if (value.Pending is { } pending)
        {
            writer.Write(pending);
        }
    }

    public Ack Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "ack");
        options.Security.DepthStep(ref reader);
        int n = WireReadRules.ReadArrayHeader(ref reader, 0, "ack.sequences");
        var sequences = new long[n];
        for (int i = 0; i < n; i++)
        {
            long seq = WireReadRules.ReadInteger(ref reader, "ack.sequences item");
            if (seq < 1)
            {
                throw new MessagePackSerializationException($"ack.sequences[{i}] = {seq}, expected a 1-based sequence");
            }

            sequences[i] = seq;
        }

        reader.Depth--;
        byte[]? proof = null;
        int extra = count - Fields;
        if (extra > 0 && reader.NextMessagePackType == MessagePackType.Binary)
        {
            System.Buffers.ReadOnlySequence<byte>? bytes = reader.ReadBytes();
            proof = bytes.HasValue ? System.Buffers.BuffersExtensions.ToArray(bytes.Value) : null;
            extra--;
        }
        else if (extra > 0 && reader.NextMessagePackType == MessagePackType.Nil)
        {
            reader.ReadNil();
            extra--;
        }

        long? pending = null;
        if (extra > 0 && reader.NextMessagePackType == MessagePackType.Integer)
        {
            pending = WireReadRules.ReadInteger(ref reader, "ack.pending");
            if (pending < 0)
            {
                throw new MessagePackSerializationException($"ack.pending = {pending}, expected a count >= 0");
            }

            extra--;
        }

        WireReadRules.SkipItems(ref reader, extra, options); // a newer writer's other items are skipped
        reader.Depth--;
        return new Ack { Sequences = sequences, Proof = proof, Pending = pending };
    }
}
