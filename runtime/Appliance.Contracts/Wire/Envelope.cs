namespace Appliance.Contracts.Wire;

/// <summary>
/// One message on the uplink: the versioned header every message carries, plus its body.
/// </summary>
/// <remarks>
/// Wire layout (MessagePack, spec: https://github.com/msgpack/msgpack/blob/master/spec.md):
/// <code>
/// byte 0      0x95 or 0x96       fixarray of 5 items, or 6 with an incarnation (a newer writer may send more; readers skip them)
/// item [0]    schema_version     positive fixint, 0x02 for this contract (0x01 still read)
/// item [1]    message_type       positive fixint, MessageType (0x01 summary .. 0x05 command, 0x06 command result, 0x07 clip chunk)
/// item [2]    device_id          str: fixstr 0xa0|len (len &lt; 32), str8 0xd9 len, str16 0xda len16
/// item [3]    sequence           uint: fixint 0x00-0x7f, uint8 0xcc, uint16 0xcd, uint32 0xce, uint64 0xcf
/// item [4]    body               array, layout per message type (see Summary, Alert, Heartbeat, Ack, Command, CommandResult, ClipChunk)
/// item [5]    incarnation        uint, optional: the device journal's incarnation (random, 1 to 2^63-1); absent = 0
///
/// e.g. 95 02 01 a4 'd' 'e' 'v' '1' 07 95 ...   = schema 2, Summary, "dev1", sequence 7, 5-item body
/// </code>
/// Integers are written in their shortest MessagePack form, window features as float32 (0xca) where float32
/// holds them and float64 (0xcb) otherwise (see WindowFeaturesFormatter), other floats as float64, so a value
/// has exactly one encoding and golden-byte tests are meaningful. Later additions go in new trailing envelope items or
/// new message types; the first five items never change. The incarnation (item [5]) is written only when it is not 0,
/// so an envelope without one encodes exactly as before it existed, and a frame without it decodes as incarnation 0.
/// A device message is identified by (device id, incarnation, sequence); an acknowledgement's incarnation names the
/// incarnation whose sequences it lists (docs/uplink.md, "Journal incarnation").
/// </remarks>
public readonly struct Envelope
{
    /// <summary>Creates an envelope; prefer the typed <c>Create</c> overloads, which set the type and version.</summary>
    /// <param name="schemaVersion">Wire schema version (<see cref="WireCodec.SchemaVersion"/>).</param>
    /// <param name="messageType">Kind of <paramref name="body"/>.</param>
    /// <param name="deviceId">Device the message is from (device to cloud) or for (cloud to device).</param>
    /// <param name="sequence">Sender's sequence, 1-based, increasing per device.</param>
    /// <param name="body">One of <see cref="Summary"/>, <see cref="Alert"/>, <see cref="Heartbeat"/>, <see cref="Ack"/>, <see cref="Command"/>, <see cref="CommandResult"/>, <see cref="ClipChunk"/>.</param>
    /// <param name="incarnation">The device journal's incarnation (<see cref="Incarnation"/>); 0 for none.</param>
    public Envelope(byte schemaVersion, MessageType messageType, string deviceId, long sequence, object body, long incarnation = 0)
    {
        Incarnation = incarnation;
        SchemaVersion = schemaVersion;
        MessageType = messageType;
        DeviceId = deviceId;
        Sequence = sequence;
        Body = body;
    }

    /// <summary>Wire schema version; <see cref="WireCodec.SchemaVersion"/> for this build.</summary>
    public byte SchemaVersion { get; }

    /// <summary>Kind of <see cref="Body"/>.</summary>
    public MessageType MessageType { get; }

    /// <summary>Device id (sender for device messages, addressee for acks and commands).</summary>
    public string DeviceId { get; }

    /// <summary>Sender's sequence number, 1-based and increasing within an incarnation; (DeviceId, Incarnation, Sequence)
    /// identifies a device message.</summary>
    public long Sequence { get; }

    /// <summary>
    /// The device journal's incarnation: a random id (1 to 2^63-1) made when the journal is created and made anew whenever
    /// its recovery discards records it may already have sent, so that a sequence handed out again is never taken for one
    /// the collector already holds. 0: none (a frame from a build before incarnations, or a collector's reply to one). On an
    /// <see cref="Ack"/>, the incarnation of the sequences it acknowledges.
    /// </summary>
    public long Incarnation { get; }

    /// <summary>The body, whose runtime type matches <see cref="MessageType"/>.</summary>
    public object Body { get; }

    /// <summary>A summary envelope at the current schema version.</summary>
    /// <param name="deviceId">Sending device.</param>
    /// <param name="sequence">Outbox sequence, 1-based.</param>
    /// <param name="body">The summary.</param>
    /// <param name="incarnation">The outbox's incarnation; 0 for none.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, Summary body, long incarnation = 0) =>
        new(WireCodec.SchemaVersion, MessageType.Summary, deviceId, sequence, body, incarnation);

    /// <summary>An alert envelope at the current schema version.</summary>
    /// <param name="deviceId">Sending device.</param>
    /// <param name="sequence">Outbox sequence, 1-based.</param>
    /// <param name="body">The alert.</param>
    /// <param name="incarnation">The outbox's incarnation; 0 for none.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, Alert body, long incarnation = 0) =>
        new(WireCodec.SchemaVersion, MessageType.Alert, deviceId, sequence, body, incarnation);

    /// <summary>A heartbeat envelope at the current schema version.</summary>
    /// <param name="deviceId">Sending device.</param>
    /// <param name="sequence">Outbox sequence, 1-based.</param>
    /// <param name="body">The heartbeat.</param>
    /// <param name="incarnation">The outbox's incarnation; 0 for none.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, Heartbeat body, long incarnation = 0) =>
        new(WireCodec.SchemaVersion, MessageType.Heartbeat, deviceId, sequence, body, incarnation);

    /// <summary>An acknowledgement envelope at the current schema version.</summary>
    /// <param name="deviceId">Device acknowledged.</param>
    /// <param name="sequence">Collector's own message counter, 1-based.</param>
    /// <param name="body">The acknowledgement.</param>
    /// <param name="incarnation">The device incarnation whose sequences <paramref name="body"/> lists; 0 for frames without one.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, Ack body, long incarnation = 0) =>
        new(WireCodec.SchemaVersion, MessageType.Ack, deviceId, sequence, body, incarnation);

    /// <summary>A clip chunk envelope at the current schema version.</summary>
    /// <param name="deviceId">Sending device.</param>
    /// <param name="sequence">Outbox sequence, 1-based.</param>
    /// <param name="body">The chunk.</param>
    /// <param name="incarnation">The outbox's incarnation; 0 for none.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, ClipChunk body, long incarnation = 0) =>
        new(WireCodec.SchemaVersion, MessageType.ClipChunk, deviceId, sequence, body, incarnation);

    /// <summary>A command envelope at the current schema version.</summary>
    /// <param name="deviceId">Device addressed.</param>
    /// <param name="sequence">Cloud's own message counter, 1-based.</param>
    /// <param name="body">The command.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, long sequence, Command body) =>
        new(WireCodec.SchemaVersion, MessageType.Command, deviceId, sequence, body);

    /// <summary>A command result envelope at the current schema version.</summary>
    /// <param name="deviceId">Answering device.</param>
    /// <param name="body">The result; its <see cref="CommandResult.Id"/> is the envelope's sequence.</param>
    /// <returns>The envelope.</returns>
    public static Envelope Create(string deviceId, CommandResult body) =>
        new(WireCodec.SchemaVersion, MessageType.CommandResult, deviceId, body.Id, body);
}
