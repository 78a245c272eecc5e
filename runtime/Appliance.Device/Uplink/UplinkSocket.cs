using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Device.Uplink;

/// <summary>The uplink's ZeroMQ DEALER socket, configured from <see cref="UplinkOptions"/>.</summary>
internal static class UplinkSocket
{
    /// <summary>A new, unconnected DEALER socket: no linger, frames queued only once a connection is made (immediate), send
    /// high-water mark of the ack window plus 16, ZeroMQ's own reconnect every 100 ms up to 5 s, and the collector's CURVE
    /// key pinned when one is configured.</summary>
    /// <param name="options">The uplink's settings (validated).</param>
    /// <param name="onReceiveReady">Subscribed to <see cref="NetMQSocket.ReceiveReady"/>.</param>
    /// <returns>The socket; the caller owns it.</returns>
    public static DealerSocket Create(UplinkOptions options, EventHandler<NetMQSocketEventArgs> onReceiveReady)
    {
        var socket = new DealerSocket();
        socket.Options.Linger = TimeSpan.Zero; // without it Dispose can hang on unsent frames with no peer
        // ZMQ_IMMEDIATE: frames are queued only on a completed connection. Without it a DEALER queues up to the high-water
        // mark on a connection still being made (the collector down), and delivers them whenever it comes up: by then the
        // journal may have dropped those records (counted as dropped) and, if this socket is replaced before their acks
        // arrive, they are stored and counted dropped both (UplinkFaultTests' budget test saw 30,271 of 30,000).
        socket.Options.DelayAttachOnConnect = true;
        socket.Options.SendHighWatermark = options.AckWindow + 16;
        socket.Options.ReceiveHighWatermark = 4096;
        socket.Options.ReconnectInterval = TimeSpan.FromMilliseconds(100);
        socket.Options.ReconnectIntervalMax = TimeSpan.FromSeconds(5);
        if (options.CurveServerPublicKey is not null)
        {
            // CurveZMQ (RFC 26): the collector's key is pinned; a server holding another key fails the handshake.
            socket.Options.CurveServerKey = NetMQCertificate.FromPublicKey(options.CurveServerPublicKey).PublicKey;
            socket.Options.CurveCertificate = NetMQCertificate.CreateFromSecretKey(options.CurveSecretKey!);
        }

        socket.ReceiveReady += onReceiveReady;
        return socket;
    }
}
