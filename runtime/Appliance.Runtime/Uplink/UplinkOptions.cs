using Appliance.Runtime.Uplink.Wire;

namespace Appliance.Runtime.Uplink;

/// <summary>Settings of the <see cref="UplinkClient"/>; normally read from <c>[uplink]</c> in appliance.toml.</summary>
public sealed record UplinkOptions
{
    /// <summary>Collector endpoint, a ZeroMQ TCP endpoint such as <c>tcp://10.0.0.5:5555</c>.</summary>
    public required string Endpoint { get; init; }

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

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names the key and what was expected.</exception>
    public void Validate()
    {
        if (!Endpoint.StartsWith("tcp://", StringComparison.Ordinal) || Endpoint.LastIndexOf(':') <= "tcp://".Length)
        {
            throw new ArgumentException($"[uplink] endpoint: '{Endpoint}' is not a ZeroMQ endpoint (expected tcp://host:port)", nameof(Endpoint));
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

        if (HeartbeatSource is not null && HeartbeatInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"[uplink] heartbeat_interval: {HeartbeatInterval} (expected > 0)", nameof(HeartbeatInterval));
        }
    }
}
