using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Appliance.Drivers.Video;

namespace Appliance.Drivers.Tests.Video;

// The V4L2 structures and ioctl numbers against include/uapi/linux/videodev2.h (Linux 6.1, LP64). The expected sizes and
// offsets are those of the C compiler on that header (sizeof/offsetof, x86-64: gcc 12 with Debian's linux-libc-dev 6.1),
// and follow from the declarations: v4l2_capability = 16 + 32 + 32 bytes of names + 6 u32; v4l2_format's union holds
// pointers (struct v4l2_window), so it starts at 8 and is 200 bytes; v4l2_buffer has struct timeval (2 longs) after five
// u32, so it starts at 24, then v4l2_timecode (16), sequence, memory, the 8-byte union m, length, reserved2, request_fd.
// The ioctl numbers are _IOC(dir, 'V', nr, size) of include/uapi/asm-generic/ioctl.h with videodev2.h's nr and dir.
public sealed class V4l2InteropTests
{
    private static uint Ioc(uint dir, uint nr, int size) => (dir << 30) | ((uint)size << 16) | ((uint)'V' << 8) | nr;

    [Fact]
    public void StructSizes_MatchVideodev2()
    {
        Assert.Equal(8, Unsafe.SizeOf<PollFd>());
        Assert.Equal(104, Unsafe.SizeOf<V4l2Capability>());
        Assert.Equal(48, Unsafe.SizeOf<V4l2PixFormat>());
        Assert.Equal(208, Unsafe.SizeOf<V4l2Format>());
        Assert.Equal(20, Unsafe.SizeOf<V4l2RequestBuffers>());
        Assert.Equal(88, Unsafe.SizeOf<V4l2Buffer>());
        Assert.Equal(204, Unsafe.SizeOf<V4l2StreamParm>());
    }

    [Fact]
    public void FieldOffsets_MatchVideodev2()
    {
        Assert.Equal(80, (int)Marshal.OffsetOf<V4l2Capability>(nameof(V4l2Capability.Version)));
        Assert.Equal(84, (int)Marshal.OffsetOf<V4l2Capability>(nameof(V4l2Capability.Capabilities)));
        Assert.Equal(88, (int)Marshal.OffsetOf<V4l2Capability>(nameof(V4l2Capability.DeviceCaps)));
        Assert.Equal(8, (int)Marshal.OffsetOf<V4l2Format>(nameof(V4l2Format.Pix)));
        Assert.Equal(16, (int)Marshal.OffsetOf<V4l2PixFormat>(nameof(V4l2PixFormat.BytesPerLine)));
        Assert.Equal(20, (int)Marshal.OffsetOf<V4l2PixFormat>(nameof(V4l2PixFormat.SizeImage)));
        Assert.Equal(16, (int)Marshal.OffsetOf<V4l2RequestBuffers>(nameof(V4l2RequestBuffers.Flags)));
        Assert.Equal(24, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.TimestampSeconds)));
        Assert.Equal(32, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.TimestampMicroseconds)));
        Assert.Equal(56, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.Sequence)));
        Assert.Equal(60, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.Memory)));
        Assert.Equal(64, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.Offset)));
        Assert.Equal(72, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.Length)));
        Assert.Equal(80, (int)Marshal.OffsetOf<V4l2Buffer>(nameof(V4l2Buffer.RequestFd)));
        Assert.Equal(12, (int)Marshal.OffsetOf<V4l2StreamParm>(nameof(V4l2StreamParm.TimePerFrameNumerator)));
    }

    [Fact]
    public void IoctlNumbers_AreIocOfTheStructSizes()
    {
        const uint W = 1, R = 2, RW = 3;
        Assert.Equal(V4l2.VidiocQuerycap, Ioc(R, 0, Unsafe.SizeOf<V4l2Capability>()));
        Assert.Equal(V4l2.VidiocGFmt, Ioc(RW, 4, Unsafe.SizeOf<V4l2Format>()));
        Assert.Equal(V4l2.VidiocSFmt, Ioc(RW, 5, Unsafe.SizeOf<V4l2Format>()));
        Assert.Equal(V4l2.VidiocReqbufs, Ioc(RW, 8, Unsafe.SizeOf<V4l2RequestBuffers>()));
        Assert.Equal(V4l2.VidiocQuerybuf, Ioc(RW, 9, Unsafe.SizeOf<V4l2Buffer>()));
        Assert.Equal(V4l2.VidiocQbuf, Ioc(RW, 15, Unsafe.SizeOf<V4l2Buffer>()));
        Assert.Equal(V4l2.VidiocDqbuf, Ioc(RW, 17, Unsafe.SizeOf<V4l2Buffer>()));
        Assert.Equal(V4l2.VidiocStreamon, Ioc(W, 18, sizeof(int)));
        Assert.Equal(V4l2.VidiocStreamoff, Ioc(W, 19, sizeof(int)));
        Assert.Equal(V4l2.VidiocGParm, Ioc(RW, 21, Unsafe.SizeOf<V4l2StreamParm>()));
        Assert.Equal(V4l2.VidiocSParm, Ioc(RW, 22, Unsafe.SizeOf<V4l2StreamParm>()));
        // The values the C preprocessor gives on x86-64 (printed with gcc from videodev2.h).
        Assert.Equal(0x80685600u, V4l2.VidiocQuerycap);
        Assert.Equal(0xC0585611u, V4l2.VidiocDqbuf);
    }

    [Fact]
    public void FourCc_IsLittleEndianCharacters()
    {
        // videodev2.h: #define v4l2_fourcc(a, b, c, d) ((__u32)(a) | ((__u32)(b) << 8) | ((__u32)(c) << 16) | ((__u32)(d) << 24))
        Assert.Equal(0x56595559u, V4l2.FourCc('Y', 'U', 'Y', 'V'));
        Assert.Equal(0x59455247u, V4l2.FourCc('G', 'R', 'E', 'Y'));
        Assert.Equal("NV12", V4l2.FourCcName(0x3231564Eu));
    }
}

// The Y plane of each supported layout (uAPI section 2.10 GREY, 2.11 packed YUYV/UYVY and planar NV12), from frames
// written out by hand, with row padding (bytesperline > the row's bytes) that must be skipped.
public sealed class V4l2LumaTests
{
    [Fact]
    public void Grey_CopiesRows_SkippingPadding()
    {
        // 3x2, bytesperline 4: the 4th byte of each row is padding (0xEE).
        byte[] frame = [10, 20, 30, 0xEE, 40, 50, 60, 0xEE];
        var luma = new byte[6];
        V4l2Luma.Extract(LumaLayout.Plane, frame, 3, 2, 4, luma);
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 60 }, luma);
    }

    [Fact]
    public void Yuyv_TakesEvenBytes()
    {
        // 4x2 YUYV: Y0 U Y1 V Y2 U Y3 V per row; bytesperline 10 (2 bytes of padding).
        byte[] frame =
        [
            16, 128, 17, 129, 18, 130, 19, 131, 0xEE, 0xEE,
            235, 90, 100, 240, 101, 91, 102, 241, 0xEE, 0xEE,
        ];
        var luma = new byte[8];
        V4l2Luma.Extract(LumaLayout.EvenBytes, frame, 4, 2, 10, luma);
        Assert.Equal(new byte[] { 16, 17, 18, 19, 235, 100, 101, 102 }, luma);
    }

    [Fact]
    public void Uyvy_TakesOddBytes()
    {
        // 4x1 UYVY: U Y0 V Y1 U Y2 V Y3.
        byte[] frame = [128, 16, 129, 17, 130, 18, 131, 19];
        var luma = new byte[4];
        V4l2Luma.Extract(LumaLayout.OddBytes, frame, 4, 1, 8, luma);
        Assert.Equal(new byte[] { 16, 17, 18, 19 }, luma);
    }

    [Fact]
    public void Nv12_TakesTheYPlane_NotTheChroma()
    {
        // 2x2 NV12: Y plane (2 rows of 2) then one interleaved CbCr row (2 bytes); bytesperline 2.
        byte[] frame = [1, 2, 3, 4, 200, 201];
        var luma = new byte[4];
        V4l2Luma.Extract(V4l2Luma.LayoutOf(V4l2.FourCc('N', 'V', '1', '2')), frame, 2, 2, 2, luma);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, luma);
    }

    [Theory]
    [InlineData(0)] // YUYV: Y in the even bytes
    [InlineData(1)] // UYVY: Y in the odd bytes
    public void Packed_WideRows_VectorAndTailAgree(int yOffset)
    {
        var layout = yOffset == 0 ? LumaLayout.EvenBytes : LumaLayout.OddBytes;
        // 37 pixels a row (two 16-pixel vector steps and a 5-pixel tail), 3 rows, bytesperline 80: Y = row * 50 + x, chroma 0xC0|x.
        const int width = 37, height = 3, stride = 80;
        var frame = new byte[stride * height];
        var expected = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                frame[(y * stride) + (2 * x) + yOffset] = (byte)((y * 50) + x);
                frame[(y * stride) + (2 * x) + 1 - yOffset] = (byte)(0xC0 | (x & 0x3F));
                expected[(y * width) + x] = (byte)((y * 50) + x);
            }
        }

        var luma = new byte[width * height];
        V4l2Luma.Extract(layout, frame, width, height, stride, luma);
        Assert.Equal(expected, luma);
    }

    [Fact]
    public void ShortBuffer_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => V4l2Luma.Extract(LumaLayout.EvenBytes, new byte[7], 4, 1, 8, new byte[4]));
        Assert.Throws<ArgumentException>(() => V4l2Luma.Extract(LumaLayout.Plane, new byte[8], 4, 2, 4, new byte[7]));
    }

    [Theory]
    [InlineData("grey", "GREY")]
    [InlineData("YUYV", "YUYV")]
    [InlineData("yuv420", "YU12")]
    [InlineData("nv12", "NV12")]
    public void PixelFormatNames_Parse(string name, string fourCc) => Assert.Equal(fourCc, V4l2FrameSource.ParsePixelFormat(name));

    [Fact]
    public void UnknownPixelFormat_NamesTheAcceptedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => V4l2FrameSource.ParsePixelFormat("mjpg"));
        Assert.Contains("'mjpg'", e.Message);
        Assert.Contains("yuyv", e.Message);
    }
}

// v4l2_buffer.sequence is the driver's frame counter, a wrapping __u32 (uAPI section 3.5): a skip of k numbers is k dropped frames.
public sealed class V4l2SequenceTests
{
    [Theory]
    [InlineData(5u, 6u, 0u)]
    [InlineData(5u, 8u, 2u)]
    [InlineData(0xFFFFFFFEu, 1u, 2u)] // wraps: FFFFFFFF and 0 were dropped
    [InlineData(0xFFFFFFFFu, 0u, 0u)]
    [InlineData(5u, 5u, 0u)]          // repeated: no evidence of a drop
    [InlineData(5u, 3u, 0u)]          // backwards (a restarted count): no evidence of a drop
    public void Gap_IsTheNumbersSkipped(uint previous, uint current, uint gap) => Assert.Equal(gap, V4l2FrameSource.SequenceGap(previous, current));

    [Fact]
    public void MissingDevice_NamesTheDeviceAndTheCall()
    {
        var e = Assert.Throws<IOException>(() => new V4l2FrameSource("/dev/video-appliance-missing"));
        Assert.Contains("/dev/video-appliance-missing: open failed", e.Message);
    }

    [Fact]
    public void NotAVideoDevice_NamesVidiocQuerycap()
    {
        // /dev/null has no V4L2 ioctls: the kernel answers ENOTTY to VIDIOC_QUERYCAP.
        var e = Assert.Throws<IOException>(() => new V4l2FrameSource("/dev/null"));
        Assert.Contains("/dev/null: VIDIOC_QUERYCAP failed", e.Message);
    }
}
