using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Appliance.Device.GitOps;

/// <summary>
/// An Ed25519 SSH private key that signs as <c>ssh-keygen -Y sign</c> does (the cloud's signing key for the commits of
/// <c>appliance cloud rollout</c>): read from an unencrypted OpenSSH private key file (<c>ssh-keygen -t ed25519 -N ""</c>;
/// format <c>openssh-key-v1</c>, openssh PROTOCOL.key), signatures in SSHSIG (openssh PROTOCOL.sshsig, sha512), which
/// <see cref="SshSignature"/> and <see cref="CommitVerifier"/> verify.
/// </summary>
public sealed class SshSigningKey
{
    private const string Begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string End = "-----END OPENSSH PRIVATE KEY-----";
    private const string KeyType = "ssh-ed25519";
    private readonly byte[] _seed;

    private SshSigningKey(byte[] seed, byte[] publicKey, string comment)
    {
        _seed = seed;
        PublicKeyBlob = Concat(WireString(Encoding.ASCII.GetBytes(KeyType)), WireString(publicKey));
        PublicKey = SshPublicKey.FromBlob(PublicKeyBlob);
        Comment = comment;
    }

    /// <summary>The public key (what an allowed-signers line lists).</summary>
    public SshPublicKey PublicKey { get; }

    /// <summary>The key's comment in the file (often user@host).</summary>
    public string Comment { get; }

    /// <summary>The public key as an OpenSSH public key line: <c>ssh-ed25519 BASE64</c>.</summary>
    public string PublicKeyLine => KeyType + " " + Convert.ToBase64String(PublicKeyBlob);

    private byte[] PublicKeyBlob { get; }

    /// <summary>Reads the private key file at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">Not an OpenSSH private key, encrypted (a passphrase), or not Ed25519 (the path named).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SshSigningKey Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>A new random key, held only in memory (the cloud key of <c>appliance demo --fleet</c>).</summary>
    /// <param name="comment">The key's comment.</param>
    public static SshSigningKey Generate(string comment)
    {
        var key = new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom());
        return new SshSigningKey(key.GetEncoded(), key.GeneratePublicKey().GetEncoded(), comment);
    }

    /// <summary>Parses the text of an OpenSSH private key file.</summary>
    /// <exception cref="FormatException">Not an unencrypted OpenSSH Ed25519 private key.</exception>
    public static SshSigningKey Parse(string text)
    {
        string t = text.Trim();
        if (!t.StartsWith(Begin, StringComparison.Ordinal) || !t.EndsWith(End, StringComparison.Ordinal))
        {
            throw new FormatException($"expected an OpenSSH private key ({Begin}; make one with ssh-keygen -t ed25519 -N \"\" -f FILE)");
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(string.Concat(t[Begin.Length..^End.Length].Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException)
        {
            throw new FormatException("the private key's body is not base64");
        }

        var r = new SshWireReader(blob, "OpenSSH private key");
        if (!r.Raw(15).SequenceEqual("openssh-key-v1\0"u8))
        {
            throw new FormatException("not an openssh-key-v1 private key");
        }

        string cipher = r.Text();
        _ = r.Text(); // kdf name
        _ = r.String(); // kdf options
        if (cipher != "none")
        {
            throw new FormatException($"the key is encrypted ({cipher}): the cloud's signing key must have no passphrase (ssh-keygen -N \"\")");
        }

        if (r.UInt32() != 1)
        {
            throw new FormatException("expected exactly one key in the file");
        }

        _ = r.String(); // public key blob (repeated in the private section)
        var p = new SshWireReader(r.String(), "OpenSSH private key section");
        if (p.UInt32() != p.UInt32())
        {
            throw new FormatException("the private section's check integers differ (a damaged or encrypted key)");
        }

        string type = p.Text();
        if (type != KeyType)
        {
            throw new FormatException($"a {type} key: expected {KeyType} (ssh-keygen -t ed25519)");
        }

        byte[] publicKey = p.String().ToArray();
        byte[] secret = p.String().ToArray(); // seed (32) || public key (32), RFC 8032 as OpenSSH stores it
        if (publicKey.Length != 32 || secret.Length != 64)
        {
            throw new FormatException("the Ed25519 key has the wrong length");
        }

        string comment = p.Text();
        return new SshSigningKey(secret[..32], publicKey, comment);
    }

    /// <summary>Signs <paramref name="message"/> in namespace <paramref name="ns"/>: the armored SSHSIG text that
    /// <c>ssh-keygen -Y sign -n NS</c> writes (hash sha512, body base64 in lines of 70 characters).</summary>
    public string Sign(ReadOnlySpan<byte> message, string ns)
    {
        byte[] nsBytes = Encoding.UTF8.GetBytes(ns);
        byte[] hashName = "sha512"u8.ToArray();
        byte[] signedData = Concat("SSHSIG"u8.ToArray(), WireString(nsBytes), WireString([]), WireString(hashName), WireString(SHA512.HashData(message)));
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(_seed));
        signer.BlockUpdate(signedData, 0, signedData.Length);
        byte[] signature = Concat(WireString(Encoding.ASCII.GetBytes(KeyType)), WireString(signer.GenerateSignature()));
        byte[] version = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(version, 1);
        byte[] blob = Concat("SSHSIG"u8.ToArray(), version, WireString(PublicKeyBlob), WireString(nsBytes), WireString([]), WireString(hashName), WireString(signature));
        string body = Convert.ToBase64String(blob);
        var b = new StringBuilder("-----BEGIN SSH SIGNATURE-----\n");
        for (int i = 0; i < body.Length; i += 70)
        {
            b.Append(body, i, Math.Min(70, body.Length - i)).Append('\n');
        }

        return b.Append("-----END SSH SIGNATURE-----").ToString();
    }

    private static byte[] WireString(byte[] data)
    {
        var s = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(s, (uint)data.Length);
        data.CopyTo(s, 4);
        return s;
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        int at = 0;
        foreach (byte[] p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }

        return all;
    }
}
