using System.Data;
using System.Data.Common;
using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Binds and executes the <see cref="StoreSql"/> statements on any ADO.NET connection (Microsoft.Data.Sqlite, Npgsql):
/// the one place where envelopes become rows. Callers hold their store's lock.
/// </summary>
internal static class StoreStatements
{
    /// <summary>Writes <paramref name="batch"/> inside <paramref name="tx"/> (not committed here); clip chunks go to
    /// <paramref name="clipsDirectory"/> (<see cref="ClipSql"/>).</summary>
    /// <exception cref="ArgumentException">An envelope carries an acknowledgement or command.</exception>
    /// <exception cref="ArgumentException">A clip chunk disagrees with its event's first chunk.</exception>
    /// <exception cref="IOException">A clip file cannot be written.</exception>
    public static StoreBatchResult Write(DbConnection connection, DbTransaction tx, StoreSql sql, IReadOnlyList<Envelope> batch, long malformedDropped, long receivedNs, string clipsDirectory)
    {
        using DbCommand summary = Command(connection, tx, sql, sql.InsertSummary, 22);
        summary.Parameters[20].DbType = DbType.String; // spectral: NULL for most summaries, typed for PostgreSQL
        summary.Parameters[21].DbType = DbType.String; // quantiles: likewise
        using DbCommand alert = Command(connection, tx, sql, sql.InsertAlert, 23);
        using DbCommand heartbeat = Command(connection, tx, sql, sql.InsertHeartbeat, 8);
        using DbCommand device = Command(connection, tx, sql, sql.UpsertDevice, 3);
        using DbCommand deviceHeartbeat = Command(connection, tx, sql, sql.UpdateDeviceHeartbeat, 9);
        deviceHeartbeat.Parameters[8].DbType = DbType.String; // labels: NULL from devices before labels
        SqlDialect d = sql.Dialect;

        int stored = 0;
        int duplicates = 0;
        foreach (Envelope e in batch)
        {
            if (e.Body is ClipChunk chunk)
            {
                Set(device, e.DeviceId, receivedNs, e.Sequence).ExecuteNonQuery();
                if (ClipSql.Write(connection, tx, d, clipsDirectory, e, chunk, receivedNs))
                {
                    stored++;
                }
                else
                {
                    duplicates++;
                }

                continue;
            }

            DbCommand insert = e.Body switch
            {
                Summary s => Set(summary, e.DeviceId, e.Sequence, s.Sensor, s.Channel, s.WindowStartNs, s.WindowEndNs)
                    .SetFeatures(d, 7, s.Features).Set(19, receivedNs).Set(20, e.Incarnation)
                    .Set(21, s.Spectral is { } spectral ? SpectralJson.ToJson(spectral) : DBNull.Value)
                    .Set(22, s.Quantiles is { } sketch ? QuantileSketchJson.ToJson(sketch) : DBNull.Value),
                Alert a => Set(alert, e.DeviceId, e.Sequence, a.Sensor, a.Channel, a.TimeNs, d.Real64(a.Score), d.Real64(a.Threshold),
                    (long)a.Severity, a.Detector).SetFeatures(d, 10, a.Features).Set(22, receivedNs).Set(23, e.Incarnation),
                Heartbeat h => Set(heartbeat, e.DeviceId, e.Sequence, h.UptimeMs, h.ExecutionProvider, h.ConfigRevision,
                    StoreRowMapping.FormatCounters(h.Counters), receivedNs, e.Incarnation),
                _ => throw new ArgumentException(
                    $"collector store: {e.MessageType} from '{e.DeviceId}' sequence {e.Sequence} is not device data (expected summary, alert or heartbeat)",
                    nameof(batch)),
            };

            Set(device, e.DeviceId, receivedNs, e.Sequence).ExecuteNonQuery();
            if (insert.ExecuteNonQuery() == 0)
            {
                duplicates++;
                continue;
            }

            stored++;
            if (e.Body is Heartbeat hb)
            {
                Set(deviceHeartbeat, e.DeviceId, e.Sequence, receivedNs, hb.UptimeMs, hb.ExecutionProvider, hb.ConfigRevision,
                    hb.ConfigState, StoreRowMapping.HealthJson(hb), hb.Labels is { } labels ? DeviceLabels.ToJson(labels) : DBNull.Value).ExecuteNonQuery();
            }
        }

        using DbCommand counters = Command(connection, tx, sql, sql.AddCounters, 2);
        Set(counters, (long)duplicates, malformedDropped).ExecuteNonQuery();
        return new StoreBatchResult(stored, duplicates);
    }

    /// <summary>Reads the totals (<see cref="StoreSql.Stats"/>).</summary>
    public static CollectorStats Stats(DbConnection connection, StoreSql sql)
    {
        using DbCommand q = Command(connection, null, sql, StoreSql.Stats, 0);
        using DbDataReader r = q.ExecuteReader();
        r.Read();
        return new CollectorStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), !r.IsDBNull(5) && r.GetInt64(5) != 0);
    }

    /// <summary>Records whether device identities are authenticated (<see cref="StoreSql.UnauthenticatedCounter"/>).</summary>
    public static void RecordIdentities(DbConnection connection, StoreSql sql, bool authenticated)
    {
        using DbCommand c = Command(connection, null, sql, sql.SetCounter, 2);
        Set(c, StoreSql.UnauthenticatedCounter, authenticated ? 0L : 1L).ExecuteNonQuery();
    }

    /// <summary>Reads summaries (<see cref="StoreSql.Summaries"/>).</summary>
    public static List<StoredSummary> Summaries(DbConnection connection, StoreSql sql, string? deviceId, long sinceNs, int limit) =>
        DeviceRows(connection, sql, sql.Summaries, deviceId, sinceNs, limit, StoreRowMapping.Summary);

    /// <summary>Runs a query whose parameters are a device id (NULL for all), a time in UTC Unix ns and a row limit.</summary>
    private static List<T> DeviceRows<T>(DbConnection connection, StoreSql sql, string text, string? deviceId, long sinceNs, int limit, Func<DbDataReader, T> row)
    {
        using DbCommand q = Command(connection, null, sql, text, 3);
        q.Parameters[0].DbType = DbType.String;
        Set(q, (object?)deviceId ?? DBNull.Value, sinceNs, (long)limit);
        using DbDataReader r = q.ExecuteReader();
        return StoreRowMapping.All(r, row);
    }

    /// <summary>Reads the fleet (<see cref="StoreSql.Devices"/>).</summary>
    public static List<DeviceRecord> Devices(DbConnection connection, StoreSql sql)
    {
        using DbCommand q = Command(connection, null, sql, StoreSql.Devices, 0);
        using DbDataReader r = q.ExecuteReader();
        return StoreRowMapping.All(r, StoreRowMapping.Device);
    }

    /// <summary>A command with <paramref name="parameters"/> parameters named (or left positional) per the dialect.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? tx, StoreSql sql, string text, int parameters)
    {
        DbCommand command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = text;
        for (int i = 1; i <= parameters; i++)
        {
            DbParameter p = command.CreateParameter();
            if (sql.Dialect.NamedParameters)
            {
                p.ParameterName = sql.Dialect.P(i);
            }

            command.Parameters.Add(p);
        }

        return command;
    }

    private static DbCommand Set(DbCommand command, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command;
    }

    private static DbCommand Set(this DbCommand command, int position, object value)
    {
        command.Parameters[position - 1].Value = value;
        return command;
    }

    /// <summary>Binds the 12 feature fields in wire order from parameter <paramref name="first"/> on.</summary>
    private static DbCommand SetFeatures(this DbCommand command, SqlDialect d, int first, in WindowFeatures f) => command
        .Set(first, f.Count).Set(first + 1, f.NanCount).Set(first + 2, d.Real64(f.Min)).Set(first + 3, d.Real64(f.Max))
        .Set(first + 4, d.Real64(f.Mean)).Set(first + 5, d.Real64(f.M2)).Set(first + 6, d.Real64(f.M3)).Set(first + 7, d.Real64(f.M4))
        .Set(first + 8, d.Real64(f.SumOfSquares)).Set(first + 9, d.Real64(f.First)).Set(first + 10, d.Real64(f.Last))
        .Set(first + 11, f.ZeroCrossings);
}
