namespace Appliance.Cloud.Storage;

/// <summary>A collector store that can forget old rows (<c>appliance cloud --retention</c>): <see cref="SqliteStore"/> deletes
/// by time in batches, <see cref="PostgresStore"/> drops day partitions. Devices' stored counts are lowered with the rows.</summary>
public interface IRetainingStore
{
    /// <summary>Removes summaries whose window starts, and alerts whose time is, before <paramref name="cutoffNs"/> (a partition is
    /// dropped once its whole day is before it, so PostgreSQL keeps up to one day more).</summary>
    /// <param name="cutoffNs">UTC Unix ns.</param>
    /// <returns>Rows removed.</returns>
    /// <exception cref="System.Data.Common.DbException">The database failed a statement (what committed before stays removed).</exception>
    long DeleteBefore(long cutoffNs);
}
