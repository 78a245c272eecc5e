using Appliance.Contracts.Wire;

namespace Appliance.Device.Uplink;

/// <summary>Settings of the <see cref="UplinkClient"/>; normally read from <c>[uplink]</c> in appliance.toml.</summary>
public sealed record UplinkOptions
{
    /// <summary>Collector endpoint, a ZeroMQ TCP endpoint such as <c>tcp://10.0.0.5:5555</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Collectors to fail over to, in order after <see cref="Endpoint"/> (<c>[uplink] endpoints</c> past its first);
    /// null or empty for none. A dead collector sends the client to the next one, round robin (UplinkClient.Failover.cs).</summary>
    public IReadOnlyList<string>? FailoverEndpoints { get; init; }

    /// <summary>This device's id, written in every envelope; non-empty.</summary>
    public required string DeviceId { get; init; }

    /// <summary>Most messages sent and not yet acknowledged (the ack window); 1..65536.</summary>
    public int AckWindow { get; init; } = 256;

    /// <summary>Period of automatic heartbeats when <see cref="HeartbeatSource"/> is set.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Builds the automatic heartbeat; null sends none (the host may enqueue its own).</summary>
    public Func<Heartbeat>? HeartbeatSource { get; init; }

    /// <summary>With messages in flight and no acknowledgement progress for this long, resend every unacknowledged one.</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Period of link pings (an empty <see cref="Ack"/> envelope) to the collector, which answers each with an
    /// empty Ack; with <see cref="Liveness"/> this is the Paranoid Pirate heartbeat of the ZeroMQ guide, chapter 4.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Ping intervals without any frame from the collector after which the peer is declared dead and the
    /// socket is closed and reconnected; 2..100.</summary>
    public int Liveness { get; init; } = 3;

    /// <summary>Longest extra wait before a further reconnect. After the n-th dead-peer detection in a row (n from 0) the extra
    /// wait is drawn with full jitter from [0, min(this, <see cref="PingInterval"/> · 2^n)]
    /// (<see cref="Appliance.Drivers.Sampling.Backoff"/>), so that devices that lost one collector together do not all
    /// reconnect in step; it resets on the first frame received.</summary>
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The collector's CURVE public key (Z85, 40 characters) pinned on this device; null for plaintext, which
    /// only <see cref="AllowPlaintext"/> permits.</summary>
    public string? CurveServerPublicKey { get; init; }

    /// <summary>This device's CURVE secret key (Z85, 40 characters); its public key goes on the collector's allow-list.</summary>
    public string? CurveSecretKey { get; init; }

    /// <summary>Called on the uplink thread, with its <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>, each time
    /// acknowledgements advanced the outbox (the simulated devices measure ack latency with it); null for none. Keep it short:
    /// the uplink thread waits for it.</summary>
    public Action<long>? Acknowledged { get; init; }

    /// <summary>Permits plaintext (no CURVE keys) to a non-loopback endpoint. Plaintext to 127.0.0.1, localhost or [::1]
    /// (demos, tests) is always permitted; anything else needs CURVE keys unless this is set.</summary>
    public bool AllowPlaintext { get; init; }

    /// <summary>True when the host of every endpoint (failover ones included) is a loopback address.</summary>
    public bool IsLoopback => Appliance.Contracts.Config.UplinkSettings.IsLoopback(Endpoint)
        && (FailoverEndpoints ?? []).All(Appliance.Contracts.Config.UplinkSettings.IsLoopback);

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names the key and what was expected.</exception>
    public void Validate()
    {
        foreach (string endpoint in (IEnumerable<string>)[Endpoint, .. FailoverEndpoints ?? []])
        {
            if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal) || endpoint.LastIndexOf(':') <= "tcp://".Length)
            {
                throw new ArgumentException($"[uplink] endpoint: '{endpoint}' is not a ZeroMQ endpoint (expected tcp://host:port)", nameof(Endpoint));
            }
        }

        if (string.IsNullOrWhiteSpace(DeviceId))
        {
            throw new ArgumentException("[uplink] device_id: empty (expected the device's id)", nameof(DeviceId));
        }

        if (AckWindow is < 1 or > 65536)
        {
            throw new ArgumentException($"[uplink] ack_window: {AckWindow} (expected 1..65536)", nameof(AckWindow));
        }

        if (ResendAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"[uplink] resend_after: {ResendAfter} (expected > 0)", nameof(ResendAfter));
        }

        if (PingInterval <= TimeSpan.Zero || Liveness is < 2 or > 100 || ReconnectBackoffMax < TimeSpan.Zero)
        {
            throw new ArgumentException($"[uplink] ping_interval {PingInterval}, liveness {Liveness}, reconnect_backoff_max {ReconnectBackoffMax} (expected > 0, 2..100, >= 0)", nameof(PingInterval));
        }

        if ((CurveServerPublicKey is null) != (CurveSecretKey is null))
        {
            throw new ArgumentException("[uplink] curve_server_key and curve_secret_key: give both or neither", nameof(CurveServerPublicKey));
        }

        if (CurveServerPublicKey is null && !AllowPlaintext && !IsLoopback)
        {
            throw new ArgumentException("[uplink] curve_server_key: missing (expected the collector's Z85 public key; plaintext only to loopback or with allow_plaintext)", nameof(CurveServerPublicKey));
        }

        if (CurveServerPublicKey is { Length: not 40 } || CurveSecretKey is { Length: not 40 })
        {
            throw new ArgumentException("[uplink] curve keys: expected 40-character Z85 strings (ZeroMQ RFC 32)", nameof(CurveServerPublicKey));
        }

        if (HeartbeatSource is not null && HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"[uplink] heartbeat_interval: {HeartbeatInterval} (expected > 0)", nameof(HeartbeatInterval));
        }
    }
}
