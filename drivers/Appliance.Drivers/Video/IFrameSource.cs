namespace Appliance.Drivers.Video;

/// <summary>
/// The geometry and nominal rate of the frames an <see cref="IFrameSource"/> delivers.
/// </summary>
/// <param name="Width">Frame width in pixels (luma samples per row).</param>
/// <param name="Height">Frame height in pixels (luma rows).</param>
/// <param name="FramesPerSecond">Nominal frame rate in frames per second (the stream's or the device's, as negotiated).</param>
public readonly record struct FrameFormat(int Width, int Height, double FramesPerSecond)
{
    /// <summary>Bytes in one luma plane: <see cref="Width"/> × <see cref="Height"/>.</summary>
    public int LumaBytes => Width * Height;
}

/// <summary>
/// A camera or video stream that yields the luma (Y) plane of each frame: 8-bit samples, row-major, no padding,
/// BT.601 luma as V4L2 <c>V4L2_PIX_FMT_GREY</c> / FFmpeg <c>gray</c> define it.
/// </summary>
/// <remarks>
/// One reader thread calls <see cref="TryReadFrame"/>; the caller owns the buffer (no allocation per frame).
/// A source never fabricates a frame: a dropped or short frame is counted by the implementation, not padded.
/// </remarks>
public interface IFrameSource : IDisposable
{
    /// <summary>The negotiated frame geometry and rate.</summary>
    FrameFormat Format { get; }

    /// <summary>
    /// Reads the next frame's luma plane into <paramref name="luma"/> (at least <see cref="FrameFormat.LumaBytes"/> bytes).
    /// </summary>
    /// <param name="luma">Destination, at least <see cref="FrameFormat.LumaBytes"/> bytes.</param>
    /// <param name="timestampNs">The frame's time: for a file, its presentation time in nanoseconds from the stream's
    /// start; for a live camera, UTC Unix nanoseconds.</param>
    /// <returns><see langword="false"/> at the end of the stream (a file's end, or the source closed).</returns>
    /// <exception cref="ArgumentException"><paramref name="luma"/> is shorter than one frame.</exception>
    /// <exception cref="IOException">The device or decoder failed; the message names it.</exception>
    bool TryReadFrame(Span<byte> luma, out long timestampNs);
}
