using System.Data.Common;

namespace Appliance.Cloud.Storage;

/// <summary>A collector store that lends its connection, under its lock, to the control tables' statements
/// (<see cref="ControlSql"/>): <see cref="SqliteStore"/> and <see cref="PostgresStore"/>.</summary>
internal interface ISqlStore
{
    /// <summary>Runs <paramref name="work"/> on the store's connection under its lock.</summary>
    /// <param name="write">True when <paramref name="work"/> writes (refused on a store opened read-only).</param>
    /// <param name="work">The statements; given the connection and the store's dialect.</param>
    /// <returns>What <paramref name="work"/> returns.</returns>
    /// <exception cref="InvalidOperationException">A write on a read-only store.</exception>
    T Run<T>(bool write, Func<DbConnection, SqlDialect, T> work);
}
