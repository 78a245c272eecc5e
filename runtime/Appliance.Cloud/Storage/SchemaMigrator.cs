using System.Data.Common;
using System.Globalization;

namespace Appliance.Cloud.Storage;

/// <summary>One numbered step of the collector store's schema (<see cref="StoreMigrations"/>).</summary>
/// <param name="Version">Its number: 1, 2, ... in the order applied; recorded in <c>schema_version</c> once committed.</param>
/// <param name="Name">What it does, recorded beside the number.</param>
/// <param name="Apply">Its statements, run on the connection inside the given transaction.</param>
internal sealed record Migration(int Version, string Name, Action<DbConnection, DbTransaction> Apply);

/// <summary>
/// Versioned schema migrations, our own (no DbUp/Evolve: this is a loop over a list, and it keeps the Native AOT binary free of
/// a reflection-based library). Table <c>schema_version</c> (version, name, applied_ns) holds one row per applied migration;
/// each pending migration runs in its own transaction with its row, so a crash leaves the store at the last whole version.
/// On PostgreSQL every migration transaction first takes a transaction-scoped advisory lock
/// (<c>pg_advisory_xact_lock</c>, PostgreSQL manual §9.27.10) and re-reads the version under it, so collectors starting
/// together on one database apply each migration once; SQLite's <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default
/// transaction) serialises writers the same way.
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>The advisory lock key (any constant shared by every collector: ASCII "APPLSCHM").</summary>
    public const long AdvisoryLockKey = 0x4150504C5343484D;

    /// <summary>Applies every migration of <paramref name="migrations"/> newer than the store's version, in order.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="dialect">Its dialect.</param>
    /// <param name="migrations">The migrations, ascending by version.</param>
    /// <param name="nowNs">Time recorded as applied_ns, UTC Unix ns.</param>
    /// <returns>The store's version afterwards.</returns>
    /// <exception cref="InvalidOperationException">The store is newer than this build (its version is above the last migration): opening it
    /// could corrupt it, so the message names both versions.</exception>
    public static int Migrate(DbConnection connection, SqlDialect dialect, IReadOnlyList<Migration> migrations, long nowNs)
    {
        int latest = migrations[^1].Version;
        foreach (Migration m in migrations)
        {
            using DbTransaction tx = connection.BeginTransaction();
            if (dialect == SqlDialect.Postgres)
            {
                Execute(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey.ToString(CultureInfo.InvariantCulture)})");
            }

            Execute(connection, tx, $"CREATE TABLE IF NOT EXISTS schema_version (version {dialect.Integer} PRIMARY KEY, name TEXT NOT NULL, applied_ns {dialect.Integer} NOT NULL)");
            int current = Version(connection, tx);
            if (current > latest)
            {
                throw new InvalidOperationException(
                    $"collector store schema version {current} is newer than this build's {latest}: use the appliance release that wrote it or a newer one");
            }

            if (current >= m.Version)
            {
                tx.Commit();
                continue;
            }

            m.Apply(connection, tx);
            using DbCommand record = connection.CreateCommand();
            record.Transaction = tx;
            record.CommandText = $"INSERT INTO schema_version (version, name, applied_ns) VALUES ({m.Version.ToString(CultureInfo.InvariantCulture)}, '{m.Name.Replace("'", "''", StringComparison.Ordinal)}', {nowNs.ToString(CultureInfo.InvariantCulture)})";
            record.ExecuteNonQuery();
            tx.Commit();
        }

        return latest;
    }

    /// <summary>The store's schema version: the highest applied migration, 0 when none is recorded (a store from before
    /// <c>schema_version</c>, or an empty database).</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="tx">The transaction to read in, or null.</param>
    /// <returns>The version.</returns>
    public static int Version(DbConnection connection, DbTransaction? tx)
    {
        using DbCommand q = connection.CreateCommand();
        q.Transaction = tx;
        q.CommandText = "SELECT max(version) FROM schema_version";
        try
        {
            object? v = q.ExecuteScalar();
            return v is null or DBNull ? 0 : Convert.ToInt32(v, CultureInfo.InvariantCulture);
        }
        catch (DbException) when (tx is null)
        {
            return 0; // no schema_version table (read-only open of a store from before migrations)
        }
    }

    /// <summary>Runs <paramref name="sql"/> (one or more statements) inside <paramref name="tx"/>.</summary>
    public static void Execute(DbConnection connection, DbTransaction? tx, string sql)
    {
        using DbCommand c = connection.CreateCommand();
        c.Transaction = tx;
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }
}
