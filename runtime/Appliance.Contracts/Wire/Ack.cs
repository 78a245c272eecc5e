namespace Appliance.Contracts.Wire;

/// <summary>
/// Collector to device (<see cref="MessageType.Ack"/>): the device sequences the collector has committed
/// to its store (or had already stored: a duplicate is acknowledged again).
/// </summary>
/// <remarks>
/// Choice: a plain list of acknowledged sequences, not a cumulative high-water mark. The collector only
/// knows what it committed in this batch, not whether earlier sequences of that device reached it; the
/// device's outbox derives its own high-water mark from the individual acknowledgements.
/// Body layout (MessagePack array; a reader skips items past the first):
/// <code>
/// [0] sequences  array of uint   device sequences stored, in the order received
/// [1] proof      bin or nil (optional)  only in a device's link ping (empty sequences): <see cref="DeviceProof"/>
/// [2] pending    uint (optional)        only in the collector's answer to a ping: <see cref="Pending"/>
/// </code>
/// Item [2] was added without a schema bump: readers before it skip items past the ones they know (and a nil [1] is skipped
/// with it), and a reader of [2] treats its absence (an older collector) as "unknown".
/// The envelope's device id is the device acknowledged; its sequence is the collector's own counter; its incarnation
/// (<see cref="Envelope.Incarnation"/>) is the incarnation of every sequence listed, so an acknowledgement never
/// applies to a record of another incarnation with the same sequence (the collector sends one per device and
/// incarnation; 0 acknowledges frames that carried none). A device ignores an acknowledgement for an incarnation its
/// journal does not hold at that sequence.
/// </remarks>
public sealed class Ack
{
    /// <summary>Device sequences (1-based) of the envelope's incarnation, now durably stored by the collector.</summary>
    public IReadOnlyList<long> Sequences { get; init; } = [];

    /// <summary>A device's proof of its CURVE key (<see cref="DeviceProof"/>), sent in its link ping; null otherwise.</summary>
    public byte[]? Proof { get; init; }

    /// <summary>In the collector's answer to a link ping: how many of this device's messages the collector holds received but not
    /// yet committed and acknowledged (in its store queue); 0 means everything the device sent before its ping was either
    /// acknowledged already or lost, so what is still unacknowledged after its resend timeout must be resent. Null when not
    /// reported (older collectors, and every Ack that is not a pong). docs/uplink.md, "Flow control".</summary>
    public long? Pending { get; init; }
}
