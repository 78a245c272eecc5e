using Appliance.Kernels.Statistics;

namespace Appliance.Contracts.Wire;

/// <summary>
/// Bounds on every field of a device message, checked by the collector before anything is stored (docs/uplink.md,
/// "Bounds"). A frame that decodes but breaks one is counted as malformed and dropped, never stored or acknowledged.
/// These are validation helpers only: the wire layout (<see cref="Envelope"/>) is unchanged.
/// </summary>
public static class WireLimits
{
    /// <summary>Longest device id, in characters: the configuration's <c>[device] id</c> rule (1 to 64 of
    /// <c>A-Z a-z 0-9 - _ .</c>).</summary>
    public const int MaxDeviceIdLength = 64;

    /// <summary>Largest sequence accepted: 2^53 - 1, the largest integer a float64 (JSON, JavaScript) holds exactly.
    /// A device sending 1,000 messages a second reaches it after 285,000 years.</summary>
    public const long MaxSequence = (1L << 53) - 1;

    /// <summary>Longest sensor, channel or detector name, in characters.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Longest heartbeat text (revision, state, error, model id, rejection, sensor health and reason), in characters.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Most sensor reports or counters in one heartbeat.</summary>
    public const int MaxHeartbeatItems = 256;

    /// <summary>Earliest window start or alert time: 2000-01-01T00:00:00Z in UTC Unix ns. A device clock before it was never set.</summary>
    public const long EarliestTimeNs = 946_684_800_000_000_000;

    /// <summary>How far a window start or alert time may lie ahead of the collector's clock: one day, in ns.</summary>
    public const long MaxFutureNs = 86_400_000_000_000;

    /// <summary>Longest window, in ns: one day.</summary>
    public const long MaxWindowNs = 86_400_000_000_000;

    /// <summary>Largest clip chunk payload, in bytes (192 KiB: with its header a chunk stays under the 256 KiB frame and
    /// journal record limits). The <c>[[camera]] segment.chunk_bytes</c> setting is bounded by it.</summary>
    public const int MaxClipChunkBytes = 192 * 1024;

    /// <summary>Largest clip, in bytes (2 GiB: chunk offsets and the collector's file stay in 31-bit range).</summary>
    public const long MaxClipBytes = int.MaxValue;

    /// <summary>Longest clip, in ns: one hour (a camera's <c>segment.max_s</c> is bounded far below).</summary>
    public const long MaxClipNs = 3_600_000_000_000;

    /// <summary>True for a name that is safe as part of a file name: 1 to 64 of <c>A-Z a-z 0-9 - _ .</c>, not starting with
    /// '.' (camera names; the collector names clip files after them).</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsFileSafeName(string? name) => IsDeviceId(name) && name![0] != '.';

    /// <summary>True for a device id under the configuration's rule: 1 to 64 characters of <c>A-Z a-z 0-9 - _ .</c>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsDeviceId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxDeviceIdLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a decoded device message (summary, alert, heartbeat, clip chunk, or a link ping) against the bounds. Never throws.
    /// </summary>
    /// <param name="e">The envelope.</param>
    /// <param name="nowNs">The receiver's clock, UTC Unix ns (times more than <see cref="MaxFutureNs"/> ahead are refused).</param>
    /// <param name="error">The first bound broken, naming the field and what was expected; null when none.</param>
    /// <returns>True when every field is in bounds.</returns>
    /// <remarks>
    /// Window features must have the shape the device's own kernel gives them (<see cref="WindowFeatures"/>): a window
    /// whose samples were all NaN (a faulted sensor) has Count 0 and NaN min, max, mean, first and last, and is valid; a
    /// window with Count &gt; 0 has non-NaN min, max, first and last with min &lt;= max; all features are finite unless an
    /// infinite sample made min or max infinite (then the mean is infinite or NaN and M2..M4 NaN, as the kernel defines).
    /// Alert scores may be NaN (a detector with no score yet; stored as NULL) or infinite (the EWMA z-score of a change after
    /// a constant history, whose deviation is 0, is ±∞: a real device output); thresholds may be NaN but not infinite.
    /// </remarks>
    public static bool TryValidate(in Envelope e, long nowNs, out string? error)
    {
        error = Check(e, nowNs);
        return error is null;
    }

    private static string? Check(in Envelope e, long nowNs)
    {
        if (!IsDeviceId(e.DeviceId))
        {
            return $"device id of {e.DeviceId?.Length ?? 0} characters is not a device id (expected 1 to {MaxDeviceIdLength} letters, digits, '-', '_' or '.')";
        }

        if (e.Sequence < 1 || e.Sequence > MaxSequence)
        {
            return $"sequence {e.Sequence} out of range (expected 1 to 2^53-1)";
        }

        return e.Body switch
        {
            Summary s => Name("sensor", s.Sensor) ?? Name("channel", s.Channel) ?? Time("window start", s.WindowStartNs, nowNs)
                ?? (s.WindowEndNs - s.WindowStartNs is > 0 and <= MaxWindowNs ? null
                    : $"window length {s.WindowEndNs - s.WindowStartNs} ns out of range (expected 1 ns to 1 day)")
                ?? Features(s.Features),
            Alert a => Name("sensor", a.Sensor) ?? Name("channel", a.Channel) ?? Name("detector", a.Detector) ?? Time("alert time", a.TimeNs, nowNs)
                ?? (double.IsInfinity(a.Threshold) ? "alert threshold is infinite (expected a finite value or NaN)" : null)
                ?? (Enum.IsDefined(a.Severity) ? null : $"alert severity {(int)a.Severity} unknown (expected 0 to 2)")
                ?? Features(a.Features),
            Heartbeat h => Heartbeat(h),
            Ack => null,
            ClipChunk c => Clip(c, nowNs),
            CommandResult r => r.Id == e.Sequence ? Text("command result text", r.Text) : $"command result id {r.Id} differs from the envelope sequence {e.Sequence}",
            _ => null,
        };
    }

    private static string? Clip(ClipChunk c, long nowNs)
    {
        if (!IsFileSafeName(c.Camera))
        {
            return $"clip camera name of {c.Camera?.Length ?? 0} characters is not a camera name (expected 1 to {MaxDeviceIdLength} letters, digits, '-', '_' or '.', not starting with '.')";
        }

        if (c.Container is not ("ts" or "mjpeg"))
        {
            return $"clip container '{c.Container}' unknown (expected ts or mjpeg)";
        }

        string? error = Time("clip start", c.StartNs, nowNs) ?? Time("clip event id", c.EventId, nowNs)
            ?? (c.EndNs - c.StartNs is > 0 and <= MaxClipNs ? null : $"clip length {c.EndNs - c.StartNs} ns out of range (expected 1 ns to 1 hour)");
        if (error is not null)
        {
            return error;
        }

        if (c.Sha256.Length != 32 || c.TotalBytes < 0 || c.TotalBytes > MaxClipBytes)
        {
            return $"clip of {c.TotalBytes} bytes with a {c.Sha256.Length}-byte digest (expected 0 to 2^31-1 bytes and a 32-byte SHA-256)";
        }

        if (c.ChunkCount == 0)
        {
            return c.ChunkIndex == 0 && c.ChunkOffset == 0 && c.Data.Length == 0 ? null : "clip event record (chunk_count 0) with chunk data (expected index 0, offset 0, no data)";
        }

        bool last = c.ChunkIndex == c.ChunkCount - 1;
        return c.ChunkCount < 0 || c.ChunkIndex < 0 || c.ChunkIndex >= c.ChunkCount || c.Data.Length == 0 || c.Data.Length > MaxClipChunkBytes
            || c.ChunkOffset < 0 || c.ChunkOffset + c.Data.Length > c.TotalBytes || (last && c.ChunkOffset + c.Data.Length != c.TotalBytes)
            || (long)c.ChunkCount * MaxClipChunkBytes < c.TotalBytes
            ? $"clip chunk {c.ChunkIndex} of {c.ChunkCount} at offset {c.ChunkOffset} with {c.Data.Length} bytes of a {c.TotalBytes}-byte clip out of bounds (expected 1 to {MaxClipChunkBytes} bytes inside the clip, the last ending at its end)"
            : null;
    }

    private static string? Name(string field, string? value) =>
        string.IsNullOrEmpty(value) || value.Length > MaxNameLength || value.Any(char.IsControl)
            ? $"{field} name of {value?.Length ?? 0} characters out of bounds (expected 1 to {MaxNameLength} characters, no control characters)"
            : null;

    private static string? Text(string field, string? value) =>
        value is null || value.Length > MaxTextLength ? $"{field} of {value?.Length ?? 0} characters too long (expected at most {MaxTextLength})" : null;

    private static string? Time(string field, long ns, long nowNs) =>
        ns < EarliestTimeNs || ns > nowNs + MaxFutureNs
            ? $"{field} {ns} ns out of range (expected 2000-01-01 to one day after the collector's clock, UTC Unix ns)"
            : null;

    private static string? Heartbeat(Heartbeat h)
    {
        if (h.UptimeMs < 0)
        {
            return $"heartbeat uptime {h.UptimeMs} ms is negative";
        }

        if (h.Sensors.Count > MaxHeartbeatItems || h.Counters.Count > MaxHeartbeatItems)
        {
            return $"heartbeat of {h.Sensors.Count} sensors and {h.Counters.Count} counters (expected at most {MaxHeartbeatItems} of each)";
        }

        string? error = Text("execution provider", h.ExecutionProvider) ?? Text("config revision", h.ConfigRevision) ?? Text("config state", h.ConfigState)
            ?? Text("config error", h.ConfigError) ?? Text("model id", h.ModelId) ?? Text("model rejection", h.ModelRejection);
        foreach (SensorReport s in h.Sensors)
        {
            error ??= Name("sensor", s.Name) ?? Text("sensor health", s.Health) ?? Text("sensor reason", s.Reason);
        }

        return error;
    }

    private static string? Features(in WindowFeatures f)
    {
        if (f.Count < 0 || f.NanCount < 0 || f.ZeroCrossings < 0 || (f.Count > 0 && f.ZeroCrossings >= f.Count) || (f.Count == 0 && f.ZeroCrossings != 0))
        {
            return $"feature counts out of range (count {f.Count}, nan_count {f.NanCount}, zero_crossings {f.ZeroCrossings}; expected non-negative, zero crossings below count)";
        }

        if (f.Count == 0)
        {
            return double.IsNaN(f.Min) && double.IsNaN(f.Max) && double.IsNaN(f.Mean) && double.IsNaN(f.First) && double.IsNaN(f.Last)
                && Finite(f.M2, f.M3, f.M4, f.SumOfSquares)
                ? null
                : "features of an empty window not as the device writes them (expected NaN min, max, mean, first, last and finite sums)";
        }

        if (double.IsNaN(f.Min) || double.IsNaN(f.Max) || double.IsNaN(f.First) || double.IsNaN(f.Last) || !(f.Min <= f.Max))
        {
            return "features of a non-empty window with NaN min, max, first or last, or min above max";
        }

        if (double.IsInfinity(f.Min) || double.IsInfinity(f.Max))
        {
            return double.IsNaN(f.M2) && double.IsNaN(f.M3) && double.IsNaN(f.M4) && !double.IsFinite(f.Mean)
                ? null
                : "features with an infinite sample not as the device writes them (expected an infinite or NaN mean and NaN M2, M3, M4)";
        }

        return Finite(f.Mean, f.M2, f.M3, f.M4, f.SumOfSquares) && Finite(f.First, f.Last) && f.M2 >= 0 && f.M4 >= 0
            ? null
            : "features not finite, or a negative M2 or M4, in a window of finite samples";
    }

    private static bool Finite(params ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
