using Appliance.Contracts.Wire;
using Microsoft.Data.Sqlite;

namespace Appliance.Cloud.Storage;

/// <summary>
/// SQLite's per-row statements of a batch, the same <see cref="StoreSql"/> texts <see cref="RowWriter"/> runs through ADO.NET
/// (<see cref="StoreSql.InsertSummary"/>, <see cref="StoreSql.InsertAlert"/>, <see cref="StoreSql.UpsertDevice"/>, parameters
/// in the order documented there), prepared once per connection and bound by position (<see cref="SqliteStatement"/>): no
/// parameter lookup by name and no boxing per row. Same rows, same <c>INSERT OR IGNORE</c> on (device_id, incarnation, seq),
/// same transaction (the connection's). Not thread-safe: the owning store holds its lock.
/// </summary>
internal sealed class SqliteRowInserts : IDisposable
{
    private readonly SqliteStatement _summary;
    private readonly SqliteStatement _alert;
    private readonly SqliteStatement _device;

    /// <summary>Prepares the statements of <paramref name="sql"/> (the SQLite dialect) on the open <paramref name="connection"/>.</summary>
    /// <exception cref="SqliteException">A statement does not prepare (a schema older than the statements).</exception>
    public SqliteRowInserts(SqliteConnection connection, StoreSql sql)
    {
        _summary = new SqliteStatement(connection, sql.InsertSummary);
        _alert = new SqliteStatement(connection, sql.InsertAlert);
        _device = new SqliteStatement(connection, sql.UpsertDevice);
    }

    /// <summary>Inserts <paramref name="e"/> (a summary or an alert) unless its key is stored.</summary>
    /// <returns>True when the row was inserted, false for a duplicate.</returns>
    /// <exception cref="SqliteException">SQLite failed the insert.</exception>
    public bool Insert(in Envelope e, long receivedNs)
    {
        SqliteStatement insert = e.Body switch
        {
            Summary s => _summary.Bind(1, e.DeviceId).Bind(2, e.Sequence).Bind(3, s.Sensor).Bind(4, s.Channel).Bind(5, s.WindowStartNs)
                .Bind(6, s.WindowEndNs).BindFeatures(7, s.Features).Bind(19, receivedNs).Bind(20, e.Incarnation)
                .Bind(21, s.Spectral is { } spectral ? SpectralJson.ToJson(spectral) : null)
                .Bind(22, s.Quantiles is { } sketch ? QuantileSketchJson.ToJson(sketch) : null),
            Alert a => _alert.Bind(1, e.DeviceId).Bind(2, e.Sequence).Bind(3, a.Sensor).Bind(4, a.Channel).Bind(5, a.TimeNs)
                .Bind(6, a.Score).Bind(7, a.Threshold).Bind(8, (long)a.Severity).Bind(9, a.Detector).BindFeatures(10, a.Features)
                .Bind(22, receivedNs).Bind(23, e.Incarnation),
            _ => throw new ArgumentException($"SqliteRowInserts: {e.MessageType} is not a summary or alert", nameof(e)),
        };
        return insert.Execute() != 0;
    }

    /// <summary>The <see cref="StoreSql.UpsertDevice"/> of one device.</summary>
    /// <exception cref="SqliteException">SQLite failed the upsert.</exception>
    public void UpsertDevice(string deviceId, long receivedNs, long sequence, long summaries, long alerts) =>
        _device.Bind(1, deviceId).Bind(2, receivedNs).Bind(3, sequence).Bind(4, summaries).Bind(5, alerts).Execute();

    /// <summary>Finalizes the statements.</summary>
    public void Dispose()
    {
        _summary.Dispose();
        _alert.Dispose();
        _device.Dispose();
    }
}
