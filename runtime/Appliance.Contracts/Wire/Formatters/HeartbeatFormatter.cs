using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Heartbeat"/> body: positional array of 9 items (10 with labels), 4 in schema 1 (layout on <see cref="Heartbeat"/>).</summary>
internal sealed class HeartbeatFormatter : IMessagePackFormatter<Heartbeat>
{
    private const int FieldsV1 = 4;
    private const int Fields = 9;
    private const int SensorFields = 7;

    public void Serialize(ref MessagePackWriter writer, Heartbeat value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(value.Labels is null ? Fields : Fields + 1);
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

        writer.Write(value.ConfigState);
        writer.Write(value.ConfigError);
        writer.Write(value.ModelId);
        writer.Write(value.ModelRejection);
        writer.WriteArrayHeader(value.Sensors.Count);
        foreach (SensorReport s in value.Sensors)
        {
            writer.WriteArrayHeader(SensorFields);
            writer.Write(s.Name);
            writer.Write(s.Health);
            writer.Write(s.Reason);
            writer.Write(s.Faults);
            WindowFeaturesFormatter.WriteFeature(ref writer, s.RateHz);
            WindowFeaturesFormatter.WriteFeature(ref writer, s.JitterP50Us);
            WindowFeaturesFormatter.WriteFeature(ref writer, s.JitterP99Us);
        }

        if (value.Labels is { } labels)
        {
            writer.WriteMapHeader(labels.Count);
            foreach (var (key, label) in labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.Write(key);
                writer.Write(label);
            }
        }
    }

    private static Dictionary<string, string> ReadLabels(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new MessagePackSerializationException($"heartbeat.labels: found {reader.NextMessagePackType}, expected a map");
        }

        options.Security.DepthStep(ref reader);
        int n = reader.ReadMapHeader();
        if (n > DeviceLabels.MaxLabels)
        {
            throw new MessagePackSerializationException($"heartbeat.labels: {n} labels, expected at most {DeviceLabels.MaxLabels}");
        }

        var labels = new Dictionary<string, string>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            string key = WireReadRules.ReadRequiredString(ref reader, "heartbeat.labels key");
            string value = WireReadRules.ReadRequiredString(ref reader, "heartbeat.labels value");
            if (DeviceLabels.Problem(key, value) is { } problem)
            {
                throw new MessagePackSerializationException($"heartbeat.labels: {problem}");
            }

            if (!labels.TryAdd(key, value))
            {
                throw new MessagePackSerializationException($"heartbeat.labels: key {key} appears twice");
            }
        }

        reader.Depth--;
        return labels;
    }

    public Heartbeat Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Deserialize(ref reader, options, WireCodec.SchemaVersion);

    /// <summary>Reads a heartbeat body written under <paramref name="schemaVersion"/> (1: four items; 2: nine).</summary>
    internal static Heartbeat Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options, long schemaVersion)
    {
        options.Security.DepthStep(ref reader);
        int minimum = schemaVersion == 1 ? FieldsV1 : Fields;
        int count = WireReadRules.ReadArrayHeader(ref reader, minimum, "heartbeat");
        long uptime = WireReadRules.ReadInteger(ref reader, "heartbeat.uptime_ms");
        string provider = WireReadRules.ReadRequiredString(ref reader, "heartbeat.execution_provider");
        string revision = WireReadRules.ReadRequiredString(ref reader, "heartbeat.config_revision");
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw new MessagePackSerializationException($"heartbeat.counters: found {reader.NextMessagePackType}, expected a map");
        }

        options.Security.DepthStep(ref reader);
        int n = reader.ReadMapHeader();
        var counters = new Dictionary<int, long>(Math.Min(n, 64));
        for (int i = 0; i < n; i++)
        {
            long key = WireReadRules.ReadInteger(ref reader, "heartbeat.counters key");
            if (key is < int.MinValue or > int.MaxValue)
            {
                throw new MessagePackSerializationException($"heartbeat.counters key {key} does not fit a 32-bit counter id");
            }

            long v = WireReadRules.ReadInteger(ref reader, "heartbeat.counters value");
            if (!counters.TryAdd((int)key, v))
            {
                throw new MessagePackSerializationException($"heartbeat.counters: key {key} appears twice");
            }
        }

        reader.Depth--;
        if (minimum == FieldsV1)
        {
            WireReadRules.SkipItems(ref reader, count - FieldsV1, options);
            reader.Depth--;
            return new Heartbeat { UptimeMs = uptime, ExecutionProvider = provider, ConfigRevision = revision, Counters = counters };
        }

        string state = WireReadRules.ReadRequiredString(ref reader, "heartbeat.config_state");
        string configError = WireReadRules.ReadRequiredString(ref reader, "heartbeat.config_error");
        string modelId = WireReadRules.ReadRequiredString(ref reader, "heartbeat.model_id");
        string modelRejection = WireReadRules.ReadRequiredString(ref reader, "heartbeat.model_rejection");
        options.Security.DepthStep(ref reader);
        int n2 = WireReadRules.ReadArrayHeader(ref reader, 0, "heartbeat.sensors");
        var sensors = new List<SensorReport>(Math.Min(n2, 64));
        for (int i = 0; i < n2; i++)
        {
            options.Security.DepthStep(ref reader);
            int fields = WireReadRules.ReadArrayHeader(ref reader, SensorFields, "heartbeat.sensors[]");
            sensors.Add(new SensorReport
            {
                Name = WireReadRules.ReadRequiredString(ref reader, "heartbeat.sensors[].name"),
                Health = WireReadRules.ReadRequiredString(ref reader, "heartbeat.sensors[].health"),
                Reason = WireReadRules.ReadRequiredString(ref reader, "heartbeat.sensors[].reason"),
                Faults = WireReadRules.ReadInteger(ref reader, "heartbeat.sensors[].faults"),
                RateHz = WireReadRules.ReadFloat(ref reader, "heartbeat.sensors[].rate_hz"),
                JitterP50Us = WireReadRules.ReadFloat(ref reader, "heartbeat.sensors[].jitter_p50_us"),
                JitterP99Us = WireReadRules.ReadFloat(ref reader, "heartbeat.sensors[].jitter_p99_us"),
            });
            WireReadRules.SkipItems(ref reader, fields - SensorFields, options);
            reader.Depth--;
        }

        reader.Depth--;
        Dictionary<string, string>? labels = count > Fields ? ReadLabels(ref reader, options) : null;
        WireReadRules.SkipItems(ref reader, count - Fields - (labels is null ? 0 : 1), options);
        reader.Depth--;
        return new Heartbeat
        {
            UptimeMs = uptime, ExecutionProvider = provider, ConfigRevision = revision, Counters = counters,
            ConfigState = state, ConfigError = configError, ModelId = modelId, ModelRejection = modelRejection, Sensors = sensors,
            Labels = labels,
        };
    }
}
