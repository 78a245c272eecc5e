using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="ClipChunk"/> body: positional array of 11 items (layout on <see cref="ClipChunk"/>).</summary>
internal sealed class ClipChunkFormatter : IMessagePackFormatter<ClipChunk>
{
    private const int Fields = 11;

    public void Serialize(ref MessagePackWriter writer, ClipChunk value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.Camera);
        writer.Write(value.EventId);
        writer.Write(value.StartNs);
        writer.Write(value.EndNs);
        writer.Write(value.Container);
        writer.Write(value.ChunkIndex);
        writer.Write(value.ChunkCount);
        writer.Write(value.ChunkOffset);
        writer.Write(value.TotalBytes);
        writer.Write(value.Sha256.Span);
        writer.Write(value.Data.Span);
    }

    public ClipChunk Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReadRules.ReadArrayHeader(ref reader, Fields, "clip_chunk");
        var c = new ClipChunk
        {
            Camera = WireReadRules.ReadRequiredString(ref reader, "clip_chunk.camera"),
            EventId = WireReadRules.ReadInteger(ref reader, "clip_chunk.event_id"),
            StartNs = WireReadRules.ReadInteger(ref reader, "clip_chunk.start_ns"),
            EndNs = WireReadRules.ReadInteger(ref reader, "clip_chunk.end_ns"),
            Container = WireReadRules.ReadRequiredString(ref reader, "clip_chunk.container"),
            ChunkIndex = Int32(ref reader, "clip_chunk.chunk_index"),
            ChunkCount = Int32(ref reader, "clip_chunk.chunk_count"),
            ChunkOffset = WireReadRules.ReadInteger(ref reader, "clip_chunk.chunk_offset"),
            TotalBytes = WireReadRules.ReadInteger(ref reader, "clip_chunk.total_bytes"),
            Sha256 = Binary(ref reader, "clip_chunk.sha256"),
            Data = Binary(ref reader, "clip_chunk.data"),
        };
        WireReadRules.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return c;
    }

    private static int Int32(ref MessagePackReader reader, string what)
    {
        long v = WireReadRules.ReadInteger(ref reader, what);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new MessagePackSerializationException($"{what}: {v}, expected a 32-bit integer");
    }

    private static byte[] Binary(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Binary)
        {
            throw new MessagePackSerializationException($"{what}: found {reader.NextMessagePackType}, expected binary");
        }

        return reader.ReadBytes()?.ToArray() ?? [];
    }
}
