using System.Security.Cryptography;
using System.Text;

namespace Appliance.Device.GitOps;

/// <summary>
/// An SSH signature in OpenSSH's SSHSIG format (openssh PROTOCOL.sshsig), as <c>ssh-keygen -Y sign</c> writes it and git
/// stores it in a commit's <c>gpgsig</c> header when <c>gpg.format = ssh</c>:
/// <code>
/// -----BEGIN SSH SIGNATURE-----  (base64 of:)
/// byte[6] "SSHSIG"; uint32 version (1); string publickey; string namespace; string reserved; string hash_algorithm; string signature
/// </code>
/// The signed data is <c>"SSHSIG" || string namespace || string reserved || string hash_algorithm || string H(message)</c>.
/// </summary>
public sealed class SshSignature
{
    private const string Begin = "-----BEGIN SSH SIGNATURE-----";
    private const string End = "-----END SSH SIGNATURE-----";
    private static readonly byte[] s_magic = "SSHSIG"u8.ToArray();
    private readonly byte[] _reserved;
    private readonly byte[] _signature;

    private SshSignature(SshPublicKey key, string ns, byte[] reserved, string hashAlgorithm, byte[] signature)
    {
        PublicKey = key;
        Namespace = ns;
        _reserved = reserved;
        HashAlgorithm = hashAlgorithm;
        _signature = signature;
    }

    /// <summary>The signer's public key, as carried in the signature (trust comes from an allowed-signers file, not from here).</summary>
    public SshPublicKey PublicKey { get; }

    /// <summary>The signature's namespace; git signs commits in <c>git</c>.</summary>
    public string Namespace { get; }

    /// <summary>The message hash: <c>sha256</c> or <c>sha512</c>.</summary>
    public string HashAlgorithm { get; }

    /// <summary>Parses the armored text (<c>-----BEGIN SSH SIGNATURE-----</c> ... <c>-----END SSH SIGNATURE-----</c>).</summary>
    /// <exception cref="FormatException">Not an SSH signature, a version other than 1, an unknown hash or an unsupported key.</exception>
    public static SshSignature Parse(string armored)
    {
        var text = armored.Trim();
        if (!text.StartsWith(Begin, StringComparison.Ordinal) || !text.EndsWith(End, StringComparison.Ordinal))
        {
            throw new FormatException(text.StartsWith("-----BEGIN PGP SIGNATURE-----", StringComparison.Ordinal)
                ? "the commit carries an OpenPGP signature (expected an SSH signature: git config gpg.format ssh)"
                : "not an SSH signature (expected -----BEGIN SSH SIGNATURE-----)");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(text[Begin.Length..^End.Length].Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            throw new FormatException("SSH signature: the armored body is not base64");
        }

        var r = new SshWireReader(blob, "SSH signature");
        if (!r.Raw(6).SequenceEqual(s_magic))
        {
            throw new FormatException("SSH signature: missing the SSHSIG preamble");
        }

        var version = r.UInt32();
        if (version != 1)
        {
            throw new FormatException($"SSH signature: version {version} is not supported (expected 1)");
        }

        var key = SshPublicKey.FromBlob(r.String());
        var ns = r.Text();
        var reserved = r.String().ToArray();
        var hash = r.Text();
        if (hash is not ("sha256" or "sha512"))
        {
            throw new FormatException($"SSH signature: hash algorithm '{hash}' is not supported (expected sha256 or sha512)");
        }

        var sig = r.String().ToArray();
        return new SshSignature(key, ns, reserved, hash, sig);
    }

    /// <summary>Whether the signature is valid over <paramref name="message"/> in <paramref name="expectedNamespace"/> by <see cref="PublicKey"/>.</summary>
    /// <returns>False for a wrong namespace, a changed message or a bad signature.</returns>
    public bool Verify(ReadOnlySpan<byte> message, string expectedNamespace)
    {
        if (Namespace != expectedNamespace)
        {
            return false;
        }

        var digest = HashAlgorithm == "sha512" ? SHA512.HashData(message) : SHA256.HashData(message);
        var ns = Encoding.UTF8.GetBytes(Namespace);
        var alg = Encoding.ASCII.GetBytes(HashAlgorithm);
        var signed = new byte[6 + 4 + ns.Length + 4 + _reserved.Length + 4 + alg.Length + 4 + digest.Length];
        var w = signed.AsSpan();
        s_magic.CopyTo(w);
        w = w[6..];
        foreach (var part in new[] { ns, _reserved, alg, digest })
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(w, (uint)part.Length);
            part.CopyTo(w[4..]);
            w = w[(4 + part.Length)..];
        }

        return PublicKey.Verify(signed, _signature);
    }
}
