using Appliance.Cloud.Ingest;
namespace Appliance.Cloud.Storage;

/// <summary>One device as the collector store tracks it (what <c>appliance cloud devices</c> prints).</summary>
/// <param name="DeviceId">Device id.</param>
/// <param name="LastSeenNs">Last message stored from it, UTC Unix ns (collector clock).</param>
/// <param name="LastSequence">Highest sequence received from it.</param>
/// <param name="HeartbeatNs">Receive time of its latest heartbeat, UTC Unix ns; 0 when none.</param>
/// <param name="UptimeMs">Uptime in its latest heartbeat, ms; 0 when none.</param>
/// <param name="ExecutionProvider">ONNX execution provider in its latest heartbeat; empty when none.</param>
/// <param name="ConfigRevision">Configuration revision in its latest heartbeat; empty when none.</param>
/// <param name="Summaries">Summaries stored from it.</param>
/// <param name="Alerts">Alerts stored from it.</param>
/// <param name="ConfigState">Configuration state in its latest heartbeat (applied, rejected, rolled_back, pending); empty when none.</param>
/// <param name="Health">Its latest heartbeat's health as a JSON object (<c>config_state</c>, <c>config_error</c>,
/// <c>model_id</c>, <c>model_rejection</c>, <c>degraded</c> [{name, reason, faults}], <c>sensors</c> [{name, health, reason,
/// faults, rate_hz, jitter_p50_us, jitter_p99_us}], <c>counters</c> {seq_written, seq_acked, journal_bytes, journal_budget_bytes,
/// merged, dropped, retransmits, ...}); empty when no schema 2 heartbeat arrived.</param>
public sealed record DeviceRecord(
    string DeviceId,
    long LastSeenNs,
    long LastSequence,
    long HeartbeatNs,
    long UptimeMs,
    string ExecutionProvider,
    string ConfigRevision,
    long Summaries,
    long Alerts,
    string ConfigState,
    string Health);
