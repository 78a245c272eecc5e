using System.Text.Json.Serialization;

namespace Appliance.Cloud.Http.Api;

/// <summary>One device in <c>GET /api/devices</c> and <c>GET /api/devices/{id}</c> (docs/api.md). Times are ISO 8601 UTC
/// (collector clock); counts are since the store was created.</summary>
/// <param name="DeviceId">Device id.</param>
/// <param name="Online">True while its latest message is younger than the heartbeat timeout.</param>
/// <param name="LastSeen">When its latest message was stored.</param>
/// <param name="LastHeartbeat">When its latest heartbeat was stored; null when none.</param>
/// <param name="LastSequence">Highest sequence received from it.</param>
/// <param name="UptimeMs">Uptime in its latest heartbeat, ms.</param>
/// <param name="ExecutionProvider">ONNX execution provider in its latest heartbeat.</param>
/// <param name="ConfigRevision">Configuration revision in its latest heartbeat.</param>
/// <param name="ConfigState">applied, rejected, rolled_back or pending; empty when no heartbeat.</param>
/// <param name="ConfigError">Why a revision was rejected or rolled back; empty when none.</param>
/// <param name="Model">Model id the device scores with; empty when none.</param>
/// <param name="ModelRejection">Why a model was refused; empty when none.</param>
/// <param name="Summaries">Summaries stored from it.</param>
/// <param name="Alerts">Alerts stored from it.</param>
/// <param name="Sensors">Per-sensor health from its latest heartbeat.</param>
/// <param name="Link">Its uplink as the collector sees it.</param>
/// <param name="Journal">Its journal as its latest heartbeat reports it.</param>
public sealed record DeviceView(
    string DeviceId,
    bool Online,
    string LastSeen,
    string? LastHeartbeat,
    long LastSequence,
    long UptimeMs,
    string ExecutionProvider,
    string ConfigRevision,
    string ConfigState,
    string ConfigError,
    string Model,
    string ModelRejection,
    long Summaries,
    long Alerts,
    IReadOnlyList<SensorView> Sensors,
    LinkView Link,
    JournalView Journal);

/// <summary>One sensor's health in a heartbeat.</summary>
/// <param name="Name">Sensor name.</param>
/// <param name="Health">ok, degraded or failed (the device's words).</param>
/// <param name="Reason">Why it is not ok; empty when ok.</param>
/// <param name="Faults">Read faults counted.</param>
/// <param name="RateHz">Measured sample rate, Hz.</param>
/// <param name="JitterP50Us">Median sampling jitter, µs.</param>
/// <param name="JitterP99Us">99th percentile sampling jitter, µs.</param>
public sealed record SensorView(string Name, string Health, string Reason, long Faults, double RateHz, double JitterP50Us, double JitterP99Us);

/// <summary>A device's link to the collector.</summary>
/// <param name="Online">Same as the device's <c>online</c>.</param>
/// <param name="SecondsSinceLastMessage">Seconds since its latest message was stored (collector clock).</param>
/// <param name="Retransmits">Retransmissions the device counted (latest heartbeat).</param>
public sealed record LinkView(bool Online, double SecondsSinceLastMessage, long Retransmits);

/// <summary>A device's journal (outbox) from its latest heartbeat.</summary>
/// <param name="Backlog">Messages written and not yet acknowledged (<c>seq_written - seq_acked</c>).</param>
/// <param name="Bytes">Journal bytes on disk.</param>
/// <param name="BudgetBytes">Journal budget, bytes.</param>
/// <param name="Dropped">Messages dropped by the budget.</param>
public sealed record JournalView(long Backlog, long Bytes, long BudgetBytes, long Dropped);

/// <summary>One stored summary in <c>GET /api/summaries</c>; feature values are null where not finite.</summary>
/// <param name="DeviceId">Device id.</param>
/// <param name="Seq">The device's sequence.</param>
/// <param name="Sensor">Sensor name.</param>
/// <param name="Channel">Channel name.</param>
/// <param name="WindowStart">Window start, ISO 8601 UTC (device clock).</param>
/// <param name="WindowEnd">Window end (exclusive).</param>
/// <param name="WindowStartNs">Window start, UTC Unix ns.</param>
/// <param name="WindowEndNs">Window end, UTC Unix ns.</param>
/// <param name="Count">Samples in the window.</param>
/// <param name="Mean">Mean, the channel's unit.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
public sealed record SummaryView(string DeviceId, long Seq, string Sensor, string Channel, string WindowStart, string WindowEnd,
    long WindowStartNs, long WindowEndNs, long Count, double? Mean, double? Min, double? Max);

/// <summary>One alert in <c>GET /api/alerts</c> and the answer of <c>POST /api/alerts/{id}/ack</c>.</summary>
/// <param name="Id">The alert's id, <c>DEVICE:SEQ</c>.</param>
/// <param name="DeviceId">Device id.</param>
/// <param name="Seq">The device's sequence.</param>
/// <param name="Sensor">Sensor name.</param>
/// <param name="Channel">Channel name.</param>
/// <param name="Time">When the detector fired, ISO 8601 UTC (device clock).</param>
/// <param name="TimeNs">The same, UTC Unix ns.</param>
/// <param name="Score">Detector score; null when not finite (see <paramref name="ScoreText"/>).</param>
/// <param name="ScoreText">The score as text (<c>Infinity</c> for the EWMA z-score of a change after a constant history).</param>
/// <param name="Threshold">Threshold crossed; null when not finite.</param>
/// <param name="Severity">Severity as sent.</param>
/// <param name="Detector">Detector name.</param>
/// <param name="Received">When the collector stored it.</param>
/// <param name="Acknowledged">True once acknowledged.</param>
/// <param name="AcknowledgedAt">When it was acknowledged; null while not.</param>
/// <param name="AcknowledgedBy">Who acknowledged it; empty while not.</param>
/// <param name="Label">The operator's label: true (a true anomaly), false (a false alarm), null while unlabelled.</param>
/// <param name="LabelledAt">When it was last labelled; null while not.</param>
public sealed record AlertView(string Id, string DeviceId, long Seq, string Sensor, string Channel, string Time, long TimeNs,
    double? Score, string ScoreText, double? Threshold, long Severity, string Detector, string Received, bool Acknowledged,
    string? AcknowledgedAt, string AcknowledgedBy, bool? Label, string? LabelledAt);

/// <summary>The body of <c>POST /api/alerts/{id}/label</c>: <c>{"label": true}</c> or <c>{"label": false}</c>.</summary>
/// <param name="Label">True: a true anomaly; false: a false alarm. Required.</param>
public sealed record LabelRequest(bool? Label);

/// <summary>The body of <c>POST /api/alerts/{id}/ack</c> (optional).</summary>
/// <param name="By">Who acknowledges (at most 200 characters kept); <c>api</c> when absent.</param>
public sealed record AckRequest(string? By);

/// <summary><c>GET /api/stats</c>: the store's totals and the running collector's counters.</summary>
/// <param name="Devices">Devices the store has seen.</param>
/// <param name="DevicesOnline">Of them, online now.</param>
/// <param name="Summaries">Summaries stored.</param>
/// <param name="Alerts">Alerts stored.</param>
/// <param name="DuplicatesRejected">Messages received again after being stored.</param>
/// <param name="MalformedDropped">Frames dropped as malformed.</param>
/// <param name="IdentitiesUnauthenticated">True when device identities are not bound by a CURVE allow-list.</param>
/// <param name="Collector">This collector process's counters since it started.</param>
public sealed record StatsView(long Devices, long DevicesOnline, long Summaries, long Alerts, long DuplicatesRejected, long MalformedDropped,
    bool IdentitiesUnauthenticated, CollectorView Collector);

/// <summary>The running collector's counters (<c>CollectorCounters</c>).</summary>
/// <param name="Received">Well-formed device messages received.</param>
/// <param name="Stored">Messages newly stored.</param>
/// <param name="Duplicates">Duplicates acknowledged again.</param>
/// <param name="Malformed">Frames dropped.</param>
/// <param name="AcksSent">Acknowledgements sent.</param>
/// <param name="StoreFaults">Batches the store failed to commit.</param>
/// <param name="Quarantined">Messages the store refused alone.</param>
/// <param name="ConnectedDevices">Device routes held now.</param>
/// <param name="WalBytes">SQLite write-ahead log size, bytes.</param>
public sealed record CollectorView(long Received, long Stored, long Duplicates, long Malformed, long AcksSent, long StoreFaults,
    long Quarantined, long ConnectedDevices, long WalBytes);

/// <summary>An RFC 9457 problem (<c>application/problem+json</c>), with the member <c>field</c> naming what was wrong.</summary>
/// <param name="Type">Always <c>about:blank</c>.</param>
/// <param name="Title">The status's reason phrase.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What was wrong and what was expected.</param>
/// <param name="Field">The query parameter, route value, header or body member at fault.</param>
public sealed record ApiProblem(string Type, string Title, int Status, string Detail, string Field);

/// <summary>Source-generated JSON for every API type (no reflection: Native AOT and trimming safe). Names are snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(IReadOnlyList<DeviceView>))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(IReadOnlyList<SummaryView>))]
[JsonSerializable(typeof(IReadOnlyList<AlertView>))]
[JsonSerializable(typeof(AlertView))]
[JsonSerializable(typeof(AckRequest))]
[JsonSerializable(typeof(LabelRequest))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(CommandRequest))]
[JsonSerializable(typeof(CommandView))]
[JsonSerializable(typeof(IReadOnlyList<CommandView>))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(IReadOnlyList<ClipView>))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
