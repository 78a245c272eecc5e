using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Appliance.Drivers.Video;

/// <summary>
/// A V4L2 camera (<c>/dev/videoN</c>, single-planar video capture) read by memory-mapped streaming I/O: the ioctls of the
/// kernel's V4L2 uAPI (section 4.2 "Streaming I/O (Memory Mapping)"): VIDIOC_QUERYCAP, VIDIOC_S_FMT, VIDIOC_S_PARM /
/// VIDIOC_G_PARM, VIDIOC_REQBUFS (V4L2_MEMORY_MMAP), VIDIOC_QUERYBUF + mmap(2), VIDIOC_QBUF, VIDIOC_STREAMON, then per
/// frame poll(2) + VIDIOC_DQBUF, the Y plane copied out of the driver's buffer, VIDIOC_QBUF; VIDIOC_STREAMOFF on
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para>Pixel formats: GREY, packed 4:2:2 (YUYV, YVYU, UYVY, VYUY) and 4:2:0 with a Y plane first (NV12, NV21, YU12,
/// YV12); the luma is taken as it is, with no colour conversion (the layouts are section 2.10/2.11 of the uAPI).
/// <c>Iot.Device.Media.VideoDevice</c> (Iot.Device.Bindings) is not used: it copies each frame into a new array and
/// streams on and off around every capture.</para>
/// <para>Timestamps: the buffer's CLOCK_MONOTONIC timestamp (V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC, the kernel's default),
/// mapped to UTC Unix nanoseconds with the offset between the system clock and CLOCK_MONOTONIC read when the frame is
/// dequeued; a driver with another timestamp source gets the dequeue time. Counters: <see cref="Frames"/> delivered,
/// <see cref="SequenceGaps"/> (frames the driver numbered but never delivered: v4l2_buffer.sequence skipping),
/// <see cref="Errors"/> (buffers flagged V4L2_BUF_FLAG_ERROR or shorter than a frame: counted, never delivered).</para>
/// <para>64-bit processes only (the structure layouts are LP64). One thread reads; <see cref="Dispose"/> after it has stopped.</para>
/// </remarks>
public sealed unsafe class V4l2FrameSource : IFrameSource
{
    private const int BufferCount = 4;

    private readonly string _path;
    private readonly int _frameTimeoutMs;
    private readonly LumaLayout _layout;
    private IntPtr[] _maps = [];
    private nuint[] _lengths = [];
    private int _fd = -1;
    private bool _streaming;
    private bool _haveSequence;

    /// <summary>
    /// Opens <paramref name="devicePath"/>, negotiates the format and starts streaming.
    /// </summary>
    /// <param name="devicePath">The capture node, e.g. <c>/dev/video0</c>.</param>
    /// <param name="width">Requested width in pixels; 0 keeps the device's current size. The driver may adjust it
    /// (<see cref="Format"/> holds what was negotiated).</param>
    /// <param name="height">Requested height in pixels; 0 keeps the device's current size.</param>
    /// <param name="framesPerSecond">Requested rate (VIDIOC_S_PARM); 0 keeps the device's.</param>
    /// <param name="pixelFormat">A pixel format name (<c>grey</c>, <c>yuyv</c>, <c>nv12</c>, ...; see
    /// <see cref="ParsePixelFormat"/>) or null for the first of GREY, YUYV, UYVY, YVYU, VYUY, NV12, NV21, YU12, YV12 the driver takes.</param>
    /// <param name="frameTimeout">How long <see cref="TryReadFrame"/> waits for a frame before it fails; default 5 s.</param>
    /// <exception cref="IOException">The device cannot be opened, is not a streaming capture device, offers none of these
    /// formats, or an ioctl fails; the message names the device and the ioctl.</exception>
    /// <exception cref="ArgumentException">An unknown <paramref name="pixelFormat"/> or a negative size or rate.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or a 32-bit process.</exception>
    public V4l2FrameSource(string devicePath, int width = 0, int height = 0, double framesPerSecond = 0, string? pixelFormat = null, TimeSpan? frameTimeout = null)
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            throw new PlatformNotSupportedException($"{devicePath}: V4L2 capture needs Linux and a 64-bit process");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(framesPerSecond);
        uint? wanted = pixelFormat is null ? null : V4l2Luma.Parse(pixelFormat);
        _path = devicePath;
        _frameTimeoutMs = (int)Math.Clamp((frameTimeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds, 1, int.MaxValue);
        _fd = V4l2.Open(devicePath, V4l2.ORdwr | V4l2.ONonblock | V4l2.OCloexec);
        if (_fd < 0)
        {
            throw Failure("open");
        }

        try
        {
            QueryCapabilities();
            var pix = Negotiate(wanted, (uint)width, (uint)height);
            _layout = V4l2Luma.LayoutOf(pix.PixelFormat);
            PixelFormat = V4l2.FourCcName(pix.PixelFormat);
            BytesPerLine = (int)pix.BytesPerLine;
            Format = new FrameFormat((int)pix.Width, (int)pix.Height, NegotiateRate(framesPerSecond));
            MapBuffers();
            uint type = V4l2.BufTypeVideoCapture;
            Check(V4l2.Ioctl(_fd, V4l2.VidiocStreamon, &type), "VIDIOC_STREAMON");
            _streaming = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public FrameFormat Format { get; }

    /// <summary>The device path this source reads.</summary>
    public string DevicePath => _path;

    /// <summary>The driver's name (v4l2_capability.driver), e.g. <c>uvcvideo</c>, <c>vivid</c>.</summary>
    public string Driver { get; private set; } = "";

    /// <summary>The device's name (v4l2_capability.card).</summary>
    public string Card { get; private set; } = "";

    /// <summary>The negotiated pixel format's FourCC, e.g. <c>YUYV</c>.</summary>
    public string PixelFormat { get; }

    /// <summary>Bytes between rows of the driver's buffer (v4l2_pix_format.bytesperline; of the Y plane for planar formats).</summary>
    public int BytesPerLine { get; }

    /// <summary>Frames delivered by <see cref="TryReadFrame"/>.</summary>
    public long Frames { get; private set; }

    /// <summary>Frames the driver numbered but never delivered (dropped): the sum of the gaps in v4l2_buffer.sequence.</summary>
    public long SequenceGaps { get; private set; }

    /// <summary>Buffers dequeued with V4L2_BUF_FLAG_ERROR or fewer bytes than a frame (not delivered), and failed ioctls while streaming.</summary>
    public long Errors { get; private set; }

    /// <summary>v4l2_buffer.sequence of the last buffer dequeued (the driver's frame counter).</summary>
    public uint LastSequence { get; private set; }

    /// <summary>The last buffer's timestamp as the driver gave it, in nanoseconds (CLOCK_MONOTONIC for most drivers):
    /// for rates measured on the device's own clock.</summary>
    public long LastDeviceTimestampNs { get; private set; }

    /// <summary>The FourCC of a configured pixel format name (<c>grey</c>, <c>yuyv</c>, <c>uyvy</c>, <c>yvyu</c>, <c>vyuy</c>,
    /// <c>nv12</c>, <c>nv21</c>, <c>yu12</c> or <c>yuv420</c>, <c>yv12</c> or <c>yvu420</c>; case-insensitive) as a string, e.g. "YUYV".</summary>
    /// <exception cref="ArgumentException">Any other name; the message lists the accepted ones.</exception>
    public static string ParsePixelFormat(string name) => V4l2.FourCcName(V4l2Luma.Parse(name));

    /// <summary>
    /// Frames the driver skipped between two consecutive v4l2_buffer.sequence values (the counter is a wrapping 32-bit
    /// integer, section 3.5): <c>current - previous - 1</c>; 0 for a repeated or backwards number (a driver that restarted
    /// its count), which is no evidence of a drop.
    /// </summary>
    internal static uint SequenceGap(uint previous, uint current)
    {
        uint delta = unchecked(current - previous);
        return delta is 0 or > int.MaxValue ? 0 : delta - 1;
    }

    /// <inheritdoc/>
    public bool TryReadFrame(Span<byte> luma, out long timestampNs)
    {
        if (luma.Length < Format.LumaBytes)
        {
            throw new ArgumentException($"luma buffer of {luma.Length} bytes, a frame needs {Format.LumaBytes}", nameof(luma));
        }

        timestampNs = 0;
        while (_fd >= 0)
        {
            if (!WaitReadable())
            {
                continue;
            }

            var buffer = new V4l2Buffer { Type = V4l2.BufTypeVideoCapture, Memory = V4l2.MemoryMmap };
            if (V4l2.Ioctl(_fd, V4l2.VidiocDqbuf, &buffer) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is V4l2.EAgain or V4l2.EIntr)
                {
                    continue;
                }

                Errors++;
                throw Failure("VIDIOC_DQBUF", errno);
            }

            bool delivered = false;
            try
            {
                if (_haveSequence)
                {
                    SequenceGaps += SequenceGap(LastSequence, buffer.Sequence);
                }

                _haveSequence = true;
                LastSequence = buffer.Sequence;
                LastDeviceTimestampNs = (buffer.TimestampSeconds * 1_000_000_000) + (buffer.TimestampMicroseconds * 1_000);
                int rowBytes = _layout == LumaLayout.Plane ? Format.Width : 2 * Format.Width;
                long needed = ((long)BytesPerLine * (Format.Height - 1)) + rowBytes;
                if ((buffer.Flags & V4l2.BufFlagError) != 0 || buffer.Index >= _maps.Length || buffer.BytesUsed < needed || (nuint)needed > _lengths[buffer.Index])
                {
                    Errors++;
                }
                else
                {
                    var source = new ReadOnlySpan<byte>((void*)_maps[buffer.Index], (int)Math.Min(buffer.BytesUsed, (uint)_lengths[buffer.Index]));
                    V4l2Luma.Extract(_layout, source, Format.Width, Format.Height, BytesPerLine, luma);
                    timestampNs = ToUnixNanoseconds(buffer.Flags, LastDeviceTimestampNs);
                    Frames++;
                    delivered = true;
                }
            }
            finally
            {
                if (V4l2.Ioctl(_fd, V4l2.VidiocQbuf, &buffer) < 0)
                {
                    Errors++;
                    throw Failure("VIDIOC_QBUF");
                }
            }

            if (delivered)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops streaming (VIDIOC_STREAMOFF), unmaps the buffers and closes the device.</summary>
    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        if (_streaming)
        {
            uint type = V4l2.BufTypeVideoCapture;
            _ = V4l2.Ioctl(_fd, V4l2.VidiocStreamoff, &type); // closing the file stops it too (section 4.2)
            _streaming = false;
        }

        for (int i = 0; i < _maps.Length; i++)
        {
            if (_maps[i] != IntPtr.Zero)
            {
                _ = V4l2.Munmap(_maps[i], _lengths[i]);
                _maps[i] = IntPtr.Zero;
            }
        }

        _ = V4l2.Close(_fd);
        _fd = -1;
    }

    private void QueryCapabilities()
    {
        V4l2Capability cap;
        Check(V4l2.Ioctl(_fd, V4l2.VidiocQuerycap, &cap), "VIDIOC_QUERYCAP");
        Driver = CString(cap.Driver, 16);
        Card = CString(cap.Card, 32);
        uint caps = (cap.Capabilities & V4l2.CapDeviceCaps) != 0 ? cap.DeviceCaps : cap.Capabilities;
        if ((caps & V4l2.CapVideoCapture) == 0 || (caps & V4l2.CapStreaming) == 0)
        {
            throw new IOException($"{_path}: VIDIOC_QUERYCAP: {Driver} '{Card}' is not a single-planar video capture device with streaming I/O (device caps 0x{caps:x8}; V4L2_CAP_VIDEO_CAPTURE and V4L2_CAP_STREAMING needed)");
        }
    }

    private V4l2PixFormat Negotiate(uint? wanted, uint width, uint height)
    {
        var current = new V4l2Format { Type = V4l2.BufTypeVideoCapture };
        Check(V4l2.Ioctl(_fd, V4l2.VidiocGFmt, &current), "VIDIOC_G_FMT");
        uint[] candidates = wanted is { } w ? [w] : V4l2Luma.Preferred;
        foreach (uint fourCc in candidates)
        {
            var format = new V4l2Format { Type = V4l2.BufTypeVideoCapture };
            format.Pix.Width = width == 0 ? current.Pix.Width : width;
            format.Pix.Height = height == 0 ? current.Pix.Height : height;
            format.Pix.PixelFormat = fourCc;
            Check(V4l2.Ioctl(_fd, V4l2.VidiocSFmt, &format), "VIDIOC_S_FMT");
            if (V4l2Luma.LayoutOf(format.Pix.PixelFormat) != LumaLayout.Unsupported && (wanted is null || format.Pix.PixelFormat == wanted))
            {
                if (format.Pix.Width == 0 || format.Pix.Height == 0)
                {
                    throw new IOException($"{_path}: VIDIOC_S_FMT: the driver set an empty frame ({format.Pix.Width}x{format.Pix.Height})");
                }

                if (format.Pix.BytesPerLine == 0)
                {
                    format.Pix.BytesPerLine = V4l2Luma.LayoutOf(format.Pix.PixelFormat) == LumaLayout.Plane ? format.Pix.Width : 2 * format.Pix.Width;
                }

                return format.Pix;
            }

            if (wanted is not null)
            {
                throw new IOException($"{_path}: VIDIOC_S_FMT: asked for {V4l2.FourCcName(fourCc)}, the driver offers {V4l2.FourCcName(format.Pix.PixelFormat)}");
            }
        }

        throw new IOException($"{_path}: VIDIOC_S_FMT: the driver offers none of GREY, YUYV, UYVY, YVYU, VYUY, NV12, NV21, YU12, YV12 (it answered {V4l2.FourCcName(current.Pix.PixelFormat)})");
    }

    private double NegotiateRate(double framesPerSecond)
    {
        var parm = new V4l2StreamParm { Type = V4l2.BufTypeVideoCapture };
        if (framesPerSecond > 0)
        {
            parm.TimePerFrameNumerator = 1000;
            parm.TimePerFrameDenominator = (uint)Math.Round(framesPerSecond * 1000);
            Check(V4l2.Ioctl(_fd, V4l2.VidiocSParm, &parm), "VIDIOC_S_PARM");
        }

        parm = new V4l2StreamParm { Type = V4l2.BufTypeVideoCapture };
        // A driver without frame-interval control answers G_PARM with an error or without V4L2_CAP_TIMEPERFRAME: rate unknown (0).
        return V4l2.Ioctl(_fd, V4l2.VidiocGParm, &parm) == 0 && (parm.Capability & V4l2.CapTimePerFrame) != 0 && parm.TimePerFrameNumerator != 0
            ? (double)parm.TimePerFrameDenominator / parm.TimePerFrameNumerator
            : 0;
    }

    /// <summary>REQBUFS, then QUERYBUF + mmap + QBUF per buffer; each mapping is kept as soon as it is made (Dispose unmaps it).</summary>
    private void MapBuffers()
    {
        var request = new V4l2RequestBuffers { Count = BufferCount, Type = V4l2.BufTypeVideoCapture, Memory = V4l2.MemoryMmap };
        Check(V4l2.Ioctl(_fd, V4l2.VidiocReqbufs, &request), "VIDIOC_REQBUFS");
        if (request.Count == 0)
        {
            throw new IOException($"{_path}: VIDIOC_REQBUFS: the driver granted no buffers");
        }

        _maps = new IntPtr[request.Count];
        _lengths = new nuint[request.Count];
        for (uint i = 0; i < request.Count; i++)
        {
            var buffer = new V4l2Buffer { Index = i, Type = V4l2.BufTypeVideoCapture, Memory = V4l2.MemoryMmap };
            Check(V4l2.Ioctl(_fd, V4l2.VidiocQuerybuf, &buffer), "VIDIOC_QUERYBUF");
            IntPtr map = V4l2.Mmap(IntPtr.Zero, buffer.Length, V4l2.ProtRead, V4l2.MapShared, _fd, buffer.Offset);
            if (map == new IntPtr(-1))
            {
                throw Failure("mmap");
            }

            _maps[i] = map;
            _lengths[i] = buffer.Length;
            Check(V4l2.Ioctl(_fd, V4l2.VidiocQbuf, &buffer), "VIDIOC_QBUF");
        }
    }

    /// <summary>poll(2) for POLLIN up to the frame timeout; false on EINTR (call again).</summary>
    private bool WaitReadable()
    {
        var pfd = new PollFd { Fd = _fd, Events = V4l2.PollIn };
        int ready = V4l2.Poll(ref pfd, 1, _frameTimeoutMs);
        if (ready < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == V4l2.EIntr)
            {
                return false;
            }

            Errors++;
            throw Failure("poll", errno);
        }

        if (ready == 0)
        {
            Errors++;
            throw new IOException($"{_path}: poll: no frame within {_frameTimeoutMs / 1000.0:0.###} s (VIDIOC_DQBUF never ready)");
        }

        return true;
    }

    /// <summary>The frame's time in UTC Unix nanoseconds: the driver's CLOCK_MONOTONIC timestamp plus the current
    /// offset between the system clock and CLOCK_MONOTONIC (.NET's <see cref="Stopwatch"/> reads CLOCK_MONOTONIC on Linux).</summary>
    private static long ToUnixNanoseconds(uint flags, long deviceNs)
    {
        long monotonicNow = (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        long utcNow = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        return (flags & V4l2.BufFlagTimestampMask) == V4l2.BufFlagTimestampMonotonic && deviceNs > 0
            ? deviceNs + (utcNow - monotonicNow)
            : utcNow;
    }

    private void Check(int result, string ioctl)
    {
        if (result < 0)
        {
            throw Failure(ioctl);
        }
    }

    private IOException Failure(string call) => Failure(call, Marshal.GetLastPInvokeError());

    private IOException Failure(string call, int errno) =>
        new($"{_path}: {call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    private static string CString(byte* bytes, int length)
    {
        var span = new ReadOnlySpan<byte>(bytes, length);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
