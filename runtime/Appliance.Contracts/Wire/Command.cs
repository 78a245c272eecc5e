namespace Appliance.Contracts.Wire;

/// <summary>Cloud to device instruction (<see cref="MessageType.Command"/>).</summary>
/// <remarks>
/// Body layout (MessagePack array; a reader skips items past the third):
/// <code>
/// [0] kind       uint           CommandKind
/// [1] arguments  array of str   kind-specific, may be empty
/// [2] id         uint           optional: the command's id in the cloud store (1-based); the device answers it with a
///                               CommandResult of the same id. Absent (written only when positive): no answer expected.
/// </code>
/// A device of an older build reads items [0] and [1] and skips [2], so it still acts on the command (and sends no result).
/// </remarks>
public sealed class Command
{
    /// <summary>What to do. May be a value this build does not define (sent by a newer cloud).</summary>
    public CommandKind Kind { get; init; }

    /// <summary>Kind-specific arguments; empty when none.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The command's id in the cloud store, 1-based; 0 when the sender expects no <see cref="CommandResult"/>.</summary>
    public long Id { get; init; }
}
