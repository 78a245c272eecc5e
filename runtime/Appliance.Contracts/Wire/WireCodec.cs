using System.Buffers;
using Appliance.Contracts.Wire.Formatters;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Appliance.Contracts.Wire;

/// <summary>
/// Encodes and decodes uplink frames (one <see cref="Envelope"/> per ZeroMQ frame) with hand-written
/// MessagePack formatters registered in a <see cref="CompositeResolver"/>: no runtime code generation,
/// so it works under Native AOT. Layout: see <see cref="Envelope"/>.
/// </summary>
public static class WireCodec
{
    /// <summary>
    /// The schema version this build writes. 3: summary item [5], the window's spectral features (only when it has them).
    /// 2: float features as float32 where float32 holds them, summary
    /// window as start + length; heartbeat with health items [4..]. 1: float64 everywhere, summary window as start + end.
    /// </summary>
    public const byte SchemaVersion = 3;

    /// <summary>The oldest schema version this build still reads (journals written before an upgrade drain as version 1).</summary>
    public const byte OldestReadableSchemaVersion = 1;

    /// <summary>Largest frame accepted or produced, in bytes (256 KiB; a summary is about 150 bytes).</summary>
    public const int MaxFrameBytes = 256 * 1024;

    /// <summary>Deepest array/map nesting accepted while decoding (the contract itself nests 3 deep).</summary>
    public const int MaxNestingDepth = 16;

    /// <summary>
    /// Options with the wire resolver and <see cref="MessagePackSecurity.UntrustedData"/> limited to
    /// <see cref="MaxNestingDepth"/>; exposed so other code can reuse the same formatters.
    /// </summary>
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            new IMessagePackFormatter[]
            {
                new EnvelopeFormatter(),
                new SummaryFormatter(),
                new AlertFormatter(),
                new HeartbeatFormatter(),
                new AckFormatter(),
                new CommandFormatter(),
                new CommandResultFormatter(),
                new ClipChunkFormatter(),
                new WindowFeaturesFormatter(),
            },
            Array.Empty<IFormatterResolver>()))
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(MaxNestingDepth));

    private static readonly IMessagePackFormatter<Envelope> EnvelopeFormat =
        Options.Resolver.GetFormatterWithVerify<Envelope>();

    /// <summary>Encodes one envelope into a new frame.</summary>
    /// <param name="e">The envelope; its body's type must match its message type.</param>
    /// <returns>The frame bytes.</returns>
    /// <exception cref="ArgumentException">The body does not match the message type, the device id is empty,
    /// the sequence is not positive, the incarnation is negative, or the frame would exceed <see cref="MaxFrameBytes"/>.</exception>
    public static byte[] Encode(in Envelope e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(e, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes one envelope into <paramref name="destination"/> (for callers that reuse a buffer).</summary>
    /// <param name="e">The envelope; its body's type must match its message type.</param>
    /// <param name="destination">Receives the frame bytes; on an exception it may hold a partial frame.</param>
    /// <returns>Number of bytes written.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Encode(in Envelope)"/>.</exception>
    public static int Encode(in Envelope e, ArrayBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (string.IsNullOrEmpty(e.DeviceId))
        {
            throw new ArgumentException("envelope device id is empty (expected the device's configured id)", nameof(e));
        }

        if (e.Sequence < 1)
        {
            throw new ArgumentException($"envelope sequence {e.Sequence} is not positive (expected 1-based)", nameof(e));
        }

        if (e.Incarnation < 0)
        {
            throw new ArgumentException($"envelope incarnation {e.Incarnation} is negative (expected 0 for none, or 1 to 2^63-1)", nameof(e));
        }

        int before = destination.WrittenCount;
        var writer = new MessagePackWriter(destination);
        EnvelopeFormat.Serialize(ref writer, e, Options);
        writer.Flush();
        int written = destination.WrittenCount - before;
        if (written > MaxFrameBytes)
        {
            throw new ArgumentException(
                $"{e.MessageType} envelope encodes to {written} bytes, over the {MaxFrameBytes}-byte frame limit", nameof(e));
        }

        return written;
    }

    /// <summary>
    /// Decodes one frame. Never throws on malformed input: returns false with a one-line reason instead.
    /// </summary>
    /// <param name="frame">The frame bytes as received.</param>
    /// <param name="e">The envelope when true; default otherwise.</param>
    /// <param name="error">Why decoding failed (size, version, type, truncation, nesting), or null on success.</param>
    /// <returns>True when the frame is a complete, well-formed envelope of a schema version this build reads.</returns>
    public static bool TryDecode(ReadOnlyMemory<byte> frame, out Envelope e, out string? error)
    {
        e = default;
        if (frame.Length > MaxFrameBytes)
        {
            error = $"frame of {frame.Length} bytes exceeds the {MaxFrameBytes}-byte limit";
            return false;
        }

        if (frame.IsEmpty)
        {
            error = "empty frame";
            return false;
        }

        try
        {
            var reader = new MessagePackReader(frame);
            Envelope decoded = EnvelopeFormat.Deserialize(ref reader, Options);
            if (!reader.End)
            {
                error = $"{frame.Length - reader.Consumed} trailing bytes after the envelope";
                return false;
            }

            e = decoded;
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException
            or InsufficientExecutionStackException or OverflowException or ArgumentException or InvalidOperationException)
        {
            // Every reader failure on hostile bytes lands here; the caller counts it as malformed.
            error = $"{ex.GetType().Name}: {ex.Message}";
            return false;
        }
    }

    /// <summary>
    /// Reads only the incarnation (<see cref="Envelope.Incarnation"/>, item [5]) of a frame this build or an older one wrote,
    /// skipping the body without decoding it: the device journal learns each record's incarnation this way on recovery.
    /// </summary>
    /// <param name="frame">The frame bytes.</param>
    /// <param name="incarnation">The incarnation, 0 when the frame has none.</param>
    /// <returns>False when the frame is not an envelope array with a valid incarnation item.</returns>
    public static bool TryReadIncarnation(ReadOnlyMemory<byte> frame, out long incarnation)
    {
        incarnation = 0;
        try
        {
            var reader = new MessagePackReader(frame);
            int count = WireReadRules.ReadArrayHeader(ref reader, 5, "envelope");
            WireReadRules.SkipItems(ref reader, 5, Options);
            if (count > 5)
            {
                incarnation = WireReadRules.ReadInteger(ref reader, "envelope.incarnation");
            }

            return incarnation >= 0;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException
            or InsufficientExecutionStackException or OverflowException)
        {
            return false;
        }
    }
}
