namespace Appliance.Runtime.Tests.Config;

// The [[camera]] table (issue 22, item 1): every key, the defaults, and one line naming file, line and key per refusal.
public sealed class CameraConfigTests
{
    // Line numbers count from the first line of EnvSensorHead: its 8 lines, then the camera tables.
    private static ApplianceConfig Parse(string cameras) => ConfigLoader.Parse(TestToml.EnvSensorHead + cameras + TestToml.Tail, "appliance.toml");

    [Fact]
    public void Parse_EveryKey_ReadsThemAndDefaults()
    {
        var config = Parse("""
            [[camera]]
            name = "door"
            source = "/dev/video0"
            width = 1280
            height = 720
            fps = 15
            pixel_format = "mjpeg"
            segment = { codec = "mjpeg", pre_roll_s = 2, post_roll_s = 1.5, max_s = 30, chunk_bytes = "128KiB", budget_bytes_per_hour = "1GiB" }

            [[camera]]
            name = "yard"
            source = "file:/srv/yard.mp4"

            [[camera]]
            name = "gate"
            source = "rtsp://10.0.0.9/stream1"
            """);

        Assert.Equal(3, config.Cameras!.Count);
        CameraSettings door = config.Cameras[0];
        Assert.Equal((CameraSourceKind.V4l2, "/dev/video0", 1280, 720, 15, "mjpeg"), (door.SourceKind, door.Target, door.Width, door.Height, door.Fps, door.PixelFormat));
        Assert.Equal(new SegmentSettings("mjpeg", 2, 1.5, 30, 128 * 1024, 1L << 30), door.Segment);
        Assert.Equal("mjpeg", door.Segment.Container);
        CameraSettings yard = config.Cameras[1];
        Assert.Equal((CameraSourceKind.File, "/srv/yard.mp4", 640, 480, 10, "yuyv422"), (yard.SourceKind, yard.Target, yard.Width, yard.Height, yard.Fps, yard.PixelFormat));
        Assert.Equal(new SegmentSettings("h264", 3, 3, 60, 64 * 1024, 256L << 20), yard.Segment);
        Assert.Equal("ts", yard.Segment.Container);
        Assert.Equal(CameraSourceKind.Rtsp, config.Cameras[2].SourceKind);
    }

    [Fact]
    public void Parse_NoCameraTable_EmptyList()
    {
        Assert.Empty(Parse(string.Empty).Cameras!);
    }

    [Theory]
    [InlineData("name = \"../up\"\nsource = \"/dev/video0\"", 10, "is not a camera name")]
    [InlineData("name = \"c\"", 10, "source")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nwidth = 641", 12, "must be even")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nfps = 0", 12, "must be between 1 and 120")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\npixel_format = \"rgb\"", 12, "expected one of yuyv422")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nsegment = { codec = \"vp9\" }", 12, "expected \"h264\" or \"mjpeg\"")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nsegment = { chunk_bytes = \"1MiB\" }", 12, "must be between 4096 and 196608 bytes")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nsegment = { pre_roll_s = 30, post_roll_s = 30, max_s = 60 }", 12, "must exceed pre_roll_s + post_roll_s")]
    [InlineData("name = \"c\"\nsource = \"/dev/video0\"\nzoom = 2", 12, "zoom")]
    public void Parse_BadCameraKey_OneLineNamingFileLineAndKey(string body, int line, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[[camera]]\n" + body + "\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains($"appliance.toml:{line}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parse_CameraNamedTwice_Refused()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("[[camera]]\nname = \"c\"\nsource = \"a.mp4\"\n\n[[camera]]\nname = \"c\"\nsource = \"b.mp4\"\n"));
        Assert.Contains("camera 'c' is defined twice", e.Message, StringComparison.Ordinal);
    }
}
