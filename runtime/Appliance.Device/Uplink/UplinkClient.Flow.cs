using System.Diagnostics;
using Appliance.Contracts.Wire;
using Appliance.Drivers.Sampling;
using NetMQ;

namespace Appliance.Device.Uplink;

/// <summary>
/// The uplink's flow control (docs/uplink.md, "Flow control"): at most <see cref="UplinkOptions.AckWindow"/> messages in
/// flight; a message is resent only when it timed out (sent at least the resend timeout ago, unacknowledged) and the
/// collector's latest pong says it holds none of this device's messages (<see cref="Ack.Pending"/> = 0), so a busy collector
/// that is still working through this device's messages gets no retransmissions; the resend timeout backs off with full
/// jitter while resends bring no acknowledgement. A reconnect resends nothing by itself.
/// </summary>
public sealed partial class UplinkClient
{
    /// <summary><see cref="_collectorPending"/> before the first pong on a connection: resend nothing yet.</summary>
    private const long AwaitingPong = -2;

    /// <summary><see cref="_collectorPending"/> when the collector does not report it (an older collector): resend what timed
    /// out once nothing was acknowledged for the resend timeout either, as before.</summary>
    private const long PendingUnknown = -1;

    private long _collectorPending = AwaitingPong; // uplink thread

    // A ping went out on the current socket. The socket queues frames only on a completed connection (UplinkSocket), so a
    // ping sent while the collector is unreachable fails and is tried again each tick; data waits for it, as the collector
    // accepts data on a connection only after its ping's key proof (uplink thread).
    private bool _pinged;
    private bool _socketTakes; // the socket took the last frame offered it; false on a new socket and after a refusal (uplink thread)
    private long[] _sentAt = []; // Stopwatch timestamp of each in-flight sequence's latest send, at seq % AckWindow (uplink thread)
    private TimeSpan _resendTimeout;
    private TimeSpan _pingWait; // the wait before the next link ping: PingInterval spread by PingJitter (uplink thread)
    private Backoff? _resendBackoff;

    /// <summary>The resend timeout now: <see cref="UplinkOptions.ResendAfter"/>, plus a full-jitter backoff while resends go
    /// unacknowledged.</summary>
    internal TimeSpan ResendTimeout => _resendTimeout;

    private void InitFlow()
    {
        _sentAt = new long[_options.AckWindow];
        _resendTimeout = _options.ResendAfter;
        _pingWait = _options.PingInterval;
        _resendBackoff = new Backoff(_options.ResendAfter, _options.ReconnectBackoffMax);
        _endpoints = [_options.Endpoint, .. _options.FailoverEndpoints ?? []];
    }

    /// <summary>True when the socket can take a frame, as far as is known without asking it while it keeps taking them:
    /// <see cref="NetMQSocket.HasOut"/> reads a socket option, which processes the socket's command mailbox unthrottled
    /// (a poll syscall each call: 8 % of `bench fleet`'s CPU when asked before every batch), so it is asked only until the
    /// socket takes a frame; from then on TrySend's result says the same. A connection lost between two batches costs one
    /// batch read for nothing (at most 64 records kept from merging; they are sent once the link is back).</summary>
    private bool SocketMayTake() => _socketTakes || _socket.HasOut;

    /// <summary>Records a send of <paramref name="seq"/> (uplink thread).</summary>
    private void SentAt(long seq, long now) => _sentAt[seq % _sentAt.Length] = now;

    /// <summary>A pong from the collector (an Ack with no sequences): what it holds of this device's messages.</summary>
    private void OnPong(Ack pong) => _collectorPending = pong.Pending ?? PendingUnknown;

    /// <summary>Acknowledgements advanced the outbox: the resend timeout goes back to its base.</summary>
    private void OnProgress()
    {
        _resendBackoff!.Reset();
        _resendTimeout = _options.ResendAfter;
        _options.Acknowledged?.Invoke(Stopwatch.GetTimestamp());
    }

    /// <summary>A new connection: nothing is resent until its first pong says what the collector holds, and nothing is sent
    /// until its first ping (the key proof) is on it.</summary>
    private void OnReconnect()
    {
        _collectorPending = AwaitingPong;
        _pinged = false;
    }

    /// <summary>Resends the in-flight messages that timed out, when the collector holds none of this device's messages
    /// (uplink thread).</summary>
    private void ResendTimedOut()
    {
        long acked = _outbox.HighestAcknowledged;
        long inFlight = _sendCursor - 1 - acked;
        long now = Stopwatch.GetTimestamp();
        if (inFlight <= 0 || _collectorPending == AwaitingPong || _collectorPending > 0
            || (_collectorPending == PendingUnknown && Stopwatch.GetElapsedTime(_lastProgressTicks, now) < _resendTimeout))
        {
            return;
        }

        _batch.Clear();
        _outbox.ReadFrom(acked + 1, (int)inFlight, _batch);
        long first = 0;
        foreach ((long seq, byte[] record) in _batch)
        {
            if (seq >= _sendCursor || Stopwatch.GetElapsedTime(_sentAt[seq % _sentAt.Length], now) < _resendTimeout)
            {
                continue;
            }

            if (!_socket.TrySendFrame(TimeSpan.Zero, record))
            {
                Interlocked.Increment(ref _sendStalls);
                _socketTakes = false;
                break;
            }

            first = first == 0 ? seq : first;
            Interlocked.Increment(ref _retransmits);
            SentAt(seq, now);
        }

        if (first != 0)
        {
            _resendLog.Resend(first, (long)Stopwatch.GetElapsedTime(_lastProgressTicks, now).TotalMilliseconds);
            _resendTimeout = _options.ResendAfter + _resendBackoff!.Next();
            _lastProgressTicks = now;
        }
    }

    /// <summary>Starts the automatic heartbeats: the first at once, each next one after the interval spread by ±10 %
    /// (<see cref="Backoff.Spread"/>), so devices started together do not send in step.</summary>
    private void StartHeartbeats()
    {
        _heartbeatTimer = new Timer(_ =>
        {
            EnqueueHeartbeat();
            try
            {
                _heartbeatTimer?.Change(Backoff.Spread(_options.HeartbeatInterval, HeartbeatJitter), Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed while sending: no more heartbeats.
            }
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _heartbeatTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Relative spread of the heartbeat interval (±10 %).</summary>
    public const double HeartbeatJitter = 0.1;

    /// <summary>Relative spread of the link ping interval (±10 %): devices that reconnected together do not ping in step.</summary>
    public const double PingJitter = 0.1;
}
