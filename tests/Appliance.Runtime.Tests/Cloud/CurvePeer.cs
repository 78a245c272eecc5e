using Appliance.Contracts.Wire;
using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Runtime.Tests.Cloud;

/// <summary>A CURVE client of a collector that has proven its key for one device id (the allow-list's ping proof), as the
/// spoof-attack tests use it.</summary>
internal static class CurvePeer
{
    /// <summary>Connects to the collector at <paramref name="port"/> with <paramref name="clientKey"/>, pings as
    /// <paramref name="deviceId"/> with its key proof and waits for the answer (the connection is then bound to that id).</summary>
    public static DealerSocket ConnectAuthenticated(int port, NetMQCertificate server, NetMQCertificate clientKey, string deviceId)
    {
        var peer = new DealerSocket();
        peer.Options.Linger = TimeSpan.Zero;
        peer.Options.CurveServerKey = server.PublicKey;
        peer.Options.CurveCertificate = clientKey;
        peer.Connect($"tcp://127.0.0.1:{port}");
        byte[] proof = DeviceProof.Create(deviceId, clientKey.SecretKeyZ85!, server.PublicKeyZ85);
        peer.SendFrame(WireCodec.Encode(Envelope.Create(deviceId, 1, new Ack { Sequences = [], Proof = proof })));
        Assert.True(peer.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out _)); // authenticated as deviceId
        return peer;
    }
}
