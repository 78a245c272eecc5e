using System.Buffers;
using System.Diagnostics;
using Appliance.Device.Outbox;
using Appliance.Contracts.Wire;
using Appliance.Drivers.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Device.Uplink;

/// <summary>
/// Device side of the uplink: encodes summaries, alerts and heartbeats into the outbox and sends them to
/// the collector over a ZeroMQ DEALER socket, within a window of unacknowledged messages, resending what
/// stays unacknowledged. Receives acknowledgements and commands on the same socket.
/// </summary>
/// <remarks>
/// Threads: <see cref="Enqueue(Summary)"/> and friends are thread-safe; the DEALER socket is owned by one
/// thread running a <see cref="NetMQPoller"/> (NetMQ sockets are not thread-safe). A successful send
/// proves nothing: only an <see cref="Ack"/> (sent by the collector after its store commits) advances the
/// outbox's high-water mark, so a message lost with a dropped connection is resent once it timed out and the collector's pong
/// says it does not hold it (UplinkClient.Flow.cs). The collector stores idempotently by (device, incarnation, sequence),
/// so a resend never duplicates. Frames are single-part: [envelope].
/// </remarks>
public sealed partial class UplinkClient : IDisposable
{
    private const int ReceiveBurst = 1024;
    private readonly UplinkOptions _options;
    private readonly IOutbox _outbox;
    private readonly ILogger _logger;
    private readonly object _appendGate = new();
    private readonly ArrayBufferWriter<byte> _encodeBuffer = new(512); // reused under _appendGate: the outbox copies
    private readonly object _progressGate = new();
    private DealerSocket _socket;
    private readonly NetMQQueue<int> _wake;
    private readonly NetMQTimer _tick;
    private readonly NetMQPoller _poller;
    private readonly List<(long Seq, byte[] Record)> _batch = new(64);
    private TaskCompletionSource _ackProgress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private Timer? _heartbeatTimer;
    private int _wakePending;
    private bool _disposed;

    // Owned by the poller thread.
    private long _sendCursor = 1;
    private long _highestSent;
    private long _lastProgressTicks;

    private long _sent;
    private long _acknowledged;
    private long _lastAckTimestamp;
    private long _retransmits;
    private long _malformed;
    private long _commands;
    private long _commandFaults;
    private long _sendStalls;
    private long _heartbeatFaults;
    private long _deadPeers;
    private long _reconnects;
    private int _link = (int)UplinkLinkState.Connecting;
    private long _lastReceivedTicks;
    private long _lastPingTicks;
    private long _pingSequence;
    private TimeSpan _backoff; // the extra silence allowed before the next dead-peer detection, drawn from _reconnect
    private readonly Backoff _reconnect;
    private byte[]? _proof;
    private readonly ResendLog _resendLog;

    /// <summary>Creates the client; nothing connects until <see cref="Start"/>.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="outbox">Where encoded frames wait for acknowledgement; this client must be its only writer.</param>
    /// <param name="logger">Logger, or null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> fails <see cref="UplinkOptions.Validate"/>.</exception>
    public UplinkClient(UplinkOptions options, IOutbox outbox, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(outbox);
        options.Validate();
        _options = options;
        _outbox = outbox;
        _logger = logger ?? NullLogger.Instance;
        _resendLog = new ResendLog(_logger);

        _socket = UplinkSocket.Create(_options, OnReceiveReady);
        _reconnect = new Backoff(options.PingInterval, options.ReconnectBackoffMax);

        _wake = new NetMQQueue<int>();
        _wake.ReceiveReady += OnWake;

        long tickMs = Math.Clamp((long)(options.ResendAfter.TotalMilliseconds / 4), 10, 250);
        _tick = new NetMQTimer(TimeSpan.FromMilliseconds(tickMs));
        _tick.Elapsed += OnTick;

        _poller = [_socket, _wake, _results];
        _poller.Add(_tick);
        _results.ReceiveReady += OnResult;
        _sendCursor = outbox.HighestAcknowledged + 1;
        _highestSent = outbox.HighestAcknowledged;
        InitFlow();
    }

    /// <summary>State of the link as seen by the heartbeat: up once a frame came back, down after a dead-peer detection.</summary>
    public UplinkLinkState Link => (UplinkLinkState)Volatile.Read(ref _link);

    /// <summary>Raised on the uplink thread for each command received; keep handlers short.
    /// A handler's exception is logged and counted in <see cref="UplinkCounters.CommandHandlerFaults"/>.</summary>
    public event Action<Command>? CommandReceived;

    /// <summary>
    /// <see cref="Stopwatch.GetTimestamp"/> on the uplink thread when the latest acknowledgement that advanced the outbox
    /// arrived (0 before any): the moment "stored and acknowledged" is known on the device, before any waiter is woken.
    /// </summary>
    public long LastAcknowledgedTimestamp => Interlocked.Read(ref _lastAckTimestamp);

    /// <summary>A snapshot of the counters.</summary>
    public UplinkCounters Counters => new(
        Interlocked.Read(ref _sent),
        Interlocked.Read(ref _acknowledged),
        Interlocked.Read(ref _retransmits),
        Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _commands),
        Interlocked.Read(ref _commandFaults),
        Interlocked.Read(ref _sendStalls),
        Interlocked.Read(ref _heartbeatFaults),
        Interlocked.Read(ref _deadPeers),
        Interlocked.Read(ref _reconnects));

    /// <summary>Connects to the collector and starts the uplink thread (and the heartbeat timer, if configured).</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_thread is not null)
        {
            throw new InvalidOperationException("uplink client already started");
        }

        UplinkLog.Connecting(_logger, _options.DeviceId, CurrentEndpoint);
        _socket.Connect(CurrentEndpoint);
        if (_options.CurveServerPublicKey is not null)
        {
            _proof = DeviceProof.Create(_options.DeviceId, _options.CurveSecretKey!, _options.CurveServerPublicKey);
        }

        // The first frame on every connection is a ping (with the key proof when CURVE is on), before any data.
        _lastPingTicks = Stopwatch.GetTimestamp();
        _pinged = _socket.TrySendFrame(TimeSpan.Zero, WireCodec.Encode(Envelope.Create(_options.DeviceId, ++_pingSequence, new Ack { Sequences = [], Proof = _proof })));
        _lastProgressTicks = _lastReceivedTicks = Stopwatch.GetTimestamp();
        _thread = new Thread(_poller.Run) { IsBackground = true, Name = "uplink" };
        _thread.Start();

        // NetMQPoller.Stop/StopAsync throw unless the poller runs; Dispose must be safe right after Start.
        if (!SpinWait.SpinUntil(() => _poller.IsRunning, TimeSpan.FromSeconds(5)))
        {
            throw new InvalidOperationException("uplink poller thread did not start within 5 s");
        }
        Wake();
        if (_options.HeartbeatSource is not null)
        {
            StartHeartbeats();
        }
    }

    /// <summary>Encodes one body under the next sequence and the outbox's incarnation into the outbox (one writer at a time)
    /// and wakes the sender.</summary>
    /// <remarks>The envelope factory is a static lambda: cached by the compiler, so this allocates no delegate per call.</remarks>
    private long Enqueue<T>(T body, Func<string, long, T, long, Envelope> envelope)
    {
        lock (_appendGate)
        {
            long seq = _outbox.HighestWritten + 1;
            _encodeBuffer.ResetWrittenCount();
            WireCodec.Encode(envelope(_options.DeviceId, seq, body, _outbox.Incarnation), _encodeBuffer);
            return Append(seq);
        }
    }

    /// <summary>Encodes a summary into the outbox and wakes the sender. Thread-safe.</summary>
    /// <param name="s">The summary.</param>
    /// <returns>Its sequence.</returns>
    /// <exception cref="OutboxFullException">The outbox stayed full.</exception>
    public long Enqueue(Summary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Enqueue(s, static (device, seq, body, incarnation) => Envelope.Create(device, seq, body, incarnation));
    }

    /// <summary>Encodes an alert into the outbox and wakes the sender. Thread-safe.</summary>
    /// <param name="a">The alert.</param>
    /// <returns>Its sequence.</returns>
    /// <exception cref="OutboxFullException">The outbox stayed full.</exception>
    public long Enqueue(Alert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Enqueue(a, static (device, seq, body, incarnation) => Envelope.Create(device, seq, body, incarnation));
    }

    /// <summary>Encodes a heartbeat into the outbox and wakes the sender. Thread-safe.</summary>
    /// <param name="h">The heartbeat.</param>
    /// <returns>Its sequence.</returns>
    /// <exception cref="OutboxFullException">The outbox stayed full.</exception>
    public long Enqueue(Heartbeat h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return Enqueue(h, static (device, seq, body, incarnation) => Envelope.Create(device, seq, body, incarnation));
    }

    /// <summary>Encodes a camera clip's chunk (or a dropped clip's event record) into the outbox and wakes the sender. Thread-safe.</summary>
    /// <param name="c">The chunk.</param>
    /// <returns>Its sequence.</returns>
    /// <exception cref="OutboxFullException">The outbox stayed full.</exception>
    public long Enqueue(ClipChunk c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Enqueue(c, static (device, seq, body, incarnation) => Envelope.Create(device, seq, body, incarnation));
    }

    /// <summary>Waits until everything enqueued before the call is acknowledged.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when acknowledged in time; false on timeout.</returns>
    public async Task<bool> FlushAsync(TimeSpan timeout)
    {
        long target = _outbox.HighestWritten;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            Task progress;
            lock (_progressGate)
            {
                progress = _ackProgress.Task;
            }

            if (_outbox.HighestAcknowledged >= target)
            {
                return true;
            }

            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            await Task.WhenAny(progress, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(left, 200)))).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the uplink thread and closes the socket without lingering; returns within about a second even with no peer.
    /// Unacknowledged records stay in the outbox.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _heartbeatTimer?.Dispose();
        if (_thread is not null)
        {
            // StopAsync + a bounded Join rather than Stop(), which waits without a timeout.
            if (_poller.IsRunning)
            {
                _poller.StopAsync();
            }

            _thread.Join(TimeSpan.FromSeconds(1.5));
        }

        _poller.Dispose();
        _socket.Dispose();
        _wake.Dispose();
        _results.Dispose();
    }

    /// <summary>Appends the frame in <see cref="_encodeBuffer"/>; called under <see cref="_appendGate"/>.</summary>
    private long Append(long expected)
    {
        long seq = _outbox.Append(_encodeBuffer.WrittenSpan);
        if (seq != expected)
        {
            throw new InvalidOperationException(
                $"outbox assigned sequence {seq}, expected {expected}: something other than this uplink client appends to its outbox");
        }

        Wake();
        return seq;
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0 && !_disposed)
        {
            _wake.Enqueue(0);
        }
    }

    private void EnqueueHeartbeat()
    {
        try
        {
            Enqueue(_options.HeartbeatSource!());
        }
        catch (Exception ex) when (ex is OutboxFullException or ObjectDisposedException or InvalidOperationException or ArgumentException)
        {
            Interlocked.Increment(ref _heartbeatFaults);
            UplinkLog.HeartbeatFailed(_logger, ex);
        }
    }

    private void OnWake(object? sender, NetMQQueueEventArgs<int> e)
    {
        while (e.Queue.TryDequeue(out _, TimeSpan.Zero))
        {
        }

        Volatile.Write(ref _wakePending, 0);
        Pump();
    }

    /// <summary>Pings the collector every PingInterval (spread ±10 %); after Liveness silent intervals (plus the backoff) closes the socket
    /// and connects a new one; what was in flight is resent once it times out and the new connection's pong says the collector
    /// does not hold it (uplink thread).</summary>
    private void Heartbeat()
    {
        long now = Stopwatch.GetTimestamp();
        ConnectWhenDue(now);
        TimeSpan silent = Stopwatch.GetElapsedTime(_lastReceivedTicks, now);
        // Frames waiting unread: the peer is alive and this thread was held up (a slow journal fsync): not silence.
        if (silent >= (_options.PingInterval * _options.Liveness) + _backoff && !_socket.HasIn)
        {
            Interlocked.Increment(ref _deadPeers);
            Volatile.Write(ref _link, (int)UplinkLinkState.Down);
            UplinkLog.DeadPeer(_logger, CurrentEndpoint, (long)silent.TotalMilliseconds, (long)_backoff.TotalMilliseconds);
            Reconnect(now); // a new socket: to the same endpoint at once, or to the next one after a full-jitter wait
            Interlocked.Increment(ref _reconnects);
            _lastReceivedTicks = now;
            _lastPingTicks = 0; // ping (and prove the key) on the new connection before any data
            OnReconnect();
        }

        if (Stopwatch.GetElapsedTime(_lastPingTicks, now) >= _pingWait || (!_pinged && _socket.HasOut))
        {
            _lastPingTicks = now;
            _pingWait = Backoff.Spread(_options.PingInterval, PingJitter);
            byte[] ping = WireCodec.Encode(Envelope.Create(_options.DeviceId, ++_pingSequence, new Ack { Sequences = [], Proof = _proof }));
            _pinged |= _socket.TrySendFrame(TimeSpan.Zero, ping); // a full queue is itself a sign the peer is gone: liveness decides
        }
    }

    private void OnTick(object? sender, NetMQTimerEventArgs e)
    {
        Heartbeat();
        ResendTimedOut();
        Pump();
    }

    /// <summary>Sends unacknowledged records from the cursor while the window has room (uplink thread).</summary>
    private void Pump()
    {
        while (true)
        {
            long acked = _outbox.HighestAcknowledged;
            _sendCursor = Math.Max(_sendCursor, acked + 1);
            long inFlight = _sendCursor - 1 - acked;
            int room = (int)Math.Min(_options.AckWindow - inFlight, 64);
            if (room <= 0 || !_pinged || !SocketMayTake()) // no connection (frames queue only on one): read nothing, the records stay mergeable
            {
                return;
            }

            if (_outbox.HighestDurable < _outbox.HighestWritten)
            {
                _outbox.Sync(); // group commit: one fsync covers every record appended since the last send
            }

            _batch.Clear();
            if (_outbox.ReadFrom(_sendCursor, room, _batch) == 0)
            {
                return;
            }

            if (inFlight == 0)
            {
                _lastProgressTicks = Stopwatch.GetTimestamp(); // the resend clock starts with the first message in flight
            }

            foreach ((long seq, byte[] record) in _batch)
            {
                if (!_socket.TrySendFrame(TimeSpan.Zero, record))
                {
                    // High-water mark reached (no peer yet, or a slow one): retry on the next tick or ack.
                    Interlocked.Increment(ref _sendStalls);
                    _sendCursor = seq;
                    _socketTakes = false;
                    return;
                }

                _socketTakes = true;

                if (seq <= _highestSent)
                {
                    Interlocked.Increment(ref _retransmits);
                }
                else
                {
                    Interlocked.Increment(ref _sent);
                    _highestSent = seq;
                }

                SentAt(seq, Stopwatch.GetTimestamp());
                _sendCursor = seq + 1;
            }
        }
    }

    private void OnReceiveReady(object? sender, NetMQSocketEventArgs e)
    {
        bool progress = false;
        _lastReceivedTicks = Stopwatch.GetTimestamp();
        _backoff = TimeSpan.Zero;
        _reconnect.Reset();
        Volatile.Write(ref _link, (int)UplinkLinkState.Up);
        for (int i = 0; i < ReceiveBurst && e.Socket.TryReceiveFrameBytes(out byte[]? frame, out bool more); i++)
        {
            if (more)
            {
                // The collector sends single-frame messages; drain and drop the rest of a multi-part one.
                while (more && e.Socket.TryReceiveFrameBytes(out _, out more))
                {
                }

                Interlocked.Increment(ref _malformed);
                UplinkLog.Malformed(_logger, frame.Length, "multi-part message (expected one frame)");
                continue;
            }

            if (!WireCodec.TryDecode(frame, out Envelope env, out string? error))
            {
                Interlocked.Increment(ref _malformed);
                UplinkLog.Malformed(_logger, frame.Length, error!);
                continue;
            }

            if (env.DeviceId != _options.DeviceId)
            {
                Interlocked.Increment(ref _malformed);
                UplinkLog.Malformed(_logger, frame.Length, $"addressed to device '{env.DeviceId}', this is '{_options.DeviceId}'");
                continue;
            }

            switch (env.Body)
            {
                case Ack { Sequences.Count: 0 } pong:
                    OnPong(pong);
                    break;
                case Ack ack:
                    foreach (long seq in ack.Sequences)
                    {
                        if (_outbox.Acknowledge(env.Incarnation, seq))
                        {
                            Interlocked.Increment(ref _acknowledged);
                            progress = true;
                        }
                    }

                    break;
                case Command command:
                    Interlocked.Increment(ref _commands);
                    OnCommand(command);
                    break;
                default:
                    Interlocked.Increment(ref _malformed);
                    UplinkLog.Malformed(_logger, frame.Length, $"{env.MessageType} is not sent to devices");
                    break;
            }
        }

        if (progress)
        {
            _resendLog.Progress();
            OnProgress();
            _lastProgressTicks = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref _lastAckTimestamp, _lastProgressTicks);
            TaskCompletionSource done;
            lock (_progressGate)
            {
                done = _ackProgress;
                _ackProgress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            done.TrySetResult();
            Pump();
        }
    }
}
