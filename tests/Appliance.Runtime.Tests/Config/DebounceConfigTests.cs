namespace Appliance.Runtime.Tests.Config;

/// <summary>Issue 14 item 17: <c>debounce</c> on a pulse sensor: a typed duration, at most 1 s, refused on other chips (file, line, key).</summary>
public sealed class DebounceConfigTests
{
    private static ApplianceConfig Parse(string body) =>
        ConfigLoader.Parse("[device]\nid = \"d\"\n[[sensor]]\nname = \"s\"\n" + body + "\n" + TestToml.Tail, "appliance.toml");

    [Fact]
    public void Parse_PulseSensorDebounce_TypedAndPassedToTheDriver()
    {
        var config = Parse("chip = \"pulse\"\nbus = \"gpio:0\"\nline = 17\nrate_hz = 1\ndebounce = \"2ms\"");

        Assert.Equal(TimeSpan.FromMilliseconds(2), config.Sensors[0].Debounce);
        Assert.Equal(TimeSpan.FromMilliseconds(2), config.Sensors[0].ToDescriptor().Debounce);
        Assert.Null(Parse("chip = \"pulse\"\nbus = \"gpio:0\"\nline = 17\nrate_hz = 1").Sensors[0].Debounce);
    }

    // Lines: 1 [device], 2 id, 3 [[sensor]], 4 name, 5 chip, 6 bus, 7 rate_hz or line, 8 ..., the debounce last.
    [Theory]
    [InlineData("chip = \"bme280\"\nbus = \"emulated:bme280\"\nrate_hz = 1\ndebounce = \"2ms\"", 8, "only pulse sensors (GPIO) take a debounce")]
    [InlineData("chip = \"pulse\"\nbus = \"gpio:0\"\nline = 17\nrate_hz = 1\ndebounce = \"2s\"", 9, "must be at most 1s")]
    [InlineData("chip = \"pulse\"\nbus = \"gpio:0\"\nline = 17\nrate_hz = 1\ndebounce = 2", 9, "debounce")]
    [InlineData("chip = \"pulse\"\nbus = \"gpio:0\"\nline = 17\nrate_hz = 1\ndebounce = \"2 bananas\"", 9, "is not a duration")]
    public void Parse_BadDebounce_RefusedWithLineAndKey(string body, int line, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(body));

        Assert.StartsWith($"appliance.toml:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("debounce", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
