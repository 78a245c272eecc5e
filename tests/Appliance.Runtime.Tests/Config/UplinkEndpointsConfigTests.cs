namespace Appliance.Runtime.Tests.Config;

/// <summary><c>[uplink] endpoints = [...]</c> (issue 17 item 3): several collectors in failover order, or <c>endpoint</c> as before.</summary>
public sealed class UplinkEndpointsConfigTests
{
    private const string Head = TestToml.EnvSensorHead + """

        [window]
        length = "1s"

        [gitops]
        branch = "main"
        interval = "30s"

        [uplink]

        """;

    private static ApplianceConfig Parse(string uplink) => ConfigLoader.Parse(Head + uplink, "appliance.toml");

    [Fact]
    public void Parse_Endpoints_FirstIsTheEndpointTheRestFailOverInOrder()
    {
        UplinkSettings u = Parse("endpoints = [\"tcp://127.0.0.1:5555\", \"tcp://127.0.0.2:5555\", \"tcp://localhost:5557\"]\n").Uplink;
        Assert.Equal("tcp://127.0.0.1:5555", u.Endpoint);
        Assert.Equal(["tcp://127.0.0.2:5555", "tcp://localhost:5557"], u.FailoverEndpoints);
    }

    [Fact]
    public void Parse_Endpoint_KeepsWorkingWithoutFailover()
    {
        UplinkSettings u = Parse("endpoint = \"tcp://127.0.0.1:5556\"\n").Uplink;
        Assert.Equal("tcp://127.0.0.1:5556", u.Endpoint);
        Assert.Null(u.FailoverEndpoints);
    }

    [Theory]
    [InlineData("endpoint = \"tcp://127.0.0.1:1\"\nendpoints = [\"tcp://127.0.0.1:2\"]", "[uplink] endpoints: give endpoint or endpoints, not both")]
    [InlineData("endpoints = []", "[uplink] endpoints: 0 endpoints (expected 1 to 16")]
    [InlineData("endpoints = \"tcp://127.0.0.1:2\"", "[uplink] endpoints: ")]
    [InlineData("endpoints = [\"tcp://127.0.0.1:2\", 5]", "[uplink] endpoints: item 2 is not a string")]
    [InlineData("endpoints = [\"tcp://127.0.0.1:2\", \"udp://b:1\"]", "[uplink] endpoints: 'udp://b:1' is not a ZeroMQ endpoint (expected tcp://host:port)")]
    [InlineData("endpoints = [\"tcp://127.0.0.1:2\", \"tcp://127.0.0.1:2\"]", "[uplink] endpoints: 'tcp://127.0.0.1:2' is listed twice")]
    [InlineData("endpoints = [\"tcp://127.0.0.1:2\", \"tcp://10.0.0.5:5555\"]", "[uplink] endpoints: 'tcp://10.0.0.5:5555' is not loopback and has no CURVE keys")]
    [InlineData("allow_plaintext = true", "[uplink] endpoint: ")]
    public void Parse_BadEndpoints_OneLineNamingFileAndKey(string lines, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(lines + "\n"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("appliance.toml:", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UplinkOptions_FailoverEndpointNotLoopbackWithoutCurve_Refused()
    {
        var options = new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", FailoverEndpoints = ["tcp://10.0.0.5:5555"], DeviceId = "d" };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("[uplink] curve_server_key: missing", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(new UplinkOptions { Endpoint = "tcp://127.0.0.1:1", FailoverEndpoints = ["127.0.0.1:2"], DeviceId = "d" }.Validate);
    }
}
