using System.Data.Common;
using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Rollups;

/// <summary>
/// Reads a sensor's stored windows in start order and folds them into a <see cref="RollupAccumulator"/> as they stream
/// (one state per bucket, group and channel in memory, never the rows), on either store (<see cref="SqlDialect"/>).
/// </summary>
internal static class RollupSql
{
    /// <summary>Each device's stored labels (<c>devices.labels</c>, a JSON object; absent for devices before labels).</summary>
    public const string DeviceLabelsSql = "SELECT device_id, labels FROM devices";

    /// <summary>The store version that has <c>summaries.quantiles</c> and <c>devices.labels</c> (<see cref="StoreMigrations"/>).</summary>
    public const int LabelsVersion = 3;

    /// <summary>Parameters: sensor, since ns, until ns. A store opened read-only below <see cref="LabelsVersion"/> has no sketches.</summary>
    private static string Windows(SqlDialect d, int version) =>
        $"SELECT device_id, seq, sensor, channel, window_start_ns, window_end_ns, {StoreRowMapping.FeatureColumns}, spectral, {(version >= LabelsVersion ? "quantiles" : "NULL")} FROM summaries "
        + $"WHERE sensor = {d.P(1)} AND window_start_ns >= {d.P(2)} AND window_start_ns < {d.P(3)} ORDER BY window_start_ns, device_id, seq";

    /// <summary>Runs <paramref name="query"/>.</summary>
    public static IReadOnlyList<RollupRow> Query(DbConnection connection, StoreSql sql, RollupQuery query, int version = StoreMigrations.Latest)
    {
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? labels = query.LabelKey is null ? null : Labels(connection, sql, version);
        var acc = new RollupAccumulator(query.EveryNs);
        using DbCommand c = StoreStatements.Command(connection, null, sql, Windows(sql.Dialect, version), 3);
        c.Parameters[0].Value = query.Sensor;
        c.Parameters[1].Value = query.SinceNs;
        c.Parameters[2].Value = query.UntilNs;
        using DbDataReader r = c.ExecuteReader();
        while (r.Read())
        {
            StoredSummary s = StoreRowMapping.Summary(r);
            string group = s.DeviceId;
            if (labels is not null)
            {
                group = labels.TryGetValue(s.DeviceId, out var l) && l.TryGetValue(query.LabelKey!, out string? v) ? v : RollupRow.Unlabelled;
            }

            QuantileSketch? sketch = r.IsDBNull(19) ? null : QuantileSketchJson.Parse(r.GetString(19));
            acc.Add(group, s.DeviceId, s.Channel, s.WindowStartNs, s.Features, sketch);
        }

        return acc.Rows();
    }

    /// <summary>Every device's labels by device id.</summary>
    public static Dictionary<string, IReadOnlyDictionary<string, string>> Labels(DbConnection connection, StoreSql sql, int version = StoreMigrations.Latest)
    {
        using DbCommand c = StoreStatements.Command(connection, null, sql, version >= LabelsVersion ? DeviceLabelsSql : "SELECT device_id, NULL FROM devices", 0);
        using DbDataReader r = c.ExecuteReader();
        var labels = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        while (r.Read())
        {
            labels[r.GetString(0)] = DeviceLabels.Parse(r.IsDBNull(1) ? null : r.GetString(1));
        }

        return labels;
    }
}
