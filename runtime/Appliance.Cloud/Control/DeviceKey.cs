namespace Appliance.Cloud.Control;

/// <summary>One CURVE public key of the device registry (<c>device_keys</c>), bound to one device id.</summary>
/// <param name="DeviceId">The only device id a connection proving this key may send as.</param>
/// <param name="PublicKey">The device's CURVE public key, Z85 (40 characters, ZeroMQ RFC 32).</param>
/// <param name="AddedNs">When it was added (or last re-added), UTC Unix ns.</param>
/// <param name="RevokedNs">When it was revoked, UTC Unix ns; 0 while it is allowed.</param>
public sealed record DeviceKey(string DeviceId, string PublicKey, long AddedNs, long RevokedNs)
{
    /// <summary>True while the key may connect.</summary>
    public bool Active => RevokedNs == 0;
}
