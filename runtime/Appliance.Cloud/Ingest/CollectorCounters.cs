using Appliance.Cloud.Storage;
namespace Appliance.Cloud.Ingest;

/// <summary>A snapshot of a <see cref="Collector"/>'s counters, totals since it started.</summary>
/// <param name="Received">Well-formed device messages received.</param>
/// <param name="Stored">Messages newly stored.</param>
/// <param name="Duplicates">Messages already stored (acknowledged again, not stored twice).</param>
/// <param name="Malformed">Frames dropped: undecodable, oversized, wrong schema version, wrong frame count, or not device data.</param>
/// <param name="AcksSent">Acknowledgement messages sent.</param>
/// <param name="StoreFaults">Batches the store failed to commit (not acknowledged; devices resend them).</param>
/// <param name="Undeliverable">Acknowledgements or commands the socket could not route (peer gone).</param>
/// <param name="CommandsSent">Commands sent to devices.</param>
/// <param name="Pings">Link pings answered.</param>
/// <param name="Refused">Frames refused by the device allow-list (no valid key proof on the connection).</param>
/// <param name="OutOfBounds">Of <paramref name="Malformed"/>: frames refused because they decoded but broke a field bound
/// (WireLimits); never stored, acknowledged when they are a device's data under a valid device id.</param>
/// <param name="Quarantined">Messages the store refused alone while their batch's other messages committed (not stored,
/// acknowledged).</param>
/// <param name="Faults">Defects reached through input on the poller thread (counted and logged; the collector goes on).</param>
/// <param name="Routes">Device routes held now (bounded by <see cref="Collector.RouteCapacity"/>).</param>
/// <param name="WalBytes">Size of the SQLite store's write-ahead log now, bytes (0 for PostgreSQL); bounded by checkpoints.</param>
/// <param name="Revoked">Authenticated connections cut off because their key was revoked from the device registry.</param>
/// <param name="CommandResults">Command results received from devices and recorded in the store.</param>
/// <param name="MemoryTrims">Times the collector gave memory back to the system after a flood of hostile frames ended.</param>
/// <param name="Shed">Device messages dropped unstored and unacknowledged because the store queue was full
/// (<see cref="Collector.StoreQueueCapacity"/>); their devices resend them.</param>
/// <param name="StoreQueue">Device messages waiting for, or in, the store now.</param>
/// <param name="CheckpointFaults">SQLite write-ahead log checkpoints that failed on the checkpoint thread
/// (<see cref="SqliteStore.CheckpointFaults"/>; 0 for PostgreSQL).</param>
public readonly record struct CollectorCounters(
    long Received,
    long Stored,
    long Duplicates,
    long Malformed,
    long AcksSent,
    long StoreFaults,
    long Undeliverable,
    long CommandsSent,
    long Pings = 0,
    long Refused = 0,
    long OutOfBounds = 0,
    long Quarantined = 0,
    long Faults = 0,
    long Routes = 0,
    long WalBytes = 0,
    long Revoked = 0,
    long CommandResults = 0,
    long MemoryTrims = 0,
    long Shed = 0,
    long StoreQueue = 0,
    long CheckpointFaults = 0);
