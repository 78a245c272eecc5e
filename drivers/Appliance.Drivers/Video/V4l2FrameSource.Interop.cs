using System.Runtime.InteropServices;

namespace Appliance.Drivers.Video;

// The V4L2 user-space API as this source uses it: the structures and ioctl numbers of include/uapi/linux/videodev2.h
// (Linux 6.1) for a 64-bit (LP64) process, the only kind supported (x86-64, arm64). Section numbers are those of the
// kernel's "Linux Media Infrastructure userspace API", part I "Video for Linux API" (Documentation/userspace-api/media/v4l/).
// The numbers follow include/uapi/asm-generic/ioctl.h: _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr,
// dir 1 = write (_IOW), 2 = read (_IOR), 3 = both (_IOWR); the sizes are asserted against videodev2.h in
// tests/Appliance.Drivers.Tests/Video/V4l2InteropTests.cs.

/// <summary>V4L2 ioctl numbers, constants and the libc calls (ioctl, mmap, poll) of <see cref="V4l2FrameSource"/>.</summary>
internal static class V4l2
{
    /// <summary>VIDIOC_QUERYCAP = _IOR('V', 0, struct v4l2_capability) (section 7.47 "ioctl VIDIOC_QUERYCAP").</summary>
    public const uint VidiocQuerycap = 0x80685600;

    /// <summary>VIDIOC_G_FMT = _IOWR('V', 4, struct v4l2_format) (section 7.23).</summary>
    public const uint VidiocGFmt = 0xC0D05604;

    /// <summary>VIDIOC_S_FMT = _IOWR('V', 5, struct v4l2_format) (section 7.23 "ioctl VIDIOC_G_FMT, VIDIOC_S_FMT, VIDIOC_TRY_FMT").</summary>
    public const uint VidiocSFmt = 0xC0D05605;

    /// <summary>VIDIOC_REQBUFS = _IOWR('V', 8, struct v4l2_requestbuffers) (section 7.57 "ioctl VIDIOC_REQBUFS").</summary>
    public const uint VidiocReqbufs = 0xC0145608;

    /// <summary>VIDIOC_QUERYBUF = _IOWR('V', 9, struct v4l2_buffer) (section 7.46 "ioctl VIDIOC_QUERYBUF").</summary>
    public const uint VidiocQuerybuf = 0xC0585609;

    /// <summary>VIDIOC_QBUF = _IOWR('V', 15, struct v4l2_buffer) (section 7.45 "ioctl VIDIOC_QBUF, VIDIOC_DQBUF").</summary>
    public const uint VidiocQbuf = 0xC058560F;

    /// <summary>VIDIOC_DQBUF = _IOWR('V', 17, struct v4l2_buffer) (section 7.45).</summary>
    public const uint VidiocDqbuf = 0xC0585611;

    /// <summary>VIDIOC_STREAMON = _IOW('V', 18, int) (section 7.62 "ioctl VIDIOC_STREAMON, VIDIOC_STREAMOFF").</summary>
    public const uint VidiocStreamon = 0x40045612;

    /// <summary>VIDIOC_STREAMOFF = _IOW('V', 19, int) (section 7.62).</summary>
    public const uint VidiocStreamoff = 0x40045613;

    /// <summary>VIDIOC_G_PARM = _IOWR('V', 21, struct v4l2_streamparm) (section 7.29 "ioctl VIDIOC_G_PARM, VIDIOC_S_PARM").</summary>
    public const uint VidiocGParm = 0xC0CC5615;

    /// <summary>VIDIOC_S_PARM = _IOWR('V', 22, struct v4l2_streamparm) (section 7.29).</summary>
    public const uint VidiocSParm = 0xC0CC5616;

    /// <summary>enum v4l2_buf_type V4L2_BUF_TYPE_VIDEO_CAPTURE (section 3.5 "Buffers", table "enum v4l2_buf_type").</summary>
    public const uint BufTypeVideoCapture = 1;

    /// <summary>enum v4l2_memory V4L2_MEMORY_MMAP (section 3.5, "enum v4l2_memory"; streaming I/O, section 4.2 "Streaming I/O (Memory Mapping)").</summary>
    public const uint MemoryMmap = 1;

    /// <summary>V4L2_CAP_VIDEO_CAPTURE (section 7.47, table "Device Capabilities Flags").</summary>
    public const uint CapVideoCapture = 0x00000001;

    /// <summary>V4L2_CAP_STREAMING (section 7.47).</summary>
    public const uint CapStreaming = 0x04000000;

    /// <summary>V4L2_CAP_DEVICE_CAPS: <c>device_caps</c> is valid (section 7.47).</summary>
    public const uint CapDeviceCaps = 0x80000000;

    /// <summary>V4L2_BUF_FLAG_ERROR: the buffer finished with a data error (section 3.5, "Buffer Flags").</summary>
    public const uint BufFlagError = 0x00000040;

    /// <summary>V4L2_BUF_FLAG_TIMESTAMP_MASK (section 3.5, "Buffer Flags").</summary>
    public const uint BufFlagTimestampMask = 0x0000E000;

    /// <summary>V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC: the timestamp is CLOCK_MONOTONIC (section 3.5, "Buffer Flags").</summary>
    public const uint BufFlagTimestampMonotonic = 0x00002000;

    /// <summary>V4L2_CAP_TIMEPERFRAME in v4l2_captureparm.capability (section 7.29).</summary>
    public const uint CapTimePerFrame = 0x1000;

    public const int ORdwr = 2;          // asm-generic/fcntl.h O_RDWR
    public const int ONonblock = 0x800;  // asm-generic/fcntl.h O_NONBLOCK (04000; x86-64 and arm64)
    public const int OCloexec = 0x80000; // asm-generic/fcntl.h O_CLOEXEC (02000000)
    public const int ProtRead = 1;       // asm-generic/mman-common.h PROT_READ
    public const int MapShared = 1;      // uapi/linux/mman.h MAP_SHARED
    public const short PollIn = 1;       // asm-generic/poll.h POLLIN
    public const short PollErr = 8;      // asm-generic/poll.h POLLERR
    public const int EIntr = 4;          // asm-generic/errno-base.h EINTR
    public const int EAgain = 11;        // asm-generic/errno-base.h EAGAIN

    /// <summary>v4l2_fourcc(a, b, c, d) = a | b &lt;&lt; 8 | c &lt;&lt; 16 | d &lt;&lt; 24 (videodev2.h).</summary>
    public static uint FourCc(char a, char b, char c, char d) => (uint)a | ((uint)b << 8) | ((uint)c << 16) | ((uint)d << 24);

    /// <summary>The four characters of a FourCC code, e.g. "YUYV".</summary>
    public static string FourCcName(uint code) =>
        string.Create(4, code, static (s, c) =>
        {
            for (int i = 0; i < 4; i++)
            {
                char ch = (char)((c >> (8 * i)) & 0xFF);
                s[i] = ch is >= ' ' and <= '~' ? ch : '?';
            }
        });

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static extern unsafe int Ioctl(int fd, nuint request, void* argument);

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static extern IntPtr Mmap(IntPtr address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static extern int Munmap(IntPtr address, nuint length);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll(ref PollFd fds, nuint count, int timeoutMs);
}

/// <summary>struct pollfd (poll(2); asm-generic/poll.h): 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}

/// <summary>struct v4l2_capability (videodev2.h; section 7.47): 104 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct V4l2Capability
{
    public fixed byte Driver[16];
    public fixed byte Card[32];
    public fixed byte BusInfo[32];
    public uint Version;
    public uint Capabilities;
    public uint DeviceCaps;
    public fixed uint Reserved[3];
}

/// <summary>struct v4l2_pix_format (videodev2.h; section 2.2 "Single-planar format structure"): 48 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct V4l2PixFormat
{
    public uint Width;
    public uint Height;
    public uint PixelFormat;
    public uint Field;
    public uint BytesPerLine;
    public uint SizeImage;
    public uint Colorspace;
    public uint Priv;
    public uint Flags;
    public uint YcbcrEnc;
    public uint Quantization;
    public uint XferFunc;
}

/// <summary>
/// struct v4l2_format (videodev2.h; section 7.23): <c>__u32 type</c>, then the union <c>fmt</c> of 200 bytes, which holds
/// pointers (struct v4l2_window) and so starts at offset 8 on LP64: 208 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal struct V4l2Format
{
    [FieldOffset(0)]
    public uint Type;

    [FieldOffset(8)]
    public V4l2PixFormat Pix;
}

/// <summary>struct v4l2_requestbuffers (videodev2.h, Linux 6.1; section 7.57): 20 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct V4l2RequestBuffers
{
    public uint Count;
    public uint Type;
    public uint Memory;
    public uint Capabilities;
    public byte Flags;
    public byte Reserved0;
    public byte Reserved1;
    public byte Reserved2;
}

/// <summary>
/// struct v4l2_buffer (videodev2.h; section 3.5 "Buffers") on LP64: struct timeval at 24 (two longs, 8-aligned after
/// <c>field</c>), struct v4l2_timecode (16 bytes) at 40, <c>sequence</c> at 56, <c>memory</c> at 60, the union <c>m</c>
/// (offset / userptr / planes / fd: 8 bytes) at 64, <c>length</c> at 72, <c>reserved2</c> at 76, <c>request_fd</c> at 80,
/// padded to 88 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal struct V4l2Buffer
{
    [FieldOffset(0)]
    public uint Index;

    [FieldOffset(4)]
    public uint Type;

    [FieldOffset(8)]
    public uint BytesUsed;

    [FieldOffset(12)]
    public uint Flags;

    [FieldOffset(16)]
    public uint Field;

    [FieldOffset(24)]
    public long TimestampSeconds;

    [FieldOffset(32)]
    public long TimestampMicroseconds;

    [FieldOffset(56)]
    public uint Sequence;

    [FieldOffset(60)]
    public uint Memory;

    /// <summary>m.offset: for V4L2_MEMORY_MMAP, the offset to pass to mmap(2).</summary>
    [FieldOffset(64)]
    public uint Offset;

    [FieldOffset(72)]
    public uint Length;

    [FieldOffset(80)]
    public int RequestFd;
}

/// <summary>
/// struct v4l2_streamparm (videodev2.h; section 7.29): <c>__u32 type</c> and a union of 200 bytes whose capture member,
/// struct v4l2_captureparm, begins <c>capability, capturemode, timeperframe (numerator, denominator)</c>: 204 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 204)]
internal struct V4l2StreamParm
{
    [FieldOffset(0)]
    public uint Type;

    [FieldOffset(4)]
    public uint Capability;

    [FieldOffset(8)]
    public uint CaptureMode;

    [FieldOffset(12)]
    public uint TimePerFrameNumerator;

    [FieldOffset(16)]
    public uint TimePerFrameDenominator;
}
