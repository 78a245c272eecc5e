using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Runtime.Uplink.Wire.Formatters;

/// <summary><see cref="Heartbeat"/> body: positional array of 4 items (layout on <see cref="Heartbeat"/>).</summary>
internal sealed class HeartbeatFormatter : IMessagePackFormatter<Heartbeat>
{
    private const int Fields = 4;

    public void Serialize(ref MessagePackWriter writer, Heartbeat value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(value.UptimeMs);
        writer.Write(value.ExecutionProvider);
        writer.Write(value.ConfigRevision);

        // Ascending key order: one encoding per value, whatever the dictionary's enumeration order.
        int[] keys = new int[value.Counters.Count];
        int k = 0;
        foreach (int key in value.Counters.Keys)
        {
            keys[k++] = key;
        }

        Array.Sort(keys);
        writer.WriteMapHeader(keys.Length);
        foreach (int key in keys)
        {
            writer.Write(key);
            writer.Write(value.Counters[key]);
        }
    }

    public Heartbeat Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = WireReading.ReadArrayHeader(ref reader, Fields, "heartbeat");
        long uptime = WireReading.ReadInteger(ref reader, "heartbeat.uptime_ms");
        string provider = WireReading.ReadRequiredString(ref reader, "heartbeat.execution_provider");
        string revision = WireReading.ReadRequiredString(ref reader, "heartbeat.config_revision");
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new MessagePackSerializationException($"heartbeat.counters: found {reader.NextMessagePackType}, expected a map");
        }

        options.Security.DepthStep(ref reader);
        int n = reader.ReadMapHeader();
        var counters = new Dictionary<int, long>(Math.Min(n, 64));
        for (int i = 0; i < n; i++)
        {
            long key = WireReading.ReadInteger(ref reader, "heartbeat.counters key");
            if (key is < int.MinValue or > int.MaxValue)
            {
                throw new MessagePackSerializationException($"heartbeat.counters key {key} does not fit a 32-bit counter id");
            }

            long v = WireReading.ReadInteger(ref reader, "heartbeat.counters value");
            if (!counters.TryAdd((int)key, v))
            {
                throw new MessagePackSerializationException($"heartbeat.counters: key {key} appears twice");
            }
        }

        reader.Depth--;
        WireReading.SkipItems(ref reader, count - Fields, options);
        reader.Depth--;
        return new Heartbeat { UptimeMs = uptime, ExecutionProvider = provider, ConfigRevision = revision, Counters = counters };
    }
}
