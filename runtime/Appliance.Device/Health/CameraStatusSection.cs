using System.Text.Json;
using Appliance.Device.Video;

namespace Appliance.Device.Health;

/// <summary>
/// The <c>"cameras"</c> key of the status file: one object per <c>[[camera]]</c>,
/// <c>{"name", "frames_read", "frames_dropped", "events", "clips_sent", "clip_bytes_sent", "clips_dropped_budget", "events_scored", "events_above_threshold"}</c>
/// (docs/video.md). An empty array when the device has no camera.
/// </summary>
/// <param name="cameras">The running camera stages now (they change when a new configuration is applied).</param>
public sealed class CameraStatusSection(Func<IReadOnlyList<CameraStage>> cameras) : IStatusSection
{
    /// <inheritdoc />
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray("cameras");
        foreach (CameraStage c in cameras())
        {
            CameraCounters n = c.Counters;
            writer.WriteStartObject();
            writer.WriteString("name", c.Name);
            writer.WriteNumber("frames_read", n.FramesRead);
            writer.WriteNumber("frames_dropped", n.FramesDropped);
            writer.WriteNumber("events", n.Events);
            writer.WriteNumber("clips_sent", n.Clips.ClipsSent);
            writer.WriteNumber("clip_bytes_sent", n.Clips.BytesSent);
            writer.WriteNumber("clips_dropped_budget", n.Clips.DroppedBudget);
            writer.WriteNumber("events_scored", n.EventsScored);
            writer.WriteNumber("events_above_threshold", n.EventsAboveThreshold);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
