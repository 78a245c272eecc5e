using Appliance.Cloud.Storage;
namespace Appliance.Cloud.Ingest;

/// <summary>Totals held by a collector store (what <c>appliance cloud stats</c> prints).</summary>
/// <param name="Devices">Distinct devices ever seen.</param>
/// <param name="Summaries">Stored summaries.</param>
/// <param name="Alerts">Stored alerts.</param>
/// <param name="DuplicatesRejected">Messages received again after being stored (acknowledged, not stored twice).</param>
/// <param name="MalformedDropped">Frames dropped because they failed to decode or broke a bound.</param>
/// <param name="IdentitiesUnauthenticated">True when the last collector started on the store accepted device identities that no
/// CURVE allow-list binds (plaintext): any peer could send as any device id.</param>
public readonly record struct CollectorStats(long Devices, long Summaries, long Alerts, long DuplicatesRejected, long MalformedDropped, bool IdentitiesUnauthenticated = false);
