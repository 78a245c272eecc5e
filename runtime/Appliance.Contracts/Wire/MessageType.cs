namespace Appliance.Contracts.Wire;

/// <summary>
/// The kind of body an <see cref="Envelope"/> carries: field 1 of the envelope array, written as a
/// MessagePack positive fixint. Values are part of the wire contract and never change meaning.
/// </summary>
public enum MessageType : byte
{
    /// <summary>Device to collector: one window's <see cref="Wire.Summary"/>.</summary>
    Summary = 1,

    /// <summary>Device to collector: one detector <see cref="Wire.Alert"/>.</summary>
    Alert = 2,

    /// <summary>Device to collector: a periodic <see cref="Wire.Heartbeat"/>.</summary>
    Heartbeat = 3,

    /// <summary>Collector to device: an <see cref="Wire.Ack"/> of stored sequences.</summary>
    Ack = 4,

    /// <summary>Cloud to device: a <see cref="Wire.Command"/>.</summary>
    Command = 5,

    /// <summary>Device to cloud: a <see cref="Wire.CommandResult"/>, the answer to a command that carried an id.</summary>
    CommandResult = 6,

    /// <summary>Device to collector: one <see cref="Wire.ClipChunk"/> of a camera event's clip (or the record of a dropped clip).</summary>
    ClipChunk = 7,
}
