namespace Appliance.Kernels.Motion;

/// <summary>
/// Scores the frames of one motion event at a time (for example an ONNX model over frame thumbnails): the analysis
/// calls <see cref="Add"/> for every frame while <see cref="MotionEventTracker.InEvent"/>, then <see cref="Close"/> when
/// the tracker returns the event, or <see cref="Discard"/> when it drops it as too short.
/// </summary>
/// <remarks>Implementations allocate nothing in <see cref="Add"/>; one instance per camera, not thread-safe.</remarks>
public interface IEventFrameScorer
{
    /// <summary>Takes one frame of the open event (width·height luma samples, as the scorer was built for).</summary>
    void Add(ReadOnlySpan<byte> luma);

    /// <summary>Scores the event's frames and forgets them.</summary>
    /// <returns>The event's score (the implementation states its meaning and threshold).</returns>
    /// <exception cref="InvalidOperationException">No frame was added since the last close.</exception>
    float Close();

    /// <summary>Forgets the frames of an event that was dropped.</summary>
    void Discard();
}
