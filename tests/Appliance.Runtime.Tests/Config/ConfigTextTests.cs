namespace Appliance.Runtime.Tests.Config;

/// <summary>
/// Issue 14 item 20: refusals of a configuration file name its line (invalid TOML once, without Tomlyn's internals; the
/// first byte that is not UTF-8), an empty file says what it should hold, and a plaintext endpoint off loopback is refused
/// by the loader (so <c>doctor --config</c>, <c>check</c> and <c>run</c> agree).
/// </summary>
public sealed class ConfigTextTests
{
    [Fact]
    public void Parse_UnclosedTableHeader_OneLineNumberNoTomlynInternals()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("[device]\nid = \"d\"\n[window\nlength = \"1s\"\n", "appliance.toml"));

        // TOML 1.0: a table header is "[" key "]" on one line; the header on line 3 is not closed (column 8: the line break).
        Assert.Equal("appliance.toml:3: invalid TOML at column 8: Expected `]` but was `␤`.", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Decode_InvalidUtf8_NamesLineAndColumnOfFirstBadByte()
    {
        // 0xFF never occurs in UTF-8 (RFC 3629 section 1).
        byte[] bytes = [.. "[device]\nid = \"ab"u8, 0xFF, .. "\"\n"u8];

        var e = Assert.Throws<ConfigException>(() => ConfigText.Decode(bytes, "devices/x.toml"));

        Assert.Equal("devices/x.toml:2: byte 0xFF at column 9 is not UTF-8 (TOML files are UTF-8 text)", e.Message);
    }

    [Fact]
    public void Parse_EmptyRoot_SaysWhatItShouldHold()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("# nothing yet\n", "appliance.toml"));

        Assert.StartsWith("appliance.toml: empty: no keys or tables (expected [device] id, [[sensor]], [window], [uplink] and [gitops]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyOverride_Accepted()
    {
        var config = ConfigLoader.Parse(TestToml.EnvSensorHead + TestToml.Tail, "appliance.toml", "# no overrides\n", "devices/d.toml", checkBuses: false);

        Assert.Equal("d", config.Device.Id);
    }

    [Fact]
    public void Parse_PlaintextEndpointOffLoopback_RefusedWithLine()
    {
        var toml = TestToml.EnvSensorHead + TestToml.Tail.Replace("tcp://127.0.0.1:5556", "tcp://10.1.2.3:5556", StringComparison.Ordinal);

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(toml, "appliance.toml"));

        Assert.Equal("appliance.toml:14: [uplink] endpoint: 'tcp://10.1.2.3:5556' is not loopback and has no CURVE keys (expected curve_server_key and curve_secret_key_file, or allow_plaintext = true on an isolated network)", e.Message);
        var allowed = ConfigLoader.Parse(toml.Replace("tcp://10.1.2.3:5556\"", "tcp://10.1.2.3:5556\"\nallow_plaintext = true", StringComparison.Ordinal), "appliance.toml");
        Assert.True(allowed.Uplink.AllowPlaintext);
    }

    [Fact]
    public void SelfTest_InvalidToml_NamesLine()
    {
        var e = Assert.Throws<ConfigException>(() => ModelPackage.SelfTest("m", [], "streams = 1\nfeatures = \n", "models/m/selftest.toml"));

        Assert.StartsWith("models/m/selftest.toml:2: invalid TOML at column ", e.Message, StringComparison.Ordinal);
    }
}
