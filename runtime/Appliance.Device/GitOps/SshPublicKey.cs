using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Appliance.Device.GitOps;

/// <summary>
/// An SSH public key as OpenSSH writes it (<c>ssh-ed25519 AAAA... comment</c>), able to verify SSH signatures made with it.
/// Supported: <c>ssh-ed25519</c> (RFC 8709), <c>ecdsa-sha2-nistp256/384/521</c> (RFC 5656) and <c>ssh-rsa</c> keys
/// with <c>rsa-sha2-256/512</c> signatures (RFC 8332; SHA-1 <c>ssh-rsa</c> signatures are refused).
/// Ed25519 goes through BouncyCastle (.NET has no Ed25519); ECDSA and RSA through <see cref="System.Security.Cryptography"/>.
/// </summary>
public sealed class SshPublicKey : IEquatable<SshPublicKey>
{
    private readonly byte[] _blob;

    private SshPublicKey(string type, byte[] blob)
    {
        Type = type;
        _blob = blob;
    }

    /// <summary>The key type, e.g. <c>ssh-ed25519</c>.</summary>
    public string Type { get; }

    /// <summary>The key's wire blob (RFC 4253 §6.6), as base64 in an <c>authorized_keys</c> line.</summary>
    public ReadOnlySpan<byte> Blob => _blob;

    /// <summary>The OpenSSH fingerprint: <c>SHA256:</c> and the unpadded base64 of SHA-256 over the blob, as <c>ssh-keygen -l</c> prints it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(_blob)).TrimEnd('=');

    /// <summary>Reads a key from its wire blob.</summary>
    /// <exception cref="FormatException">The blob is truncated or its type is not supported.</exception>
    public static SshPublicKey FromBlob(ReadOnlySpan<byte> blob)
    {
        var r = new SshWireReader(blob, "public key");
        var type = r.Text();
        if (type is not ("ssh-ed25519" or "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521" or "ssh-rsa"))
        {
            throw new FormatException($"public key type '{type}' is not supported (expected ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)");
        }

        var key = new SshPublicKey(type, blob.ToArray());
        key.Validate();
        return key;
    }

    /// <summary>Reads <c>TYPE BASE64 [comment]</c> (or <c>TYPE BASE64</c> alone).</summary>
    /// <exception cref="FormatException">Not a key of a supported type, or its base64 does not hold a key of the named type.</exception>
    public static SshPublicKey Parse(string type, string base64)
    {
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{Shorten(base64)}' is not base64 (expected the key as OpenSSH writes it)");
        }

        var key = FromBlob(blob);
        return key.Type == type ? key : throw new FormatException($"key type '{type}' does not match the key's blob ({key.Type})");
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> (an SSH signature blob: <c>string algorithm, string signature</c>, RFC 4253 §6.6)
    /// over <paramref name="data"/>.
    /// </summary>
    /// <returns>True when the signature is valid for this key; false when it is not (including a wrong algorithm).</returns>
    /// <exception cref="FormatException">The signature blob is malformed.</exception>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var s = new SshWireReader(signature, "signature");
        var algorithm = s.Text();
        var sig = s.String();
        var k = new SshWireReader(_blob, "public key");
        k.Text();
        switch (Type)
        {
            case "ssh-ed25519":
            {
                if (algorithm != "ssh-ed25519" || sig.Length != 64)
                {
                    return false;
                }

                // RFC 8032 §5.1.7 verification (BouncyCastle's Ed25519 implements RFC 8032).
                var verifier = new Ed25519Signer();
                verifier.Init(false, new Ed25519PublicKeyParameters(k.String().ToArray()));
                verifier.BlockUpdate(data.ToArray(), 0, data.Length);
                return verifier.VerifySignature(sig.ToArray());
            }

            case "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521":
            {
                if (algorithm != Type)
                {
                    return false;
                }

                var (curve, hash, size) = Curve(Type);
                k.Text(); // curve identifier
                var q = k.String();
                using var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = q.Slice(1, size).ToArray(), Y = q.Slice(1 + size, size).ToArray() } });

                // RFC 5656 §3.1.2: the signature blob is mpint r, mpint s; .NET takes them as r || s, each of the field size.
                var rs = new SshWireReader(sig, "ecdsa signature");
                var rBytes = rs.UnsignedMpint();
                var sBytes = rs.UnsignedMpint();
                if (rBytes.Length > size || sBytes.Length > size)
                {
                    return false;
                }

                var p1363 = new byte[2 * size];
                rBytes.CopyTo(p1363.AsSpan(size - rBytes.Length));
                sBytes.CopyTo(p1363.AsSpan((2 * size) - sBytes.Length));
                return ecdsa.VerifyData(data, p1363, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }

            default: // ssh-rsa key (RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n)
            {
                var hash = algorithm switch
                {
                    "rsa-sha2-256" => HashAlgorithmName.SHA256,
                    "rsa-sha2-512" => HashAlgorithmName.SHA512,
                    _ => default,
                };
                if (hash == default)
                {
                    return false;
                }

                var e = k.UnsignedMpint();
                var n = k.UnsignedMpint();
                using var rsa = RSA.Create(new RSAParameters { Exponent = e.ToArray(), Modulus = n.ToArray() });
                return rsa.VerifyData(data, sig, hash, RSASignaturePadding.Pkcs1);
            }
        }
    }

    /// <inheritdoc/>
    public bool Equals(SshPublicKey? other) => other is not null && _blob.AsSpan().SequenceEqual(other._blob);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SshPublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(SHA256.HashData(_blob), 0);

    /// <summary>The key as OpenSSH writes it: <c>TYPE BASE64</c>.</summary>
    public override string ToString() => $"{Type} {Convert.ToBase64String(_blob)}";

    private static (ECCurve Curve, HashAlgorithmName Hash, int Size) Curve(string type) => type switch
    {
        // RFC 5656 §6.2.1: the hash follows the curve size.
        "ecdsa-sha2-nistp256" => (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256, 32),
        "ecdsa-sha2-nistp384" => (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384, 48),
        _ => (ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512, 66),
    };

    private static string Shorten(string s) => s.Length > 24 ? s[..24] + "..." : s;

    private void Validate()
    {
        var k = new SshWireReader(_blob, "public key");
        k.Text();
        switch (Type)
        {
            case "ssh-ed25519":
                if (k.String().Length != 32)
                {
                    throw new FormatException("ssh-ed25519 key: expected a 32-byte key (RFC 8709)");
                }

                break;
            case "ssh-rsa":
                k.UnsignedMpint();
                if (k.UnsignedMpint().Length < 256)
                {
                    throw new FormatException("ssh-rsa key: shorter than 2048 bits");
                }

                break;
            default:
                var (_, _, size) = Curve(Type);
                var curveName = k.Text();
                var q = k.String();
                if (curveName != Type["ecdsa-sha2-".Length..] || q.Length != 1 + (2 * size) || q[0] != 0x04)
                {
                    throw new FormatException($"{Type} key: expected curve {Type["ecdsa-sha2-".Length..]} and an uncompressed point (RFC 5656 §3.1)");
                }

                break;
        }
    }
}
