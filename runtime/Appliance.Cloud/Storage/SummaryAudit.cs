namespace Appliance.Cloud.Storage;

/// <summary>What <see cref="SummaryAudit.Count"/> found in the store's rows against what the devices produced.</summary>
/// <param name="Rows">Summary rows of the audited devices (any window).</param>
/// <param name="Lost">Windows produced that no row holds: Σ over devices of produced − distinct produced windows stored.</param>
/// <param name="DuplicatesStored">Rows that are not the one row of a produced window: a second row of a window (under another
/// sequence or incarnation), or a row of a window the device never produced.</param>
public readonly record struct SummaryAuditResult(long Rows, long Lost, long DuplicatesStored);

/// <summary>
/// Loss and duplication read from a store's <c>summaries</c> rows, for devices whose windows are numbered: device d produced
/// windows starting at <c>first</c>, <c>first + length</c>, … <c>first + (n−1)·length</c>, one summary each
/// (<c>Appliance.Device.Uplink.SimulatedDevice</c>). Counted in SQL per device (<c>COUNT(*)</c> and
/// <c>COUNT(DISTINCT window_start_ns)</c> of the produced range), so the figures come from the rows themselves, not from the
/// collector's or the devices' counters. Same SQL on SQLite and PostgreSQL.
/// </summary>
public static class SummaryAudit
{
    /// <summary>Counts lost and duplicated windows of the given devices.</summary>
    /// <param name="store">A <see cref="SqliteStore"/> or <see cref="PostgresStore"/>.</param>
    /// <param name="produced">Per device id, how many windows it produced (0 or more).</param>
    /// <param name="firstWindowNs">Start of every device's first window, UTC Unix ns.</param>
    /// <param name="windowNs">Window length, ns; > 0.</param>
    /// <returns>Rows, lost and duplicates stored over all the devices.</returns>
    /// <exception cref="ArgumentException">The store is not a SQL store, or <paramref name="windowNs"/> is not positive.</exception>
    public static SummaryAuditResult Count(ICollectorStore store, IReadOnlyDictionary<string, long> produced, long firstWindowNs, long windowNs)
    {
        ArgumentNullException.ThrowIfNull(produced);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowNs, 1);
        if (store is not ISqlStore sql)
        {
            throw new ArgumentException($"{store?.GetType().Name}: expected a SQLite or PostgreSQL store", nameof(store));
        }

        return sql.Run(false, (c, d) =>
        {
            long rows = 0, lost = 0, duplicates = 0;
            foreach ((string device, long n) in produced)
            {
                long end = firstWindowNs + (n * windowNs);
                // All rows of the device, and the distinct windows among them that it produced.
                (long all, long distinct) = ControlSql.Query(c, d,
                    "SELECT COUNT(*), COUNT(DISTINCT CASE WHEN window_start_ns >= {2} AND window_start_ns < {3} THEN window_start_ns END) FROM summaries WHERE device_id = {1}",
                    r => (r.GetInt64(0), r.GetInt64(1)), device, firstWindowNs, end)[0];
                rows += all;
                lost += n - distinct;
                duplicates += all - distinct;
            }

            return new SummaryAuditResult(rows, lost, duplicates);
        });
    }
}
