namespace Appliance.Cloud.Storage;

/// <summary>Which summaries <see cref="IFleetReader.QuerySummaries"/> returns: latest window first.</summary>
/// <param name="DeviceId">Only this device; null for all.</param>
/// <param name="Sensor">Only this sensor; null for all.</param>
/// <param name="FromNs">Windows starting at or after this UTC Unix ns.</param>
/// <param name="ToNs">Windows starting before this UTC Unix ns.</param>
/// <param name="Limit">Most rows; at least 1.</param>
public readonly record struct SummaryQuery(string? DeviceId, string? Sensor, long FromNs, long ToNs, int Limit);

/// <summary>Which alerts <see cref="IFleetReader.QueryAlerts"/> returns: latest first (by the time the detector fired).</summary>
/// <param name="DeviceId">Only this device; null for all.</param>
/// <param name="FromNs">Alerts fired at or after this UTC Unix ns.</param>
/// <param name="ToNs">Alerts fired before this UTC Unix ns.</param>
/// <param name="Detector">Only this detector; null for all.</param>
/// <param name="Acknowledged">Only acknowledged (true) or unacknowledged (false) alerts; null for both.</param>
/// <param name="Limit">Most rows; at least 1.</param>
public readonly record struct AlertQuery(string? DeviceId, long FromNs, long ToNs, string? Detector, bool? Acknowledged, int Limit);

/// <summary>
/// The operator's reads and the one operator write (acknowledging an alert) on a collector store, for the HTTP API
/// (issue 16). Implemented by <see cref="SqliteStore"/> and <see cref="PostgresStore"/> over <see cref="FleetSql"/>; the API
/// opens its own store instance, so its queries run on their own connection beside the collector's writes.
/// </summary>
public interface IFleetReader
{
    /// <summary>Reads every device the store has seen, ordered by id.</summary>
    /// <returns>The devices.</returns>
    IReadOnlyList<DeviceRecord> GetDevices();

    /// <summary>Reads the totals.</summary>
    /// <returns>The totals.</returns>
    Ingest.CollectorStats GetStats();

    /// <summary>Reads summaries, latest window first (then highest sequence first).</summary>
    /// <param name="query">Filters and limit.</param>
    /// <returns>The summaries.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Limit below 1.</exception>
    IReadOnlyList<StoredSummary> QuerySummaries(SummaryQuery query);

    /// <summary>Reads alerts with their acknowledgement, latest first.</summary>
    /// <param name="query">Filters and limit.</param>
    /// <returns>The alerts.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Limit below 1.</exception>
    IReadOnlyList<StoredAlert> QueryAlerts(AlertQuery query);

    /// <summary>Acknowledges one alert (idempotent: a second acknowledgement keeps the first one's time and name).</summary>
    /// <param name="deviceId">Device of the alert.</param>
    /// <param name="sequence">Sequence of the alert.</param>
    /// <param name="nowNs">Acknowledgement time, UTC Unix ns.</param>
    /// <param name="by">Who acknowledged it (at most 200 characters kept).</param>
    /// <returns>The alert as stored after the acknowledgement, or null when the store has no such alert.</returns>
    StoredAlert? AcknowledgeAlert(string deviceId, long sequence, long nowNs, string by);

    /// <summary>Labels one alert a true anomaly (<paramref name="label"/> true) or a false alarm (false); a later label
    /// replaces an earlier one (issue 18 item 5: labelled alerts are training and gating data, <see cref="AlertLabels"/>).</summary>
    /// <param name="deviceId">Device of the alert.</param>
    /// <param name="sequence">Sequence of the alert.</param>
    /// <param name="label">True: a true anomaly; false: a false alarm.</param>
    /// <param name="nowNs">Label time, UTC Unix ns.</param>
    /// <returns>The alert as stored after labelling, or null when the store has no such alert.</returns>
    /// <exception cref="InvalidOperationException">The store was opened read-only.</exception>
    StoredAlert? LabelAlert(string deviceId, long sequence, bool label, long nowNs);

    /// <summary>Reads the camera events and their clips (the <c>events</c> table), latest start first.</summary>
    /// <param name="deviceId">Only this device's; null for all.</param>
    /// <returns>The events.</returns>
    IReadOnlyList<StoredClip> GetClips(string? deviceId);

    /// <summary>Reads one camera event by its row id.</summary>
    /// <param name="id">The row id (<see cref="StoredClip.Id"/>).</param>
    /// <returns>The event, or null when there is none.</returns>
    StoredClip? GetClip(long id);

    /// <summary>Merges a sensor's windows per time bucket and per device or label value (<see cref="Rollups.RollupQuery"/>).</summary>
    /// <param name="query">Sensor, bucket length, grouping, time range.</param>
    /// <returns>The rows, ordered by bucket, group and channel.</returns>
    /// <exception cref="FormatException">A stored quantile sketch is not readable (names what is wrong).</exception>
    IReadOnlyList<Rollups.RollupRow> QueryRollups(Rollups.RollupQuery query);

    /// <summary>Reads every device's labels (<c>[device] labels</c> from its latest heartbeat that had them).</summary>
    /// <returns>Labels by device id; a device without labels maps to an empty set.</returns>
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> GetDeviceLabels();
}
