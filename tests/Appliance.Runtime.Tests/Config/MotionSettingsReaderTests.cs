using Appliance.Contracts.Config;
using Appliance.Kernels.Motion;

namespace Appliance.Runtime.Tests.Config;

public sealed class MotionSettingsReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-motion-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string toml)
    {
        string path = Path.Combine(_dir, "appliance.toml");
        File.WriteAllText(path, toml);
        return path;
    }

    [Fact]
    public void Load_InlineMotionTable_OverridesKeyByKey()
    {
        string path = Write("""
            [[camera]]
            name = "door"
            motion = { block_size = 8, pixel_threshold = 30, adaptation_shift = 4, min_active_fraction = 0.5, min_region_blocks = 2, pre_roll_s = 3, post_roll_s = 2.5, min_event_s = 0, hold_s = 0.5 }

            [[camera]]
            name = "yard"
            motion = { pixel_threshold = 40 }
            """);
        var want = new MotionSettings { BlockSize = 8, PixelThreshold = 30, AdaptationShift = 4, MinActiveFraction = 0.5, MinRegionBlocks = 2, PreRollS = 3, PostRollS = 2.5, MinEventS = 0, HoldS = 0.5 };
        Assert.Equal(want, MotionSettingsReader.Load(path));
        Assert.Equal(new MotionSettings { PixelThreshold = 40 }, MotionSettingsReader.Load(path, "yard"));
    }

    [Fact]
    public void Load_NoCameraOrNoMotionTable_Defaults()
    {
        Assert.Equal(new MotionSettings(), MotionSettingsReader.Load(Write("[device]\nid = \"d\"\n")));
        Assert.Equal(new MotionSettings(), MotionSettingsReader.Load(Write("[[camera]]\nname = \"c\"\n")));
    }

    [Theory]
    [InlineData("motion = { pixel_threshold = 300 }", "appliance.toml:3: [motion] pixel_threshold: 300: must be between 0 and 254")]
    [InlineData("motion = { hold = 1 }", "appliance.toml:3: [motion] hold: unknown key (expected one of: block_size,")]
    [InlineData("motion = { min_active_fraction = 0 }", "appliance.toml:3: [motion] min_active_fraction: 0: must be above 0 and at most 1")]
    [InlineData("motion = { block_size = \"16\" }", "appliance.toml:3: [motion] block_size: '16' is not an integer")]
    [InlineData("motion = 5", "appliance.toml:3: [camera] motion: expected a table")]
    public void Load_BadValue_NamesFileLineAndKey(string line, string message)
    {
        string path = Write($"[[camera]]\nname = \"c\"\n{line}\n");
        var e = Assert.Throws<ConfigException>(() => MotionSettingsReader.Load(path));
        Assert.StartsWith(message.Replace("appliance.toml", path, StringComparison.Ordinal), e.Message);
    }
}
