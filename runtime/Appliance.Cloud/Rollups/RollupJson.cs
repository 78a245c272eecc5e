using System.Globalization;
using System.Text.Json;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Rollups;

/// <summary>
/// One rollup row as a JSON object, the same for <c>appliance cloud rollup --json</c> (one object per line) and
/// <c>GET /api/rollups</c> (an array of them): <c>bucket_start</c> (ISO 8601 UTC), <c>every</c> (<c>1m</c>, <c>1h</c>),
/// <c>sensor</c>, <c>channel</c>, <c>device</c> or <c>label</c> and <c>value</c> (the grouping), <c>windows</c>, <c>devices</c>,
/// <c>count</c>, <c>nan_count</c>, <c>mean</c>, <c>std</c> (ddof 1), <c>min</c>, <c>max</c>, <c>rms</c>, <c>skewness</c>, <c>kurtosis</c>
/// (excess, pandas conventions: <see cref="Kernels.Statistics.WindowFeatures"/>), <c>m2</c>, <c>m3</c>, <c>m4</c> (the merged central
/// moment sums), and <c>p50</c>, <c>p95</c>, <c>p99</c>, <c>alpha</c>, <c>sketch_count</c>, <c>sketches_skipped</c> (quantiles null
/// when no window carried a sketch). Numbers that are not finite are null (RFC 8259 §6 has no NaN).
/// </summary>
public static class RollupJson
{
    /// <summary>The <c>every</c> text of a bucket length: <c>1m</c>, <c>1h</c>, else seconds (<c>90s</c>).</summary>
    /// <param name="everyNs">Bucket length in ns.</param>
    /// <returns>The text.</returns>
    public static string Every(long everyNs) => everyNs switch
    {
        RollupQuery.MinuteNs => "1m",
        RollupQuery.HourNs => "1h",
        _ => (everyNs / 1_000_000_000L).ToString(CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>Writes <paramref name="row"/> as one object.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="query">The query the row answers.</param>
    /// <param name="row">The row.</param>
    public static void Write(Utf8JsonWriter w, RollupQuery query, RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(row);
        var f = row.Features;
        w.WriteStartObject();
        w.WriteString("bucket_start"u8, DateTime.UnixEpoch.AddTicks(row.BucketStartNs / 100).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber("bucket_start_ns"u8, row.BucketStartNs);
        w.WriteString("every"u8, Every(query.EveryNs));
        w.WriteString("sensor"u8, query.Sensor);
        w.WriteString("channel"u8, row.Channel);
        if (query.LabelKey is null)
        {
            w.WriteString("device"u8, row.Group);
        }
        else
        {
            w.WriteString("label"u8, query.LabelKey);
            w.WriteString("value"u8, row.Group);
        }

        w.WriteNumber("windows"u8, row.Windows);
        w.WriteNumber("devices"u8, row.Devices);
        WindowFeaturesJson.WriteShape(w, f);
        Number(w, "m2"u8, f.M2);
        Number(w, "m3"u8, f.M3);
        Number(w, "m4"u8, f.M4);
        Number(w, "p50"u8, row.P50);
        Number(w, "p95"u8, row.P95);
        Number(w, "p99"u8, row.P99);
        Number(w, "alpha"u8, row.Alpha);
        w.WriteNumber("sketch_count"u8, row.SketchCount);
        w.WriteNumber("sketches_skipped"u8, row.SketchesSkipped);
        w.WriteEndObject();
    }

    /// <summary>The row as one line of text (the CLI without <c>--json</c>).</summary>
    /// <param name="query">The query.</param>
    /// <param name="row">The row.</param>
    /// <returns>The line.</returns>
    public static string Line(RollupQuery query, RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(row);
        var f = row.Features;
        string group = query.LabelKey is null ? row.Group : $"{query.LabelKey}={row.Group}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UnixEpoch.AddTicks(row.BucketStartNs / 100):yyyy-MM-ddTHH:mm:ssZ} {Every(query.EveryNs)} {group} {query.Sensor}/{row.Channel} windows={row.Windows} devices={row.Devices} n={f.Count} mean={f.Mean:G6} std={f.StdDev:G6} min={f.Min:G6} max={f.Max:G6} p50={row.P50:G6} p95={row.P95:G6} p99={row.P99:G6}");
    }

    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, double v) => WindowFeaturesJson.Number(w, name, v);
}
