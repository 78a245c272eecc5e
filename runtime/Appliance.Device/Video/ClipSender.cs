using System.Security.Cryptography;
using Appliance.Contracts.Config;
using Appliance.Contracts.Wire;

namespace Appliance.Device.Video;

/// <summary>What <see cref="ClipSender.Send"/> did with one event's clip.</summary>
public enum ClipOutcome
{
    /// <summary>Every chunk is in the journal.</summary>
    Sent,

    /// <summary>The clip would have exceeded the camera's hourly budget: only the event record is in the journal.</summary>
    DroppedBudget,

    /// <summary>No segment of the ring covers the event (the capture had not written one yet): only the event record.</summary>
    NoVideo,
}

/// <summary>A camera's clip counters (monotonic, thread-safe reads).</summary>
/// <param name="Events">Events handed to <see cref="ClipSender.Send"/>.</param>
/// <param name="ClipsSent">Clips whose chunks all went into the journal.</param>
/// <param name="BytesSent">Bytes of those clips.</param>
/// <param name="DroppedBudget">Clips dropped whole for the hourly budget (<c>clips_dropped_budget</c>).</param>
public readonly record struct ClipCounters(long Events, long ClipsSent, long BytesSent, long DroppedBudget);

/// <summary>
/// Cuts an event's clip out of the camera's segment ring and writes it to the journal as <see cref="ClipChunk"/> messages
/// (docs/video.md, "Event segments"): the whole clip is read once, its SHA-256 computed, then cut into
/// <see cref="SegmentSettings.ChunkBytes"/> chunks, each carrying the clip's identity, size and digest. The journal holds
/// them like summaries (acknowledged, resent after a crash or outage, under its disk budget). A clip that would take the
/// bytes sent in the current clock hour (UTC) over <see cref="SegmentSettings.BudgetBytesPerHour"/> is dropped whole: only
/// its event record (chunk count 0, with the clip's size and digest) is journaled, so the cloud lists the event.
/// </summary>
public sealed class ClipSender
{
    private const long HourNs = 3_600_000_000_000;

    private readonly string _camera;
    private readonly SegmentSettings _settings;
    private readonly Func<ClipChunk, long> _enqueue;
    private long _hour = long.MinValue;
    private long _bytesThisHour;
    private long _events;
    private long _sent;
    private long _bytes;
    private long _dropped;

    /// <summary>Creates the sender of one camera.</summary>
    /// <param name="camera">The camera's name.</param>
    /// <param name="settings">Its segment settings.</param>
    /// <param name="enqueue">Appends one message to the journal (<c>UplinkClient.Enqueue(ClipChunk)</c>); returns its sequence.</param>
    public ClipSender(string camera, SegmentSettings settings, Func<ClipChunk, long> enqueue)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(enqueue);
        _camera = camera;
        _settings = settings;
        _enqueue = enqueue;
    }

    /// <summary>The counters so far.</summary>
    public ClipCounters Counters => new(Interlocked.Read(ref _events), Interlocked.Read(ref _sent), Interlocked.Read(ref _bytes), Interlocked.Read(ref _dropped));

    /// <summary>Journals one event's clip (or its record alone).</summary>
    /// <param name="eventStartNs">First frame of the event, UTC Unix ns: also the event's id.</param>
    /// <param name="eventEndNs">Last frame of the event, UTC Unix ns.</param>
    /// <param name="segments">The clip's segments, oldest first (<see cref="SegmentRing.Cut"/>).</param>
    /// <param name="nowNs">The device's clock, UTC Unix ns: picks the budget's hour.</param>
    /// <returns>What was journaled.</returns>
    /// <exception cref="IOException">A segment file cannot be read.</exception>
    /// <exception cref="Outbox.OutboxFullException">The journal stayed full.</exception>
    public ClipOutcome Send(long eventStartNs, long eventEndNs, IReadOnlyList<SegmentFile> segments, long nowNs)
    {
        ArgumentNullException.ThrowIfNull(segments);
        Interlocked.Increment(ref _events);
        long startNs = segments.Count > 0 ? Math.Min(segments[0].StartNs, eventStartNs) : eventStartNs;
        long endNs = segments.Count > 0 ? Math.Max(segments[^1].EndNs, eventEndNs) : Math.Max(eventEndNs, eventStartNs + 1);
        byte[] clip = Read(segments);
        byte[] sha = SHA256.HashData(clip);
        var record = new ClipChunk
        {
            Camera = _camera, EventId = eventStartNs, StartNs = startNs, EndNs = endNs, Container = _settings.Container,
            ChunkIndex = 0, ChunkCount = 0, ChunkOffset = 0, TotalBytes = clip.Length, Sha256 = sha, Data = ReadOnlyMemory<byte>.Empty,
        };
        if (clip.Length == 0)
        {
            _enqueue(record);
            return ClipOutcome.NoVideo;
        }

        long hour = nowNs / HourNs;
        if (hour != _hour)
        {
            _hour = hour;
            _bytesThisHour = 0;
        }

        if (_bytesThisHour + clip.Length > _settings.BudgetBytesPerHour)
        {
            Interlocked.Increment(ref _dropped);
            _enqueue(record);
            return ClipOutcome.DroppedBudget;
        }

        int size = _settings.ChunkBytes;
        int count = (clip.Length + size - 1) / size;
        for (int i = 0; i < count; i++)
        {
            int offset = i * size;
            _enqueue(new ClipChunk
            {
                Camera = _camera, EventId = eventStartNs, StartNs = startNs, EndNs = endNs, Container = _settings.Container,
                ChunkIndex = i, ChunkCount = count, ChunkOffset = offset, TotalBytes = clip.Length, Sha256 = sha,
                Data = clip.AsMemory(offset, Math.Min(size, clip.Length - offset)),
            });
        }

        _bytesThisHour += clip.Length;
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _bytes, clip.Length);
        return ClipOutcome.Sent;
    }

    private static byte[] Read(IReadOnlyList<SegmentFile> segments)
    {
        using var clip = new MemoryStream();
        foreach (SegmentFile s in segments)
        {
            using var f = new FileStream(s.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            f.CopyTo(clip);
        }

        return clip.ToArray();
    }
}
