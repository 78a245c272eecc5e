namespace Appliance.Cloud.Http.Api;

/// <summary>The body of <c>POST /api/devices/{id}/commands</c> (docs/api.md).</summary>
/// <param name="Verb">pull-config, identify, restart-pipeline or set-log-level (<c>CommandService.Verbs</c>); required.</param>
/// <param name="Args">The verb's arguments: none, identify SECONDS (1 to 3600), set-log-level LEVEL; absent means none.</param>
/// <param name="TtlS">Seconds the command may wait for the device's result before it expires, 1 to 604800 (7 days);
/// 600 when absent.</param>
/// <param name="By">Who asks (recorded), 1 to 128 characters; <c>api</c> when absent.</param>
public sealed record CommandRequest(string? Verb, IReadOnlyList<string?>? Args, long? TtlS, string? By);

/// <summary>One command in <c>GET /api/commands</c>, <c>GET /api/commands/{id}</c> and the answer of
/// <c>POST /api/devices/{id}/commands</c> (the store's <c>commands</c> row). Times are ISO 8601 UTC (collector clock).</summary>
/// <param name="Id">The command's id, numbered by the store.</param>
/// <param name="DeviceId">The device addressed.</param>
/// <param name="Verb">The verb.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="By">Who asked.</param>
/// <param name="State">pending, sent, ok, failed or expired.</param>
/// <param name="Final">True once ok, failed or expired (the command will not change again).</param>
/// <param name="Created">When it was asked.</param>
/// <param name="Expires">When it expires unanswered.</param>
/// <param name="Sent">When it was last sent to the device; null before.</param>
/// <param name="Attempts">How many times it was sent.</param>
/// <param name="Result">The device's one-line result (pull-config: <c>rev=R state=S</c>), or why it expired; empty while open.</param>
/// <param name="Completed">When it reached a final state; null while open.</param>
public sealed record CommandView(long Id, string DeviceId, string Verb, IReadOnlyList<string> Args, string By, string State, bool Final,
    string Created, string Expires, string? Sent, long Attempts, string Result, string? Completed);
