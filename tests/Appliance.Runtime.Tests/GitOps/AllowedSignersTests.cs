namespace Appliance.Runtime.Tests.GitOps;

/// <summary>The allowed-signers format of ssh-keygen(1), section ALLOWED SIGNERS.</summary>
public sealed class AllowedSignersTests
{
    // A key from RFC 8709 test vectors is not in SSH form; this one is an OpenSSH ed25519 public key (any valid 32-byte key).
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEYLQ4MFtQBQQrpRzwq2mnPjk2KC+VlxduqfWNoocngd";

    [Fact]
    public void Find_NamespacesOptionExcludesGit_ReturnsNull()
    {
        var signers = AllowedSigners.Parse($"# fleet operators\nop@example.com namespaces=\"file\" {Key}\n", "allowed");
        var key = signers.Signers[0].Key;
        Assert.Null(signers.Find(key, "git", DateTimeOffset.UtcNow));
        Assert.NotNull(signers.Find(key, "file", DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Find_ValidBeforeInThePast_ReturnsNull()
    {
        var signers = AllowedSigners.Parse($"op@example.com valid-before=\"20200101Z\" {Key} comment\n", "allowed");
        Assert.Null(signers.Find(signers.Signers[0].Key, "git", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.NotNull(signers.Find(signers.Signers[0].Key, "git", new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Parse_CertAuthority_ErrorNamesFileAndLine()
    {
        var e = Assert.Throws<FormatException>(() => AllowedSigners.Parse($"\n*@example.com cert-authority {Key}\n", "/etc/appliance/allowed_signers"));
        Assert.StartsWith("/etc/appliance/allowed_signers:2: cert-authority", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedKey_ErrorNamesLine()
    {
        var e = Assert.Throws<FormatException>(() => AllowedSigners.Parse("op@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEYL\n", "allowed"));
        Assert.StartsWith("allowed:1: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoSigner_Throws() =>
        Assert.Throws<FormatException>(() => AllowedSigners.Parse("# nobody\n", "allowed"));
}
