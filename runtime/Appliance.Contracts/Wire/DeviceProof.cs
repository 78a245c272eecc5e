using System.Security.Cryptography;
using System.Text;
using NaCl;
using NetMQ;

namespace Appliance.Contracts.Wire;

/// <summary>
/// A device's proof that it holds the CURVE secret key of a public key on the collector's allow-list, sent inside the
/// CURVE-encrypted link ping. Needed because NetMQ 4.0.4.5 implements CurveZMQ without ZAP (RFC 27) and without a client
/// allow-list, so the collector cannot learn which client key completed the handshake.
/// </summary>
/// <remarks>
/// Layout (88 + n bytes): device public key (32) ‖ nonce (24, random) ‖ crypto_box(device secret → collector public,
/// nonce, "appliance-device-proof:" ‖ device id) (16-byte Poly1305 tag + n plaintext bytes). The box construction is
/// NaCl's crypto_box (Curve25519-XSalsa20-Poly1305; Bernstein, "Cryptography in NaCl", 2009), the same primitive and
/// library (NaCl.Net) NetMQ uses for CurveZMQ's vouch (RFC 26 §2.7). Opening it with the collector's secret key and the
/// listed public key proves the sender knows that key's secret; binding the device id stops one allowed device from
/// posing as another. It is never sent in the clear (the channel is CURVE), so it cannot be observed and replayed.
/// </remarks>
public static class DeviceProof
{
    private const string Label = "appliance-device-proof:";

    /// <summary>Builds a proof.</summary>
    /// <param name="deviceId">The device id the envelopes carry.</param>
    /// <param name="deviceSecretZ85">The device's CURVE secret key (Z85, 40 characters).</param>
    /// <param name="serverPublicZ85">The collector's CURVE public key (Z85, 40 characters).</param>
    /// <returns>The proof bytes.</returns>
    public static byte[] Create(string deviceId, string deviceSecretZ85, string serverPublicZ85)
    {
        NetMQCertificate device = NetMQCertificate.CreateFromSecretKey(deviceSecretZ85);
        byte[] serverPublic = NetMQCertificate.FromPublicKey(serverPublicZ85).PublicKey;
        byte[] plain = Encoding.UTF8.GetBytes(Label + deviceId);
        byte[] proof = new byte[32 + 24 + 16 + plain.Length];
        device.PublicKey.CopyTo(proof, 0);
        RandomNumberGenerator.Fill(proof.AsSpan(32, 24));
        using var box = new Curve25519XSalsa20Poly1305(device.SecretKey!, serverPublic);
        box.Encrypt(proof.AsSpan(56), plain, proof.AsSpan(32, 24));
        return proof;
    }

    /// <summary>The allow-list key of a Z85 public key: its 32 bytes in hex.</summary>
    /// <param name="publicKeyZ85">A CURVE public key, Z85 (40 characters).</param>
    /// <returns>64 hex digits.</returns>
    public static string KeyId(string publicKeyZ85) => Convert.ToHexString(NetMQCertificate.FromPublicKey(publicKeyZ85).PublicKey);

    /// <summary>Checks a proof against an allow-list.</summary>
    /// <param name="proof">The proof as received.</param>
    /// <param name="deviceId">The device id of the envelope that carried it.</param>
    /// <param name="serverSecret">The collector's CURVE secret key (32 bytes).</param>
    /// <param name="allowed">Allowed device public keys (<see cref="KeyId"/>) and, for each, the device id it may use ("*" for any).</param>
    /// <returns>True when the key is listed for this device id and the box opens to the expected text.</returns>
    public static bool Verify(ReadOnlySpan<byte> proof, string deviceId, byte[] serverSecret, IReadOnlyDictionary<string, string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        byte[] plain = Encoding.UTF8.GetBytes(Label + deviceId);
        if (proof.Length != 72 + plain.Length)
        {
            return false;
        }

        byte[] devicePublic = proof[..32].ToArray();
        if (!allowed.TryGetValue(Convert.ToHexString(devicePublic), out string? id) || (id != "*" && id != deviceId))
        {
            return false;
        }

        byte[] opened = new byte[plain.Length];
        using var box = new Curve25519XSalsa20Poly1305(serverSecret, devicePublic);
        return box.TryDecrypt(opened, proof[56..], proof.Slice(32, 24)) && opened.AsSpan().SequenceEqual(plain);
    }
}
