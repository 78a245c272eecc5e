using Appliance.Cloud.Storage;
using System.Globalization;
using Appliance.Contracts.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Cloud.Ingest;

/// <summary>
/// Cloud side of the uplink: a ZeroMQ ROUTER socket that receives device envelopes, stores them in
/// batches and acknowledges each stored (or already stored) sequence AFTER the store's commit returns.
/// </summary>
/// <remarks>
/// Frames in: [routing id, envelope] (a DEALER peer sends one frame; ROUTER prefixes the routing id).
/// Frames out: [routing id, ack or command envelope]. Anything else is counted in
/// <see cref="CollectorCounters.Malformed"/> and dropped; the collector never throws on input. An Ack with no
/// sequences from a device is a link ping and is answered at once with an empty Ack (the device's dead-peer check) that says how many
/// of the device's messages the collector holds uncommitted (<see cref="Ack.Pending"/>). A batch is everything readable at once, up
/// to 1024 messages; it is committed by the store worker (Collector.StoreWorker.cs), never on the poller thread, so pings are
/// answered while the store is busy. The socket is owned by one poller thread. Every decoded frame is checked
/// against <see cref="WireLimits"/> first; bounds, quarantine, bounded routes and rate-limited warnings: docs/uplink.md.
/// </remarks>
public sealed partial class Collector : IDisposable
{
    private const int BatchLimit = 1024;
    private readonly string _endpoint;
    private readonly ICollectorStore _store;
    private readonly ILogger _logger;
    private readonly RouterSocket _socket;
    private readonly NetMQQueue<(string DeviceId, Command Command)> _commands;
    private readonly NetMQPoller _poller;
    private readonly List<Envelope> _batch = new(BatchLimit);
    private readonly List<byte[]> _batchRoutes = new(BatchLimit);
    private readonly List<(byte[] Route, Envelope Envelope)> _refusedInBatch = [];
    private readonly RouteTable<byte[]> _routes = new(RouteCapacity, RouteTtl);
    private readonly LogLimiter _malformedLog = new(TimeSpan.FromSeconds(10));
    private readonly LogLimiter _refusedLog = new(TimeSpan.FromSeconds(10));
    private readonly LogLimiter _undeliverableLog = new(TimeSpan.FromSeconds(10));
    private Thread? _thread;
    private bool _disposed;
    private long _pendingMalformed;
    private long _outSequence;

    private long _received;
    private long _stored;
    private long _duplicates;
    private long _malformed;
    private long _acksSent;
    private long _storeFaults;
    private long _undeliverable;
    private long _commandsSent;
    private long _pings;
    private long _refused;
    private long _outOfBounds;
    private long _quarantined;
    private long _faults;
    private readonly byte[]? _serverSecret;
    private Dictionary<string, string>? _allowed; // replaced whole by the registry refresh (poller thread)
    private readonly RouteTable<(string DeviceId, string KeyId)> _authenticated = new(RouteCapacity, RouteTtl); // route (hex) → device, key

    /// <summary>Most device routes (and authenticated connections) remembered; the oldest eighth goes when full.</summary>
    public const int RouteCapacity = 65_536;

    /// <summary>How long a route not refreshed by a ping or a message is remembered (a device pings every few seconds).</summary>
    public static readonly TimeSpan RouteTtl = TimeSpan.FromMinutes(10);

    /// <summary>Creates the collector; nothing binds until <see cref="Start"/>.</summary>
    /// <param name="listenEndpoint">ZeroMQ TCP endpoint to bind, e.g. <c>tcp://0.0.0.0:5555</c>; port 0 binds a free port.</param>
    /// <param name="store">Where messages go; not disposed by the collector.</param>
    /// <param name="logger">Logger, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="listenEndpoint"/> is not <c>tcp://host:port</c>.</exception>
    /// <param name="curveSecretKey">The collector's CURVE secret key (Z85, 40 characters; its public key is pinned on the
    /// devices), or null for plaintext. With a key every connection must complete the CurveZMQ handshake (RFC 26).</param>
    /// <param name="allowedDevices">With <paramref name="curveSecretKey"/>: the device allow-list, public key (Z85) → the
    /// device id it may send as ("*" for any). A connection's data is accepted only after its ping carried a valid
    /// <see cref="DeviceProof"/> for a listed key; everything else is refused (counted, not acknowledged). Null: any
    /// device that completes the CURVE handshake is accepted.</param>
    /// <param name="useDeviceRegistry">With <paramref name="curveSecretKey"/>: the allow-list is <paramref name="allowedDevices"/>
    /// (when given) plus the store's device registry (<see cref="Control.DeviceRegistry"/>), read again every
    /// <see cref="RegistryRefresh"/>: an added key connects and a revoked one is cut off (counted in
    /// <see cref="CollectorCounters.Revoked"/>) while the collector runs.</param>
    /// <exception cref="NotSupportedException"><paramref name="useDeviceRegistry"/> on a store without a registry.</exception>
    public Collector(string listenEndpoint, ICollectorStore store, ILogger? logger = null, string? curveSecretKey = null, IReadOnlyDictionary<string, string>? allowedDevices = null, bool useDeviceRegistry = false)
    {
        ArgumentNullException.ThrowIfNull(listenEndpoint);
        ArgumentNullException.ThrowIfNull(store);
        CollectorEndpoint.Parse(listenEndpoint);

        _endpoint = listenEndpoint;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
        _socket = new RouterSocket();
        _socket.Options.Linger = TimeSpan.Zero;
        _socket.Options.RouterMandatory = true; // an unroutable ack raises instead of vanishing, so it is counted
        _socket.Options.ReceiveHighWatermark = 16 * BatchLimit;
        if (curveSecretKey is not null)
        {
            var certificate = NetMQCertificate.CreateFromSecretKey(curveSecretKey);
            _socket.Options.CurveServer = true;
            _socket.Options.CurveCertificate = certificate;
            _serverSecret = certificate.SecretKey;
        }

        if (allowedDevices is not null || useDeviceRegistry)
        {
            if (_serverSecret is null)
            {
                throw new ArgumentException("collector device allow-list given without a CURVE secret key (expected both)", nameof(allowedDevices));
            }

            _allowed = (allowedDevices ?? new Dictionary<string, string>()).ToDictionary(kv => DeviceProof.KeyId(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        }

        _socket.ReceiveReady += OnReceiveReady;
        _commands = new NetMQQueue<(string DeviceId, Command Command)>();
        _commands.ReceiveReady += OnCommand;
        _poller = [_socket, _commands];
        InitControl(useDeviceRegistry);
    }

    /// <summary>The bound TCP port; 0 before <see cref="Start"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Binds the socket and starts the collector thread.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="NetMQException">The endpoint cannot be bound, e.g. <see cref="AddressAlreadyInUseException"/>
    /// when the port stays in use for 2 s.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_thread is not null)
        {
            throw new InvalidOperationException("collector already started");
        }

        if (_endpoint.EndsWith(":0", StringComparison.Ordinal))
        {
            Port = _socket.BindRandomPort(_endpoint[..^2]);
        }
        else
        {
            BindFixedPort();
            string bound = _socket.Options.LastEndpoint ?? _endpoint;
            Port = int.Parse(bound.AsSpan(bound.LastIndexOf(':') + 1), CultureInfo.InvariantCulture);
        }

        CollectorLog.Listening(_logger, _endpoint, Port);
        StartStoreWorker();
        _thread = new Thread(_poller.Run) { IsBackground = true, Name = "collector" };
        _thread.Start();

        // NetMQPoller.Stop/StopAsync throw unless the poller runs; Dispose must be safe right after Start.
        if (!SpinWait.SpinUntil(() => _poller.IsRunning, TimeSpan.FromSeconds(5)))
        {
            throw new InvalidOperationException("collector poller thread did not start within 5 s");
        }
    }

    /// <summary>Queues a command to a device; sent from the collector thread to the device's last known connection.
    /// A device never seen, or gone, is counted in <see cref="CollectorCounters.Undeliverable"/>. Thread-safe.</summary>
    /// <param name="deviceId">Device addressed.</param>
    /// <param name="command">The command.</param>
    public void SendCommand(string deviceId, Command command)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _commands.Enqueue((deviceId, command));
    }

    /// <summary>Stops the collector thread and closes the socket without lingering; returns within about a second.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_thread is not null)
        {
            // StopAsync + a bounded Join rather than Stop(), which waits without a timeout.
            if (_poller.IsRunning)
            {
                _poller.StopAsync();
            }

            _thread.Join(TimeSpan.FromSeconds(1.5));
        }

        StopStoreWorker();
        _poller.Dispose();
        _socket.Dispose();
        _commands.Dispose();
        _committed.Dispose();
    }

    /// <summary>
    /// Binds the configured port. NetMQ closes a disposed socket's listener on its I/O thread shortly after
    /// Dispose returns, so a collector restarted in the same process may find the port still held for a few
    /// milliseconds: retry for up to 2 s, then let the <see cref="AddressAlreadyInUseException"/> through.
    /// </summary>
    private void BindFixedPort()
    {
        long deadline = Environment.TickCount64 + 2000;
        while (true)
        {
            try
            {
                _socket.Bind(_endpoint);
                return;
            }
            catch (AddressAlreadyInUseException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    private static long UnixNowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private void Drop(int length, string reason, bool outOfBounds = false)
    {
        Interlocked.Increment(ref _malformed);
        if (outOfBounds)
        {
            Interlocked.Increment(ref _outOfBounds);
        }

        _pendingMalformed++;
        if (_malformedLog.ShouldLog(Environment.TickCount64, out long suppressed))
        {
            CollectorLog.Malformed(_logger, length, reason, suppressed);
        }
    }

    private void OnReceiveReady(object? sender, NetMQSocketEventArgs e)
    {
        // Nothing a peer sends may end the poller thread: a defect reached through input is counted and logged, and the
        // collector goes on with the next frame.
        try
        {
            Receive(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            CollectorLog.Fault(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _routesHeld, _routes.Count + _pingRoutes.Count);
        }
    }

    private static bool IsDeviceData(in Envelope env) => env.MessageType is MessageType.Summary or MessageType.Alert or MessageType.Heartbeat or MessageType.ClipChunk;

    private void Receive(NetMQSocketEventArgs e)
    {
        _batch.Clear();
        _batchRoutes.Clear();
        _refusedInBatch.Clear();
        for (int i = 0; i < BatchLimit && e.Socket.TryReceiveFrameBytes(out byte[]? route, out bool more); i++)
        {
            if (!more)
            {
                Drop(0, "message with no payload frame");
                continue;
            }

            byte[] frame = e.Socket.ReceiveFrameBytes(out more); // the rest of a multi-part message is already queued
            if (more)
            {
                while (more && e.Socket.TryReceiveFrameBytes(out _, out more))
                {
                }

                Drop(frame.Length, "more than one payload frame (expected [envelope])");
                continue;
            }

            if (!WireCodec.TryDecode(frame, out Envelope env, out string? error))
            {
                Drop(frame.Length, error!);
                continue;
            }

            if (!WireLimits.TryValidate(env, UnixNowNs(), out string? bounds))
            {
                // Refused, never stored; acknowledged all the same when it is a device's data under a valid id (on an
                // authenticated connection where there is an allow-list), so that a genuine device does not resend it forever.
                Drop(frame.Length, bounds!, outOfBounds: true);
                if (IsDeviceData(env) && WireLimits.IsDeviceId(env.DeviceId) && (_allowed is null || Authenticated(route, env, frame.Length)))
                {
                    _refusedInBatch.Add((route, env));
                }

                continue;
            }

            if (_allowed is not null && !Authenticated(route, env, frame.Length))
            {
                continue;
            }

            if (env.Body is Ack { Sequences.Count: 0 })
            {
                // A link ping (Paranoid Pirate heartbeat): answer with an empty Ack at once; nothing is stored.
                Interlocked.Increment(ref _pings);
                PingedFrom(env.DeviceId, route, Environment.TickCount64);
                long pending = _inStore.GetValueOrDefault(env.DeviceId);
                Send(route, env.DeviceId, Envelope.Create(env.DeviceId, ++_outSequence, new Ack { Sequences = [], Pending = pending }));
                continue;
            }

            if (env.Body is CommandResult commandResult)
            {
                OnCommandResult(env.DeviceId, commandResult);
                continue;
            }

            if (!IsDeviceData(env))
            {
                Drop(frame.Length, $"{env.MessageType} from device '{env.DeviceId}' (devices send summaries, alerts, heartbeats, clip chunks)");
                continue;
            }

            Interlocked.Increment(ref _received);
            _batch.Add(env);
            _batchRoutes.Add(route);
            Hold(env.DeviceId);
        }

        HandOff();
    }

    /// <summary>Allow-list check: a ping with a valid proof authenticates its connection for its device id; data is
    /// accepted only on an authenticated connection and only for that device id.</summary>
    private bool Authenticated(byte[] route, in Envelope env, int length)
    {
        string routeKey = Convert.ToHexString(route);
        long now = Environment.TickCount64;
        if (env.Body is Ack { Sequences.Count: 0, Proof: { } proof } && DeviceProof.Verify(proof, env.DeviceId, _serverSecret!, _allowed!))
        {
            _authenticated.Set(routeKey, (env.DeviceId, Convert.ToHexString(proof, 0, 32)), now);
            return true;
        }

        if (_authenticated.TryGet(routeKey, now, out var bound) && bound.DeviceId == env.DeviceId)
        {
            _authenticated.Set(routeKey, bound, now);
            return true;
        }

        Interlocked.Increment(ref _refused);
        if (_refusedLog.ShouldLog(now, out long suppressed))
        {
            CollectorLog.Refused(_logger, env.DeviceId, length, suppressed);
        }

        return false;
    }

    private void OnCommand(object? sender, NetMQQueueEventArgs<(string DeviceId, Command Command)> e)
    {
        try
        {
            SendCommands(e.Queue);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _faults);
            CollectorLog.Fault(_logger, ex);
        }
    }

    private void SendCommands(NetMQQueue<(string DeviceId, Command Command)> queue)
    {
        while (queue.TryDequeue(out var item, TimeSpan.Zero))
        {
            if (!TryGetRoute(item.DeviceId, Environment.TickCount64, out byte[]? route))
            {
                Undeliverable(item.DeviceId, "device not seen in the last 10 minutes");
                continue;
            }

            if (Send(route, item.DeviceId, Envelope.Create(item.DeviceId, ++_outSequence, item.Command)))
            {
                Interlocked.Increment(ref _commandsSent);
            }
        }
    }

    private bool Send(byte[] route, string deviceId, in Envelope envelope)
    {
        byte[] frame;
        try
        {
            frame = WireCodec.Encode(envelope);
        }
        catch (ArgumentException ex)
        {
            // Device ids are bounded on receipt (WireLimits), so a reply always fits; a command too large for a frame does not.
            Undeliverable(deviceId, ex.Message);
            return false;
        }

        try
        {
            if (_socket.TrySendFrame(TimeSpan.Zero, route, more: true) && _socket.TrySendFrame(TimeSpan.Zero, frame))
            {
                return true;
            }

            Undeliverable(deviceId, "send queue full");
            return false;
        }
        catch (HostUnreachableException)
        {
            Undeliverable(deviceId, "connection gone");
            return false;
        }
    }

    private void Undeliverable(string deviceId, string reason)
    {
        Interlocked.Increment(ref _undeliverable);
        if (_undeliverableLog.ShouldLog(Environment.TickCount64, out long suppressed))
        {
            CollectorLog.Undeliverable(_logger, deviceId, reason, suppressed);
        }
    }
}
