using Appliance.Cloud.Storage;
using Appliance.Contracts.Wire;

namespace Appliance.Cloud.Control;

/// <summary>
/// The device registry in the collector store (<c>device_keys</c>): the CURVE public keys allowed to connect, each bound to
/// one device id. <c>appliance cloud devices add|revoke</c> write it; a running <see cref="Ingest.Collector"/> reads it again
/// every <see cref="Ingest.Collector.RegistryRefresh"/>, so an added key connects and a revoked one is cut off without a restart.
/// </summary>
/// <remarks>Thread-safe (the store serialises its connection). Keys are kept after revocation, with the time, for the record.</remarks>
public sealed class DeviceRegistry
{
    private readonly ICollectorStore _store;
    private readonly TimeProvider _clock;

    /// <summary>Creates the registry over <paramref name="store"/>.</summary>
    /// <param name="store">A <see cref="SqliteStore"/> or <see cref="PostgresStore"/>.</param>
    /// <param name="clock">The clock of the recorded times; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="NotSupportedException">The store has no control tables (a test double).</exception>
    public DeviceRegistry(ICollectorStore store, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _clock = clock ?? TimeProvider.System;
        _ = Sql;
    }

    private ISqlStore Sql => _store as ISqlStore ?? throw new NotSupportedException($"{_store} has no device registry (expected a SQLite or PostgreSQL collector store)");

    /// <summary>Allows <paramref name="publicKeyZ85"/> to connect as <paramref name="deviceId"/> (again, if it was revoked).</summary>
    /// <param name="deviceId">The device id (1 to 64 of <c>A-Z a-z 0-9 - _ .</c>, the <c>[device] id</c> rule).</param>
    /// <param name="publicKeyZ85">The device's CURVE public key, Z85 (40 characters).</param>
    /// <exception cref="ArgumentException">The id or key is malformed, or the key is bound to another device (a key binds one id).</exception>
    public void Add(string deviceId, string publicKeyZ85)
    {
        CheckDeviceId(deviceId);
        ArgumentNullException.ThrowIfNull(publicKeyZ85);
        try
        {
            if (publicKeyZ85.Length != 40)
            {
                throw new FormatException("not 40 characters");
            }

            _ = DeviceProof.KeyId(publicKeyZ85);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new ArgumentException($"public key '{publicKeyZ85}': not a CURVE public key (expected 40 Z85 characters, ZeroMQ RFC 32)", nameof(publicKeyZ85));
        }

        long now = NowNs(_clock);
        if (!Sql.Run(true, (c, d) => ControlSql.AddKey(c, d, deviceId, publicKeyZ85, now)))
        {
            throw new ArgumentException($"public key {publicKeyZ85} is bound to another device (a key binds one device id; revoke it there first)", nameof(publicKeyZ85));
        }
    }

    /// <summary>Revokes every allowed key of <paramref name="deviceId"/>; its connections are refused from the collector's next
    /// registry read on.</summary>
    /// <param name="deviceId">The device.</param>
    /// <returns>How many keys were revoked (at least 1).</returns>
    /// <exception cref="ArgumentException">The device has no allowed key.</exception>
    public int Revoke(string deviceId)
    {
        CheckDeviceId(deviceId);
        long now = NowNs(_clock);
        int revoked = Sql.Run(true, (c, d) => ControlSql.RevokeDevice(c, d, deviceId, now));
        return revoked > 0 ? revoked : throw new ArgumentException($"device '{deviceId}' has no allowed key in the registry (nothing to revoke)", nameof(deviceId));
    }

    /// <summary>Every key, revoked ones included, ordered by device id.</summary>
    /// <returns>The keys.</returns>
    public IReadOnlyList<DeviceKey> List() => Sql.Run(false, ControlSql.Keys);

    /// <summary>The allow-list as the collector uses it: each active key (Z85) → its device id.</summary>
    /// <returns>The active keys.</returns>
    public Dictionary<string, string> Allowed() => List().Where(k => k.Active).ToDictionary(k => k.PublicKey, k => k.DeviceId, StringComparer.Ordinal);

    /// <summary>True when the device has keys and none is active.</summary>
    /// <param name="deviceId">The device.</param>
    /// <returns>Whether it was revoked.</returns>
    public bool IsRevoked(string deviceId)
    {
        var keys = List().Where(k => k.DeviceId == deviceId).ToList();
        return keys.Count > 0 && keys.TrueForAll(k => !k.Active);
    }

    /// <summary>UTC Unix ns of <paramref name="clock"/>.</summary>
    internal static long NowNs(TimeProvider clock) => (clock.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Checks a device id against the <c>[device] id</c> rule.</summary>
    internal static void CheckDeviceId(string deviceId)
    {
        if (!WireLimits.IsDeviceId(deviceId))
        {
            throw new ArgumentException($"device id '{deviceId}': expected 1 to {WireLimits.MaxDeviceIdLength} letters, digits, '-', '_' or '.'", nameof(deviceId));
        }
    }
}
