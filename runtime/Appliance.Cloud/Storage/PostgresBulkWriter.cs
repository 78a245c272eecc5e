using Appliance.Contracts.Wire;
using Appliance.Kernels.Statistics;
using Npgsql;
using NpgsqlTypes;

namespace Appliance.Cloud.Storage;

/// <summary>
/// PostgreSQL's bulk path for a batch's summaries and alerts: binary <c>COPY</c> (PostgreSQL manual, "COPY", binary format;
/// Npgsql <c>BeginBinaryImport</c>) into session temp tables, then one statement that inserts them into the real tables with
/// <c>ON CONFLICT DO NOTHING</c> on the idempotency key (device_id, incarnation, seq), upserts each device once (last seen,
/// highest sequence, summaries and alerts newly stored) in device-id order, and returns what was inserted. Four round trips
/// per batch whatever its size, instead of two statements per row. The temp tables (<c>ON COMMIT DELETE ROWS</c>) live as long
/// as the pooled server connection; a batch that fails rolls its staged rows back with everything else.
/// </summary>
internal static class PostgresBulkWriter
{
    /// <summary>Creates the staging tables of this session if missing.</summary>
    public const string StageSchema =
        "CREATE TEMP TABLE IF NOT EXISTS stage_summaries (LIKE summaries INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;\n"
        + "CREATE TEMP TABLE IF NOT EXISTS stage_alerts (LIKE alerts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;";

    /// <summary>Moves staged rows into the tables. Parameter: received_ns. Returns one row: summaries inserted, alerts inserted.</summary>
    public static string Merge(StoreSql sql) => $"""
        WITH s AS (INSERT INTO summaries ({StoreSql.SummaryColumnList}) SELECT {StoreSql.SummaryColumnList} FROM stage_summaries ON CONFLICT DO NOTHING RETURNING device_id),
             a AS (INSERT INTO alerts ({StoreSql.AlertColumnList}) SELECT {StoreSql.AlertColumnList} FROM stage_alerts ON CONFLICT DO NOTHING RETURNING device_id),
             seen AS (SELECT device_id, max(seq) AS seq FROM (SELECT device_id, seq FROM stage_summaries UNION ALL SELECT device_id, seq FROM stage_alerts) x GROUP BY device_id),
             sc AS (SELECT device_id, count(*) AS n FROM s GROUP BY device_id),
             ac AS (SELECT device_id, count(*) AS n FROM a GROUP BY device_id),
             d AS (INSERT INTO devices (device_id, last_seen_ns, last_sequence, summaries, alerts)
                   SELECT seen.device_id, $1, seen.seq, coalesce(sc.n, 0), coalesce(ac.n, 0)
                   FROM seen LEFT JOIN sc ON sc.device_id = seen.device_id LEFT JOIN ac ON ac.device_id = seen.device_id
                   ORDER BY seen.device_id
                   {sql.DeviceConflict} RETURNING 1)
        SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM a), (SELECT count(*) FROM d)
        """;

    /// <summary>Stages and merges the summaries and alerts of <paramref name="batch"/> inside <paramref name="tx"/>.</summary>
    /// <param name="connection">The batch's connection.</param>
    /// <param name="tx">Its transaction (not committed here).</param>
    /// <param name="merge">The <see cref="Merge"/> text.</param>
    /// <param name="batch">The batch; envelopes other than summaries and alerts are skipped.</param>
    /// <param name="receivedNs">Receive time, UTC Unix ns.</param>
    /// <param name="afterCopyRow">Called with the connection and the rows copied so far after each row (tests abort a batch mid-COPY
    /// through it); null in production.</param>
    /// <returns>Rows inserted (the rest of the staged rows were duplicates).</returns>
    /// <exception cref="NpgsqlException">The server failed a statement or the connection broke (nothing of the batch is committed).</exception>
    public static int Write(NpgsqlConnection connection, NpgsqlTransaction tx, string merge, IReadOnlyList<Envelope> batch, long receivedNs, Action<NpgsqlConnection, int>? afterCopyRow)
    {
        using (var stage = new NpgsqlCommand(StageSchema, connection, tx))
        {
            stage.ExecuteNonQuery();
        }

        int rows = 0;
        using (NpgsqlBinaryImporter w = connection.BeginBinaryImport($"COPY stage_summaries ({StoreSql.SummaryColumnList}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (Envelope e in batch)
            {
                if (e.Body is Summary s)
                {
                    w.StartRow();
                    w.Write(e.DeviceId, NpgsqlDbType.Text);
                    w.Write(e.Sequence, NpgsqlDbType.Bigint);
                    w.Write(s.Sensor, NpgsqlDbType.Text);
                    w.Write(s.Channel, NpgsqlDbType.Text);
                    w.Write(s.WindowStartNs, NpgsqlDbType.Bigint);
                    w.Write(s.WindowEndNs, NpgsqlDbType.Bigint);
                    WriteFeatures(w, s.Features);
                    w.Write(receivedNs, NpgsqlDbType.Bigint);
                    w.Write(e.Incarnation, NpgsqlDbType.Bigint);
                    WriteTextOrNull(w, s.Spectral is { } spectral ? SpectralJson.ToJson(spectral) : null);
                    WriteTextOrNull(w, s.Quantiles is { } sketch ? QuantileSketchJson.ToJson(sketch) : null);

                    afterCopyRow?.Invoke(connection, ++rows);
                }
            }

            w.Complete();
        }

        bool anyAlert = false;
        foreach (Envelope e in batch)
        {
            anyAlert |= e.Body is Alert;
        }

        if (anyAlert)
        {
            using NpgsqlBinaryImporter w = connection.BeginBinaryImport($"COPY stage_alerts ({StoreSql.AlertColumnList}) FROM STDIN (FORMAT BINARY)");
            foreach (Envelope e in batch)
            {
                if (e.Body is Alert a)
                {
                    w.StartRow();
                    w.Write(e.DeviceId, NpgsqlDbType.Text);
                    w.Write(e.Sequence, NpgsqlDbType.Bigint);
                    w.Write(a.Sensor, NpgsqlDbType.Text);
                    w.Write(a.Channel, NpgsqlDbType.Text);
                    w.Write(a.TimeNs, NpgsqlDbType.Bigint);
                    w.Write(a.Score, NpgsqlDbType.Double);
                    w.Write(a.Threshold, NpgsqlDbType.Double);
                    w.Write((long)a.Severity, NpgsqlDbType.Bigint);
                    w.Write(a.Detector, NpgsqlDbType.Text);
                    WriteFeatures(w, a.Features);
                    w.Write(receivedNs, NpgsqlDbType.Bigint);
                    w.Write(e.Incarnation, NpgsqlDbType.Bigint);
                    afterCopyRow?.Invoke(connection, ++rows);
                }
            }

            w.Complete();
        }

        using var command = new NpgsqlCommand(merge, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = receivedNs });
        using NpgsqlDataReader r = command.ExecuteReader();
        r.Read();
        return checked((int)(r.GetInt64(0) + r.GetInt64(1)));
    }

    /// <summary>The 12 feature columns in column order (<see cref="FeatureColumns"/>; float8 keeps NaN).</summary>
    private static void WriteFeatures(NpgsqlBinaryImporter w, in WindowFeatures f)
    {
        var sink = new FeatureCopy(w);
        FeatureColumns.Write(ref sink, f);
    }

    private readonly struct FeatureCopy(NpgsqlBinaryImporter w) : IFeatureSink
    {
        public void Int(int column, long value) => w.Write(value, NpgsqlDbType.Bigint);

        public void Real(int column, double value) => w.Write(value, NpgsqlDbType.Double);
    }

    /// <summary>Writes a TEXT column of the current row, or NULL when <paramref name="text"/> is null.</summary>
    private static void WriteTextOrNull(NpgsqlBinaryImporter w, string? text)
    {
        if (text is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(text, NpgsqlDbType.Text);
        }
    }
}
