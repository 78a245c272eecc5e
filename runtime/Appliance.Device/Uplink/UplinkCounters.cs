namespace Appliance.Device.Uplink;

/// <summary>A snapshot of the <see cref="UplinkClient"/>'s counters, all totals since construction.</summary>
/// <param name="Sent">Messages sent for the first time.</param>
/// <param name="Acknowledged">Messages newly acknowledged by the collector (repeat acks not counted).</param>
/// <param name="Retransmits">Sends of a message that had been sent before (after a resend timeout).</param>
/// <param name="MalformedReceived">Frames received that failed to decode or were not an ack/command for this device.</param>
/// <param name="CommandsReceived">Commands received (a repeat of a command id still remembered is answered again, not handed on).</param>
/// <param name="CommandHandlerFaults">Exceptions thrown by <see cref="UplinkClient.CommandReceived"/> handlers (logged).</param>
/// <param name="SendStalls">Times the socket refused a frame (high-water mark reached); the frame is retried.</param>
/// <param name="HeartbeatFaults">Automatic heartbeats not enqueued because the heartbeat source or the outbox failed (logged).</param>
/// <param name="DeadPeers">Times the collector was declared dead (no frame for Liveness ping intervals plus backoff).</param>
/// <param name="Reconnects">Sockets closed and connected anew after a dead-peer detection.</param>
public readonly record struct UplinkCounters(
    long Sent,
    long Acknowledged,
    long Retransmits,
    long MalformedReceived,
    long CommandsReceived,
    long CommandHandlerFaults,
    long SendStalls,
    long HeartbeatFaults,
    long DeadPeers = 0,
    long Reconnects = 0);
