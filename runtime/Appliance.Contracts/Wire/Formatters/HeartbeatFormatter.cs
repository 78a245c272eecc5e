using MessagePack;
using MessagePack.Formatters;

namespace Appliance.Contracts.Wire.Formatters;

/// <summary><see cref="Heartbeat"/> body: positional array of 9 items (10 with labels, 11 with shadow reports: labels then
/// nil when the device has none), 4 in schema 1 (layout on <see cref="Heartbeat"/>).</summary>
internal sealed class HeartbeatFormatter : IMessagePackFormatter<Heartbeat>
{
    private const int FieldsV1 = 4;
    private const int Fields = 9;
    private const int SensorFields = 7;
    private const int ShadowFields = 14;

    public void Serialize(ref MessagePackWriter writer, Heartbeat value, MessagePackSerializerOptions options)
    {
        bool shadow = value.Shadow.Count > 0;
        writer.WriteArrayHeader(shadow ? Fields + 2 : value.Labels is null ? Fields : Fields + 1);
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
        else if (shadow)
        {
            writer.WriteNil();
        }

        if (shadow)
        {
            writer.WriteArrayHeader(value.Shadow.Count);
            foreach (ShadowReport r in value.Shadow)
            {
                writer.WriteArrayHeader(ShadowFields);
                writer.Write(r.Rollout);
                writer.Write(r.Model);
                writer.Write(r.Incumbent);
                writer.Write(r.Windows);
                writer.Write(r.WouldAlert);
                writer.Write(r.IncumbentAlerts);
                writer.Write(r.Agreements);
                writer.Write(r.Errors);
                WindowFeaturesFormatter.WriteFeature(ref writer, r.LatencyP50Us);
                WindowFeaturesFormatter.WriteFeature(ref writer, r.LatencyP99Us);
                WindowFeaturesFormatter.WriteFeature(ref writer, r.ScoreP50);
                WindowFeaturesFormatter.WriteFeature(ref writer, r.ScoreP90);
                WindowFeaturesFormatter.WriteFeature(ref writer, r.ScoreP99);
                writer.Write(r.Rejection);
            }
        }
    }

    private static List<ShadowReport> ReadShadow(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int n = WireReadRules.ReadArrayHeader(ref reader, 0, "heartbeat.shadow");
        if (n > ShadowReport.MaxPerHeartbeat)
        {
            throw new MessagePackSerializationException($"heartbeat.shadow: {n} reports, expected at most {ShadowReport.MaxPerHeartbeat}");
        }

        var reports = new List<ShadowReport>(n);
        for (int i = 0; i < n; i++)
        {
            options.Security.DepthStep(ref reader);
            int fields = WireReadRules.ReadArrayHeader(ref reader, ShadowFields, "heartbeat.shadow[]");
            reports.Add(new ShadowReport
            {
                Rollout = WireReadRules.ReadRequiredString(ref reader, "heartbeat.shadow[].rollout"),
                Model = WireReadRules.ReadRequiredString(ref reader, "heartbeat.shadow[].model"),
                Incumbent = WireReadRules.ReadRequiredString(ref reader, "heartbeat.shadow[].incumbent"),
                Windows = WireReadRules.ReadInteger(ref reader, "heartbeat.shadow[].windows"),
                WouldAlert = WireReadRules.ReadInteger(ref reader, "heartbeat.shadow[].would_alert"),
                IncumbentAlerts = WireReadRules.ReadInteger(ref reader, "heartbeat.shadow[].incumbent_alerts"),
                Agreements = WireReadRules.ReadInteger(ref reader, "heartbeat.shadow[].agreements"),
                Errors = WireReadRules.ReadInteger(ref reader, "heartbeat.shadow[].errors"),
                LatencyP50Us = WireReadRules.ReadFloat(ref reader, "heartbeat.shadow[].latency_p50_us"),
                LatencyP99Us = WireReadRules.ReadFloat(ref reader, "heartbeat.shadow[].latency_p99_us"),
                ScoreP50 = WireReadRules.ReadFloat(ref reader, "heartbeat.shadow[].score_p50"),
                ScoreP90 = WireReadRules.ReadFloat(ref reader, "heartbeat.shadow[].score_p90"),
                ScoreP99 = WireReadRules.ReadFloat(ref reader, "heartbeat.shadow[].score_p99"),
                Rejection = WireReadRules.ReadRequiredString(ref reader, "heartbeat.shadow[].rejection"),
            });
            WireReadRules.SkipItems(ref reader, fields - ShadowFields, options);
            reader.Depth--;
        }

        reader.Depth--;
        return reports;
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
        Dictionary<string, string>? labels = null;
        if (count > Fields && !reader.TryReadNil())
        {
            labels = ReadLabels(ref reader, options);
        }

        List<ShadowReport>? shadow = count > Fields + 1 ? ReadShadow(ref reader, options) : null;
        WireReadRules.SkipItems(ref reader, count - Math.Min(count, Fields + 2), options);
        reader.Depth--;
        return new Heartbeat
        {
            UptimeMs = uptime, ExecutionProvider = provider, ConfigRevision = revision, Counters = counters,
            ConfigState = state, ConfigError = configError, ModelId = modelId, ModelRejection = modelRejection, Sensors = sensors,
            Labels = labels, Shadow = shadow ?? [],
        };
    }
}
