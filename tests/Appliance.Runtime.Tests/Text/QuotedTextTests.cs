namespace Appliance.Runtime.Tests.Text;

/// <summary>Input quoted back in error messages (issue 14 item 20: binary input was echoed to the terminal).</summary>
public sealed class QuotedTextTests
{
    [Fact]
    public void Quote_ControlAndUndecodableCharacters_EscapedNotEchoed()
    {
        // ESC [ 3 1 m is the ANSI "red" sequence (ECMA-48 SGR); U+FFFD is what undecodable bytes become; U+202E reverses text.
        Assert.Equal(@"'a\x1b[31mb\x00\ufffd\u202ec'", QuotedText.Quote("a\u001b[31mb\0\uFFFD\u202Ec"));
        Assert.Equal("'Gerät 🌡'", QuotedText.Quote("Gerät 🌡"));
    }

    [Fact]
    public void Quote_LongValue_CutWithCount()
    {
        var quoted = QuotedText.Quote(new string('x', 1000));

        Assert.Equal("'" + new string('x', QuotedText.MaxQuoted) + "... (936 more characters)'", quoted);
    }

    [Fact]
    public void MessageOf_ArgumentException_WithoutParameterName()
    {
        var e = new ArgumentException("[uplink] curve keys: expected 40-character Z85 strings", "CurveServerPublicKey");

        Assert.Equal("[uplink] curve keys: expected 40-character Z85 strings", QuotedText.MessageOf(e));
    }

    [Fact]
    public void Parse_DeviceIdWithEscapeSequence_ErrorEscapesIt()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("[device]\nid = \"a\\u001b[31mb\"\n", "appliance.toml"));

        Assert.Equal(@"appliance.toml:2: [device] id: 'a\x1b[31mb' is not a device id (expected 1 to 64 letters, digits, '-', '_' or '.')", e.Message);
    }
}
