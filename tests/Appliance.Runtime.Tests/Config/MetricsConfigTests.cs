using System.Net;

namespace Appliance.Runtime.Tests.Config;

/// <summary>The <c>[metrics]</c> table (issue 16 item 6): off by default; <c>listen</c> is IP:PORT; a bad one is refused with
/// the file, the key's line and what was expected, as the other keys are.</summary>
public sealed class MetricsConfigTests
{
    // DefaultConfig.Toml ends in a newline: the appended [metrics] is its line Split('\n').Length, listen the next.
    private static readonly int s_listenLine = DefaultConfig.Toml.Split('\n').Length + 1;

    private static ApplianceConfig Parse(string body) => ConfigLoader.Parse(DefaultConfig.Toml + "[metrics]\n" + body + "\n", "appliance.toml");

    [Fact]
    public void Parse_NoTable_MetricsOff()
    {
        Assert.Null(ConfigLoader.Parse(DefaultConfig.Toml, "appliance.toml").Metrics);
        Assert.Null(Parse("").Metrics);
    }

    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464, true)]
    [InlineData("[::1]:9464", "::1", 9464, true)]
    [InlineData("0.0.0.0:9100", "0.0.0.0", 9100, false)]
    [InlineData("192.168.1.20:9464", "192.168.1.20", 9464, false)]
    public void Parse_Listen_ReadsAddressAndPort(string listen, string address, int port, bool loopback)
    {
        var m = Parse($"listen = \"{listen}\"").Metrics!;

        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), m.Listen);
        Assert.Equal(loopback, m.IsLoopback);
    }

    [Theory]
    [InlineData("listen = \"localhost:9464\"", "listen", "expected IP:PORT")]
    [InlineData("listen = \"127.0.0.1\"", "listen", "expected IP:PORT")]
    [InlineData("listen = \"[::1]\"", "listen", "expected IP:PORT")]
    [InlineData("listen = \"127.0.0.1:0\"", "listen", "a port 1..65535")]
    [InlineData("listen = \"127.0.0.1:65536\"", "listen", "expected IP:PORT")]
    [InlineData("listen = \"http://127.0.0.1:9464\"", "listen", "expected IP:PORT")]
    [InlineData("listen = 9464", "listen", "is not a string")]
    [InlineData("port = 9464", "port", "unknown key")]
    public void Parse_BadListen_RefusedWithFileLineAndKey(string line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(line));

        Assert.StartsWith($"appliance.toml:{s_listenLine}:", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
