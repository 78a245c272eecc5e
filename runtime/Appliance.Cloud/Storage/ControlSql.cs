using System.Data.Common;
using System.Text.RegularExpressions;
using Appliance.Cloud.Control;

namespace Appliance.Cloud.Storage;

/// <summary>
/// The control tables of the collector store, written once for both dialects: <c>device_keys</c> (the CURVE public keys
/// allowed to connect, each bound to one device id; <see cref="DeviceRegistry"/>) and <c>commands</c> (commands to devices
/// and their results; <see cref="CommandService"/>). Statements use <c>{n}</c> for the 1-based parameter n, rendered per
/// dialect. Both tables are created with <c>IF NOT EXISTS</c>, so a store written before them gains them on open.
/// </summary>
internal static partial class ControlSql
{
    /// <summary>The columns read by <see cref="ReadCommand"/>, in order.</summary>
    private const string CommandColumns =
        "id, device_id, verb, args, requested_by, created_ns, expires_ns, state, sent_ns, attempts, result, completed_ns";

    /// <summary>CREATE statements of the control tables.</summary>
    public static string Schema(SqlDialect d) => $"""
        CREATE TABLE IF NOT EXISTS device_keys (public_key TEXT PRIMARY KEY, device_id TEXT NOT NULL, added_ns {d.Integer} NOT NULL, revoked_ns {d.Integer});
        CREATE INDEX IF NOT EXISTS device_keys_device ON device_keys (device_id);
        CREATE TABLE IF NOT EXISTS commands (id {d.Identity}, device_id TEXT NOT NULL, verb TEXT NOT NULL, args TEXT NOT NULL,
            requested_by TEXT NOT NULL, created_ns {d.Integer} NOT NULL, expires_ns {d.Integer} NOT NULL, state TEXT NOT NULL,
            sent_ns {d.Integer}, attempts {d.Integer} NOT NULL, result TEXT, completed_ns {d.Integer});
        CREATE INDEX IF NOT EXISTS commands_state ON commands (state, device_id);

        """;

    /// <summary>Binds and runs a statement; returns the rows affected.</summary>
    public static int Execute(DbConnection c, SqlDialect d, string text, params object?[] values) => Execute(c, null, d, text, values);

    /// <summary>Binds and runs a statement inside <paramref name="tx"/> (null: none); returns the rows affected.</summary>
    public static int Execute(DbConnection c, DbTransaction? tx, SqlDialect d, string text, params object?[] values)
    {
        using DbCommand command = Prepare(c, tx, d, text, values);
        return command.ExecuteNonQuery();
    }

    /// <summary>Binds and runs a query, reading every row through <paramref name="row"/>.</summary>
    public static List<T> Query<T>(DbConnection c, SqlDialect d, string text, Func<DbDataReader, T> row, params object?[] values) =>
        Query(c, null, d, text, row, values);

    /// <summary>Binds and runs a query inside <paramref name="tx"/> (null: none), reading every row through <paramref name="row"/>.</summary>
    public static List<T> Query<T>(DbConnection c, DbTransaction? tx, SqlDialect d, string text, Func<DbDataReader, T> row, params object?[] values)
    {
        using DbCommand command = Prepare(c, tx, d, text, values);
        using DbDataReader r = command.ExecuteReader();
        return StoreRowMapping.All(r, row);
    }

    /// <summary>Adds (or re-activates, rebinding nothing) a key; returns false when the key is bound to another device.</summary>
    public static bool AddKey(DbConnection c, SqlDialect d, string deviceId, string publicKey, long nowNs)
    {
        var bound = Query(c, d, "SELECT device_id FROM device_keys WHERE public_key = {1}", r => r.GetString(0), publicKey);
        if (bound.Count > 0 && bound[0] != deviceId)
        {
            return false;
        }

        if (bound.Count == 0)
        {
            Execute(c, d, "INSERT INTO device_keys (public_key, device_id, added_ns, revoked_ns) VALUES ({1}, {2}, {3}, NULL)", publicKey, deviceId, nowNs);
        }
        else
        {
            Execute(c, d, "UPDATE device_keys SET revoked_ns = NULL, added_ns = {2} WHERE public_key = {1}", publicKey, nowNs);
        }

        return true;
    }

    /// <summary>Revokes every active key of a device; returns how many.</summary>
    public static int RevokeDevice(DbConnection c, SqlDialect d, string deviceId, long nowNs) =>
        Execute(c, d, "UPDATE device_keys SET revoked_ns = {2} WHERE device_id = {1} AND revoked_ns IS NULL", deviceId, nowNs);

    /// <summary>Every key, revoked ones included, ordered by device id then key.</summary>
    public static List<DeviceKey> Keys(DbConnection c, SqlDialect d) =>
        Query(c, d, "SELECT device_id, public_key, added_ns, revoked_ns FROM device_keys ORDER BY device_id, public_key",
            r => new DeviceKey(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? 0 : r.GetInt64(3)));

    /// <summary>True when the collector has seen the device (the fleet table).</summary>
    public static bool DeviceSeen(DbConnection c, SqlDialect d, string deviceId) =>
        Query(c, d, "SELECT 1 FROM devices WHERE device_id = {1}", r => 1, deviceId).Count > 0;

    /// <summary>Inserts a pending command and returns its id.</summary>
    public static long InsertCommand(DbConnection c, SqlDialect d, string deviceId, string verb, string args, string requestedBy, long nowNs, long expiresNs) =>
        Query(c, d, "INSERT INTO commands (device_id, verb, args, requested_by, created_ns, expires_ns, state, attempts) VALUES ({1}, {2}, {3}, {4}, {5}, {6}, 'pending', 0) RETURNING id",
            r => r.GetInt64(0), deviceId, verb, args, requestedBy, nowNs, expiresNs)[0];

    /// <summary>Reads commands, newest first: one id, or one device's, or all (<paramref name="id"/> 0, <paramref name="deviceId"/> null).</summary>
    public static List<CommandRecord> Commands(DbConnection c, SqlDialect d, long id, string? deviceId, int limit) =>
        id > 0
            ? Query(c, d, $"SELECT {CommandColumns} FROM commands WHERE id = {{1}}", ReadCommand, id)
            : deviceId is not null
                ? Query(c, d, $"SELECT {CommandColumns} FROM commands WHERE device_id = {{1}} ORDER BY id DESC LIMIT {{2}}", ReadCommand, deviceId, (long)limit)
                : Query(c, d, $"SELECT {CommandColumns} FROM commands ORDER BY id DESC LIMIT {{1}}", ReadCommand, (long)limit);

    /// <summary>Marks open commands past their expiry as expired; returns how many.</summary>
    public static int ExpireDue(DbConnection c, SqlDialect d, long nowNs) =>
        Execute(c, d, "UPDATE commands SET state = 'expired', completed_ns = {1}, result = 'not answered before it expired' WHERE state IN ('pending', 'sent') AND expires_ns <= {1}", nowNs);

    /// <summary>Open commands to send: pending ones, and sent ones unanswered since <paramref name="resendBeforeNs"/>; oldest first.</summary>
    public static List<CommandRecord> Due(DbConnection c, SqlDialect d, long nowNs, long resendBeforeNs, int limit) =>
        Query(c, d, $"SELECT {CommandColumns} FROM commands WHERE (state = 'pending' OR (state = 'sent' AND sent_ns <= {{2}})) AND expires_ns > {{1}} ORDER BY id LIMIT {{3}}",
            ReadCommand, nowNs, resendBeforeNs, (long)limit);

    /// <summary>Records a send of an open command.</summary>
    public static void MarkSent(DbConnection c, SqlDialect d, long id, long nowNs) =>
        Execute(c, d, "UPDATE commands SET state = 'sent', sent_ns = {2}, attempts = attempts + 1 WHERE id = {1} AND state IN ('pending', 'sent')", id, nowNs);

    /// <summary>Records a device's result; false when the command is not open or not that device's (the result is ignored).</summary>
    public static bool Complete(DbConnection c, SqlDialect d, long id, string deviceId, bool succeeded, string text, long nowNs) =>
        Execute(c, d, "UPDATE commands SET state = {3}, result = {4}, completed_ns = {5} WHERE id = {1} AND device_id = {2} AND state IN ('pending', 'sent')",
            id, deviceId, succeeded ? CommandStates.Ok : CommandStates.Failed, text, nowNs) == 1;

    private static CommandRecord ReadCommand(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries), r.GetString(4),
        r.GetInt64(5), r.GetInt64(6), r.GetString(7), r.IsDBNull(8) ? 0 : r.GetInt64(8), r.GetInt64(9),
        r.IsDBNull(10) ? "" : r.GetString(10), r.IsDBNull(11) ? 0 : r.GetInt64(11));

    private static DbCommand Prepare(DbConnection c, DbTransaction? tx, SqlDialect d, string text, object?[] values)
    {
        DbCommand command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = Placeholder().Replace(text, m => d.P(int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)));
        for (int i = 0; i < values.Length; i++)
        {
            DbParameter p = command.CreateParameter();
            if (d.NamedParameters)
            {
                p.ParameterName = d.P(i + 1);
            }

            p.Value = values[i] ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        return command;
    }

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();
}
