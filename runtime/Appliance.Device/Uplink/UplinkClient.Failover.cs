using System.Diagnostics;

namespace Appliance.Device.Uplink;

/// <summary>
/// Failover between collectors (<c>[uplink] endpoints = [...]</c>, issue 17 item 3): when the collector in use is declared
/// dead (Paranoid Pirate liveness, <see cref="UplinkOptions.Liveness"/>), the client moves to the next endpoint of
/// <see cref="UplinkOptions.Endpoint"/> then <see cref="UplinkOptions.FailoverEndpoints"/>, round robin, after a full-jitter wait
/// drawn from the reconnect backoff (uniform in [0, min(<see cref="UplinkOptions.ReconnectBackoffMax"/>,
/// <see cref="UplinkOptions.PingInterval"/> · 2^n)], M. Brooker 2015), so that the devices of a collector that died do not
/// all arrive at the next one in the same instant. Nothing is resent by the move itself: the new collector's first pong
/// says it holds none of this device's messages, and what timed out unacknowledged is resent there (UplinkClient.Flow.cs);
/// what the dead collector had committed but not acknowledged is a duplicate the store's key (device, incarnation,
/// sequence) drops, and is acknowledged all the same. With one endpoint a dead peer reconnects at once, as before.
/// </summary>
public sealed partial class UplinkClient
{
    private string[] _endpoints = [];
    private int _endpointIndex; // uplink thread writes, anyone reads
    private long _connectDueTicks; // Stopwatch timestamp of a failover connect still to make; 0 when none (uplink thread)

    /// <summary>The collector endpoint in use (or about to be connected after a failover).</summary>
    public string CurrentEndpoint => _endpoints[Volatile.Read(ref _endpointIndex)];

    /// <summary>Replaces the socket after a dead-peer detection and draws the next backoff (uplink thread).</summary>
    private void Reconnect(long now)
    {
        _poller.Remove(_socket);
        _socket.Dispose();
        _socket = UplinkSocket.Create(_options, OnReceiveReady);
        _socketTakes = false;
        _poller.Add(_socket);
        TimeSpan wait = _backoff = _reconnect.Next();
        if (_endpoints.Length == 1)
        {
            _socket.Connect(CurrentEndpoint);
            return;
        }

        string from = CurrentEndpoint;
        Volatile.Write(ref _endpointIndex, (_endpointIndex + 1) % _endpoints.Length);
        UplinkLog.FailingOver(_logger, from, CurrentEndpoint, (long)wait.TotalMilliseconds);
        _connectDueTicks = now + Math.Max(1, (long)(wait.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Connects the new socket once the failover wait is over; the silence clock and the first ping start then
    /// (uplink thread).</summary>
    private void ConnectWhenDue(long now)
    {
        if (_connectDueTicks == 0 || now < _connectDueTicks)
        {
            return;
        }

        _connectDueTicks = 0;
        _socket.Connect(CurrentEndpoint);
        _lastReceivedTicks = now;
        _lastPingTicks = 0;
    }
}
