namespace Appliance.Contracts.Wire;

/// <summary>Cloud to device instruction (<see cref="MessageType.Command"/>).</summary>
/// <remarks>
/// Body layout (MessagePack array; a reader skips items past the second):
/// <code>
/// [0] kind       uint           CommandKind
/// [1] arguments  array of str   kind-specific, may be empty
/// </code>
/// </remarks>
public sealed class Command
{
    /// <summary>What to do. May be a value this build does not define (sent by a newer cloud).</summary>
    public CommandKind Kind { get; init; }

    /// <summary>Kind-specific arguments; empty when none.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
