namespace Appliance.Contracts.Wire;

/// <summary>Device to cloud (<see cref="MessageType.CommandResult"/>): a device's answer to a <see cref="Command"/> that carried an id.</summary>
/// <remarks>
/// Body layout (MessagePack array; a reader skips items past the third):
/// <code>
/// [0] id         uint    the command's id (Command item [2])
/// [1] succeeded  bool    true when the device did what was asked
/// [2] text       str     the outcome in one line (e.g. "rev=4f2a... state=applied"), at most 4,096 characters
/// </code>
/// Not journaled: the envelope's sequence is the command id. A lost result is recovered by the collector sending the
/// command again; the device remembers recent ids and answers a repeat with the result it already sent.
/// </remarks>
public sealed class CommandResult
{
    /// <summary>The id of the command answered (1-based).</summary>
    public long Id { get; init; }

    /// <summary>True when the command was carried out.</summary>
    public bool Succeeded { get; init; }

    /// <summary>What happened, one line; empty when nothing is to be said.</summary>
    public string Text { get; init; } = string.Empty;
}
