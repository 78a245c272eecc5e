namespace Appliance.Runtime.Tests.GitOps;

/// <summary>
/// SSHSIG verification (openssh PROTOCOL.sshsig) against signatures made by the reference implementation,
/// OpenSSH's <c>ssh-keygen -Y sign</c>; each valid case is also checked with <c>ssh-keygen -Y verify</c>.
/// </summary>
public sealed class SshSignatureTests : IDisposable
{
    private readonly GitWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 256)]
    [InlineData("ecdsa", 384)]
    [InlineData("ecdsa", 521)]
    [InlineData("rsa", 3072)]
    public void Verify_SignatureFromSshKeygen_ReturnsTrue(string type, int bits)
    {
        var key = _ws.Key($"k-{type}-{bits}", type, bits);
        var (message, armored) = Sign(key, "git", "tree abc\nauthor x\n\nmessage\n");
        var allowed = _ws.AllowedSigners(key);

        // Reference: OpenSSH itself accepts the signature.
        Assert.Equal(0, GitWorkspace.ExitCode(_ws.Root, "sh", "-c", $"ssh-keygen -Y verify -f {allowed} -I {Path.GetFileName(key)}@example.com -n git -s {message}.sig < {message}"));

        var sig = SshSignature.Parse(armored);
        Assert.True(sig.Verify(File.ReadAllBytes(message), "git"));
        Assert.Equal(File.ReadAllText(key + ".pub").Split(' ')[1], Convert.ToBase64String(sig.PublicKey.Blob));
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 256)]
    public void Verify_AlteredMessage_ReturnsFalse(string type, int bits)
    {
        var key = _ws.Key($"k-{type}", type, bits);
        var (message, armored) = Sign(key, "git", "rate_hz = 10\n");
        var altered = File.ReadAllBytes(message);
        altered[^2] = (byte)'1'; // rate_hz = 11
        Assert.False(SshSignature.Parse(armored).Verify(altered, "git"));
    }

    [Fact]
    public void Verify_OtherNamespace_ReturnsFalse()
    {
        var key = _ws.Key("k");
        var (message, armored) = Sign(key, "file", "hello\n");
        var sig = SshSignature.Parse(armored);
        Assert.Equal("file", sig.Namespace);
        Assert.False(sig.Verify(File.ReadAllBytes(message), "git"));
    }

    [Fact]
    public void Fingerprint_Ed25519Key_MatchesSshKeygen()
    {
        var key = _ws.Key("k");
        var (_, armored) = Sign(key, "git", "x\n");

        // ssh-keygen -l prints "256 SHA256:... comment (ED25519)".
        var expected = GitWorkspace.Run(_ws.Root, "ssh-keygen", "-l", "-f", key + ".pub").Split(' ')[1];
        Assert.Equal(expected, SshSignature.Parse(armored).PublicKey.Fingerprint);
    }

    [Fact]
    public void Parse_PgpSignature_SaysSshExpected()
    {
        var e = Assert.Throws<FormatException>(() => SshSignature.Parse("-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----"));
        Assert.Contains("gpg.format ssh", e.Message, StringComparison.Ordinal);
    }

    private (string MessagePath, string Armored) Sign(string key, string ns, string text)
    {
        var path = Path.Combine(_ws.Root, $"msg-{Guid.NewGuid():N}");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        GitWorkspace.Run(_ws.Root, "ssh-keygen", "-q", "-Y", "sign", "-n", ns, "-f", key, path);
        return (path, File.ReadAllText(path + ".sig"));
    }
}
