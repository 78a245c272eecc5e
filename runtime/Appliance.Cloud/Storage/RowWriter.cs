using System.Data;
using System.Data.Common;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Writes envelopes row by row through the <see cref="StoreSql"/> statements, its commands created once per connection and
/// reused for every batch (SQLite keeps each compiled statement with its command, so a batch binds and steps, never parses).
/// One <c>devices</c> upsert per device per batch (last seen, highest sequence, summaries and alerts newly stored), then the
/// device columns of the newest stored heartbeats. On SQLite the summary and alert inserts and the device upserts go through
/// <see cref="SqliteRowInserts"/> (prepared once, bound by position, nothing boxed per row) unless the writer is made with
/// <c>positional: false</c> (tests compare the two); heartbeats, clip chunks and counters (a few per batch) stay on ADO.NET.
/// Not thread-safe: the owning store holds its lock.
/// </summary>
internal sealed class RowWriter : IDisposable
{
    private readonly DbCommand _summary;
    private readonly DbCommand _alert;
    private readonly DbCommand _heartbeat;
    private readonly DbCommand _device;
    private readonly DbCommand _deviceHeartbeat;
    private readonly DbCommand _counters;
    private readonly DbConnection _connection;
    private readonly StoreSql _sql;
    private readonly Dictionary<string, DeviceTally> _devices = new(StringComparer.Ordinal);
    private readonly List<Envelope> _heartbeats = [];
    private readonly SqliteRowInserts? _positional;

    /// <summary>Creates the commands on <paramref name="connection"/>.</summary>
    /// <param name="connection">The open connection.</param>
    /// <param name="sql">Its dialect's statements.</param>
    /// <param name="positional">On a SQLite connection, write summaries, alerts and device upserts through
    /// <see cref="SqliteRowInserts"/> (the default); false keeps them on ADO.NET's named parameters. Ignored elsewhere.</param>
    public RowWriter(DbConnection connection, StoreSql sql, bool positional = true)
    {
        _connection = connection;
        _sql = sql;
        _positional = positional && connection is Microsoft.Data.Sqlite.SqliteConnection sqlite ? new SqliteRowInserts(sqlite, sql) : null;
        _summary = StoreStatements.Command(connection, null, sql, sql.InsertSummary, 22);
        _summary.Parameters[20].DbType = DbType.String; // spectral: NULL for most summaries, typed for PostgreSQL
        _summary.Parameters[21].DbType = DbType.String; // quantiles: likewise
        _alert = StoreStatements.Command(connection, null, sql, sql.InsertAlert, 23);
        _heartbeat = StoreStatements.Command(connection, null, sql, sql.InsertHeartbeat, 8);
        _device = StoreStatements.Command(connection, null, sql, sql.UpsertDevice, 5);
        _deviceHeartbeat = StoreStatements.Command(connection, null, sql, sql.UpdateDeviceHeartbeat, 9);
        _deviceHeartbeat.Parameters[8].DbType = DbType.String; // labels: NULL from devices before labels
        _counters = StoreStatements.Command(connection, null, sql, sql.AddCounters, 3);
    }

    /// <summary>What a batch did to one device's row.</summary>
    internal struct DeviceTally
    {
        /// <summary>Highest sequence in the batch.</summary>
        public long Sequence;

        /// <summary>Summaries newly stored.</summary>
        public long Summaries;

        /// <summary>Alerts newly stored.</summary>
        public long Alerts;
    }

    /// <summary>Writes <paramref name="batch"/> inside <paramref name="tx"/> (not committed here); clip chunks go to
    /// <paramref name="clipsDirectory"/> (<see cref="ClipSql"/>). Counters are not touched (<see cref="AddCounters"/>).</summary>
    /// <returns>Rows stored and duplicates.</returns>
    /// <exception cref="ArgumentException">An envelope carries an acknowledgement or command, or a clip chunk disagrees with its event's first chunk.</exception>
    /// <exception cref="IOException">A clip file cannot be written.</exception>
    public StoreBatchResult Write(DbTransaction tx, IReadOnlyList<Envelope> batch, long receivedNs, string clipsDirectory)
    {
        SqlDialect d = _sql.Dialect;
        foreach (DbCommand c in (ReadOnlySpan<DbCommand>)[_summary, _alert, _heartbeat, _device, _deviceHeartbeat])
        {
            c.Transaction = tx;
        }

        _devices.Clear();
        _heartbeats.Clear();
        int stored = 0;
        int duplicates = 0;
        foreach (Envelope e in batch)
        {
            ref DeviceTally tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_devices, e.DeviceId, out bool existed);
            tally.Sequence = existed ? Math.Max(tally.Sequence, e.Sequence) : e.Sequence;
            if (e.Body is ClipChunk chunk)
            {
                if (!existed)
                {
                    // The clip tables refer to the device row: written before the chunk, counted at the end.
                    UpsertDevice(e.DeviceId, receivedNs, e.Sequence, 0, 0);
                }

                if (ClipSql.Write(_connection, tx, d, clipsDirectory, e, chunk, receivedNs))
                {
                    stored++;
                }
                else
                {
                    duplicates++;
                }

                continue;
            }

            if (_positional is not null && e.Body is Summary or Alert)
            {
                if (!_positional.Insert(e, receivedNs))
                {
                    duplicates++;
                    continue;
                }
            }
            else if (RowCommand(e, d, receivedNs).ExecuteNonQuery() == 0)
            {
                duplicates++;
                continue;
            }

            stored++;
            switch (e.Body)
            {
                case Summary:
                    tally.Summaries++;
                    break;
                case Alert:
                    tally.Alerts++;
                    break;
                default:
                    _heartbeats.Add(e);
                    break;
            }
        }

        UpsertDevices(_devices, receivedNs);
        foreach (Envelope e in _heartbeats)
        {
            var hb = (Heartbeat)e.Body;
            StoreStatements.Set(_deviceHeartbeat, e.DeviceId, e.Sequence, receivedNs, hb.UptimeMs, hb.ExecutionProvider, hb.ConfigRevision,
                hb.ConfigState, StoreRowMapping.HealthJson(hb), hb.Labels is { } labels ? DeviceLabels.ToJson(labels) : DBNull.Value).ExecuteNonQuery();
        }

        return new StoreBatchResult(stored, duplicates);
    }

    /// <summary>The ADO.NET insert of one summary, alert or heartbeat, bound.</summary>
    /// <exception cref="ArgumentException">The envelope is not device data.</exception>
    private DbCommand RowCommand(in Envelope e, SqlDialect d, long receivedNs) =>
        e.Body switch
        {
            Summary s => StoreStatements.Set(_summary, e.DeviceId, e.Sequence, s.Sensor, s.Channel, s.WindowStartNs, s.WindowEndNs)
                .SetFeatures(d, 7, s.Features).Set(19, receivedNs).Set(20, e.Incarnation)
                .Set(21, s.Spectral is { } spectral ? SpectralJson.ToJson(spectral) : DBNull.Value)
                .Set(22, s.Quantiles is { } sketch ? QuantileSketchJson.ToJson(sketch) : DBNull.Value),
            Alert a => StoreStatements.Set(_alert, e.DeviceId, e.Sequence, a.Sensor, a.Channel, a.TimeNs, d.Real64(a.Score), d.Real64(a.Threshold),
                (long)a.Severity, a.Detector).SetFeatures(d, 10, a.Features).Set(22, receivedNs).Set(23, e.Incarnation),
            Heartbeat h => StoreStatements.Set(_heartbeat, e.DeviceId, e.Sequence, h.UptimeMs, h.ExecutionProvider, h.ConfigRevision,
                StoreRowMapping.FormatCounters(h.Counters), receivedNs, e.Incarnation),
            _ => throw new ArgumentException(
                $"collector store: {e.MessageType} from '{e.DeviceId}' sequence {e.Sequence} is not device data (expected summary, alert or heartbeat)",
                "batch"),
        };

    /// <summary>One upsert per device of <paramref name="devices"/> (ordered by id, so two writers lock device rows in the same order).</summary>
    public void UpsertDevices(Dictionary<string, DeviceTally> devices, long receivedNs)
    {
        foreach (string id in devices.Keys.Order(StringComparer.Ordinal))
        {
            DeviceTally t = devices[id];
            UpsertDevice(id, receivedNs, t.Sequence, t.Summaries, t.Alerts);
        }
    }

    private void UpsertDevice(string id, long receivedNs, long sequence, long summaries, long alerts)
    {
        if (_positional is not null)
        {
            _positional.UpsertDevice(id, receivedNs, sequence, summaries, alerts);
        }
        else
        {
            StoreStatements.Set(_device, id, receivedNs, sequence, summaries, alerts).ExecuteNonQuery();
        }
    }

    /// <summary>Adds <paramref name="duplicates"/> and <paramref name="malformedDropped"/> to <paramref name="collectorId"/>'s counters
    /// inside <paramref name="tx"/>; nothing when both are 0.</summary>
    public void AddCounters(DbTransaction tx, string collectorId, long duplicates, long malformedDropped)
    {
        if (duplicates == 0 && malformedDropped == 0)
        {
            return;
        }

        _counters.Transaction = tx;
        StoreStatements.Set(_counters, collectorId, duplicates, malformedDropped).ExecuteNonQuery();
    }

    /// <summary>Disposes the commands.</summary>
    public void Dispose()
    {
        foreach (DbCommand c in (ReadOnlySpan<DbCommand>)[_summary, _alert, _heartbeat, _device, _deviceHeartbeat, _counters])
        {
            c.Dispose();
        }

        _positional?.Dispose();
    }
}
