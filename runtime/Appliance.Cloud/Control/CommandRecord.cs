namespace Appliance.Cloud.Control;

/// <summary>One command to a device as the <c>commands</c> table records it.</summary>
/// <param name="Id">The command's id, 1-based, numbered by the store; sent to the device and echoed in its result.</param>
/// <param name="DeviceId">The device addressed.</param>
/// <param name="Verb">pull-config, identify, restart-pipeline or set-log-level (<see cref="CommandService.Verbs"/>).</param>
/// <param name="Arguments">The verb's arguments.</param>
/// <param name="RequestedBy">Who asked (the CLI records the OS user, the HTTP API its caller).</param>
/// <param name="CreatedNs">When it was asked, UTC Unix ns.</param>
/// <param name="ExpiresNs">When it expires unanswered, UTC Unix ns.</param>
/// <param name="State">One of <see cref="CommandStates"/>.</param>
/// <param name="SentNs">When it was last sent, UTC Unix ns; 0 before.</param>
/// <param name="Attempts">How many times it was sent.</param>
/// <param name="Result">The device's one-line result, or why it expired; empty while open.</param>
/// <param name="CompletedNs">When it reached a final state, UTC Unix ns; 0 while open.</param>
public sealed record CommandRecord(
    long Id,
    string DeviceId,
    string Verb,
    IReadOnlyList<string> Arguments,
    string RequestedBy,
    long CreatedNs,
    long ExpiresNs,
    string State,
    long SentNs,
    long Attempts,
    string Result,
    long CompletedNs)
{
    /// <summary>True once the command is ok, failed or expired.</summary>
    public bool IsFinal => CommandStates.IsFinal(State);

    /// <summary>The result line <c>appliance cloud command --wait</c> prints: the state, then the result (e.g. <c>ok rev=4f2a… state=applied</c>).</summary>
    public string ResultLine => Result.Length == 0 ? State : $"{State} {Result}";
}
