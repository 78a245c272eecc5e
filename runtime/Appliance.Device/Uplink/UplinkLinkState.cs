namespace Appliance.Device.Uplink;

/// <summary>The uplink's view of its link to the collector (reported by <c>appliance status</c> as <c>link</c>).</summary>
public enum UplinkLinkState
{
    /// <summary>Connecting; no frame received yet.</summary>
    Connecting = 0,

    /// <summary>A frame (acknowledgement, pong or command) arrived within the liveness window.</summary>
    Up = 1,

    /// <summary>The collector was declared dead; the socket is being reconnected with backoff.</summary>
    Down = 2,
}
