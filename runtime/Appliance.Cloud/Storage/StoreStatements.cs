using System.Data;
using System.Data.Common;
using Appliance.Cloud.Ingest;
using Appliance.Contracts.Wire;
using Appliance.Kernels.Statistics;

namespace Appliance.Cloud.Storage;

/// <summary>
/// Binds and executes the <see cref="StoreSql"/> statements on any ADO.NET connection (Microsoft.Data.Sqlite, Npgsql):
/// the one place where envelopes become rows (row by row: <see cref="RowWriter"/>; PostgreSQL's bulk path binds the same
/// columns through binary COPY, <see cref="PostgresBulkWriter"/>). Callers hold their store's lock.
/// </summary>
internal static class StoreStatements
{
    /// <summary>Reads the totals (<see cref="StoreSql.Stats"/>) of a store at schema <paramref name="version"/>.</summary>
    public static CollectorStats Stats(DbConnection connection, StoreSql sql, int version = StoreMigrations.Latest)
    {
        using DbCommand q = Command(connection, null, sql, StoreSql.Stats(version), 0);
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

    /// <summary>Reads the fleet (<see cref="StoreSql.Devices"/>) of a store at schema <paramref name="version"/>.</summary>
    public static List<DeviceRecord> Devices(DbConnection connection, StoreSql sql, int version = StoreMigrations.Latest)
    {
        using DbCommand q = Command(connection, null, sql, StoreSql.Devices(version), 0);
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

    /// <summary>Binds <paramref name="values"/> to the command's first parameters, in order.</summary>
    public static DbCommand Set(DbCommand command, params object[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command;
    }

    /// <summary>Binds the 1-based parameter <paramref name="position"/>.</summary>
    public static DbCommand Set(this DbCommand command, int position, object value)
    {
        command.Parameters[position - 1].Value = value;
        return command;
    }

    /// <summary>Binds the 12 feature fields in column order (<see cref="FeatureColumns"/>) from parameter <paramref name="first"/> on.</summary>
    public static DbCommand SetFeatures(this DbCommand command, SqlDialect d, int first, in WindowFeatures f)
    {
        var sink = new FeatureParameters(command, d, first);
        FeatureColumns.Write(ref sink, f);
        return command;
    }

    private readonly struct FeatureParameters(DbCommand command, SqlDialect d, int first) : IFeatureSink
    {
        public void Int(int column, long value) => command.Set(first + column, value);

        public void Real(int column, double value) => command.Set(first + column, d.Real64(value));
    }
}
