using Appliance.Cloud.Ingest;
using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Appliance.Kernels.Statistics;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The row layout both collector stores share (<see cref="SqliteStore"/>, <see cref="PostgresStore"/>): the feature
/// columns of a summary, how a summary and a device row are read back, and how heartbeat counters are written.
/// </summary>
internal static class StoreRowMapping
{
    /// <summary>The feature columns of the summaries and alerts tables, in <see cref="WindowFeatures"/> order.</summary>
    public const string FeatureColumns =
        "count, nan_count, min, max, mean, m2, m3, m4, sum_of_squares, first, last, zero_crossings";

    /// <summary>Reads every row of <paramref name="r"/> through <paramref name="row"/> (<see cref="Summary"/>, <see cref="Device"/>).</summary>
    public static List<T> All<T>(DbDataReader r, Func<DbDataReader, T> row)
    {
        var rows = new List<T>();
        while (r.Read())
        {
            rows.Add(row(r));
        }

        return rows;
    }

    /// <summary>Reads a row of <c>device_id, seq, sensor, channel, window_start_ns, window_end_ns, FEATURES, spectral</c>.
    /// A NULL feature (SQLite has no NaN) reads as NaN.</summary>
    public static StoredSummary Summary(DbDataReader r)
    {
        var f = new WindowFeatures
        {
            Count = r.GetInt64(6),
            NanCount = r.GetInt64(7),
            Min = Real(r, 8),
            Max = Real(r, 9),
            Mean = Real(r, 10),
            M2 = Real(r, 11),
            M3 = Real(r, 12),
            M4 = Real(r, 13),
            SumOfSquares = Real(r, 14),
            First = Real(r, 15),
            Last = Real(r, 16),
            ZeroCrossings = r.GetInt64(17),
        };
        return new StoredSummary(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), f,
            r.IsDBNull(18) ? null : r.GetString(18));
    }

    /// <summary>Reads a row of <see cref="StoreSql.Devices"/>.</summary>
    public static DeviceRecord Device(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? 0 : r.GetInt64(3),
            r.IsDBNull(4) ? 0 : r.GetInt64(4), r.IsDBNull(5) ? "" : r.GetString(5), r.IsDBNull(6) ? "" : r.GetString(6),
            r.GetInt64(7), r.GetInt64(8), r.IsDBNull(9) ? "" : r.GetString(9), r.IsDBNull(10) ? "" : r.GetString(10));

    /// <summary>
    /// A heartbeat's health as the JSON object kept in the fleet table's <c>health</c> column (keys on <see cref="DeviceRecord.Health"/>):
    /// counters by name (<see cref="HeartbeatCounter"/>; an id this build does not know is written <c>c&lt;id&gt;</c>), non-finite
    /// floats as 0. Written with Utf8JsonWriter (no reflection: trim and AOT safe).
    /// </summary>
    public static string HealthJson(Heartbeat h)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("config_state", h.ConfigState);
            w.WriteString("config_error", Appliance.Contracts.Config.UrlSecrets.Redact(h.ConfigError)); // an older device may still send a URL's credentials
            w.WriteString("model_id", h.ModelId);
            w.WriteString("model_rejection", h.ModelRejection);
            w.WriteStartArray("degraded");
            foreach (SensorReport s in h.Sensors)
            {
                if (s.IsDegraded)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    w.WriteString("reason", s.Reason);
                    w.WriteNumber("faults", s.Faults);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteStartArray("sensors");
            foreach (SensorReport s in h.Sensors)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteString("health", s.Health);
                w.WriteString("reason", s.Reason);
                w.WriteNumber("faults", s.Faults);
                w.WriteNumber("rate_hz", Finite(s.RateHz));
                w.WriteNumber("jitter_p50_us", Finite(s.JitterP50Us));
                w.WriteNumber("jitter_p99_us", Finite(s.JitterP99Us));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("counters");
            foreach (KeyValuePair<int, long> kv in h.Counters.OrderBy(kv => kv.Key))
            {
                w.WriteNumber(CounterName(kv.Key), kv.Value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The snake_case name of a heartbeat counter id (<see cref="HeartbeatCounter"/>), or <c>c&lt;id&gt;</c> for an unknown id.</summary>
    public static string CounterName(int id) => (HeartbeatCounter)id switch
    {
        HeartbeatCounter.SeqWritten => "seq_written",
        HeartbeatCounter.SeqAcked => "seq_acked",
        HeartbeatCounter.JournalBytes => "journal_bytes",
        HeartbeatCounter.JournalBudgetBytes => "journal_budget_bytes",
        HeartbeatCounter.Merged => "merged",
        HeartbeatCounter.Dropped => "dropped",
        HeartbeatCounter.Retransmits => "retransmits",
        HeartbeatCounter.SamplesRead => "samples_read",
        HeartbeatCounter.SampleFaults => "sample_faults",
        HeartbeatCounter.WindowsSummarised => "windows_summarised",
        HeartbeatCounter.Alerts => "alerts",
        HeartbeatCounter.LateSamples => "late_samples",
        HeartbeatCounter.ClockSteps => "clock_steps",
        HeartbeatCounter.FifoOverruns => "fifo_overruns",
        HeartbeatCounter.VideoFramesRead => "video_frames_read",
        HeartbeatCounter.VideoFramesDropped => "video_frames_dropped",
        HeartbeatCounter.VideoEvents => "video_events",
        HeartbeatCounter.ClipsSent => "clips_sent",
        HeartbeatCounter.ClipBytesSent => "clip_bytes_sent",
        HeartbeatCounter.ClipsDroppedBudget => "clips_dropped_budget",
        HeartbeatCounter.StageRestarts => "stage_restarts",
        _ => "c" + id.ToString(CultureInfo.InvariantCulture),
    };

    // Rates and jitter arrive as float32: 3 decimals (1 ns of jitter, 1 mHz of rate) print them without float32 noise digits.
    private static double Finite(double v) => double.IsFinite(v) ? Math.Round(v, 3) : 0;

    /// <summary>Heartbeat counters as <c>id=value,...</c> in ascending id order.</summary>
    public static string FormatCounters(IReadOnlyDictionary<int, long> counters)
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<int, long> kv in counters.OrderBy(kv => kv.Key))
        {
            sb.Append(sb.Length == 0 ? "" : ",").Append(kv.Key.ToString(CultureInfo.InvariantCulture))
                .Append('=').Append(kv.Value.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static double Real(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
}
