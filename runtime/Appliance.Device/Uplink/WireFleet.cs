using System.Diagnostics;
using Appliance.Contracts.Wire;
using NetMQ;
using NetMQ.Sockets;

namespace Appliance.Device.Uplink;

/// <summary>
/// Wire-level simulated devices for collector-scale benches (<c>appliance bench fleet --wire-devices</c>): every device is
/// one DEALER socket (<see cref="UplinkSocket.Create"/>, the uplink's own settings), and all of them share ONE
/// <see cref="NetMQPoller"/> thread. A device sends a link ping (an <see cref="Ack"/> with no sequences), then summaries of
/// <see cref="SimulatedDevice"/>'s shape (same sensor, channel and 10 ms windows from <see cref="SimulatedDevice.FirstWindowNs"/>)
/// encoded by <see cref="WireCodec"/> under one random incarnation, and keeps each unacknowledged frame in memory: no journal,
/// no <see cref="UplinkClient"/>. What stays unacknowledged for <see cref="ResendAfter"/> is resent by the uplink's rule
/// (docs/uplink.md, "Flow control"): the device pings, and only when the collector's pong says it holds none of the device's
/// messages uncommitted (<see cref="Ack.Pending"/> 0) are the frames sent before that ping and still unacknowledged sent again
/// (the collector's idempotency key drops a duplicate and acknowledges it again). A busy collector is waited for, not
/// flooded with resends.
/// </summary>
/// <remarks>
/// Why it exists: a full <see cref="SimulatedDevice"/> holds about ten NetMQ sockets (its DEALER, the pairs of its two queues,
/// its poller's own), and NetMQ makes each socket's signaler a loopback TCP connection (<c>Signaler</c>: bind to 127.0.0.1:0,
/// connect, accept), so a full device takes about 20 local ports of the machine's ephemeral range (32768-60999 here: about
/// 1,400 devices machine-wide, in any number of processes). A wire-level device takes one socket: its signaler's port and
/// its connection to the collector. It measures the collector (connections held, acknowledgement latency, memory), not the
/// device. Threads: <see cref="Rate"/>, the counters and <see cref="Drained"/> may be read from any thread; everything else
/// runs on the poller thread.
/// </remarks>
public sealed class WireFleet : ISimulatedFleet
{
    /// <summary>The producer's period. NetMQPoller polls every socket it holds on each wake-up, so a wake costs in proportion to
    /// the devices: ticks are kept few.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private readonly Peer[] _peers;
    private readonly AckLatency? _latency;
    private readonly NetMQPoller _poller;
    private readonly NetMQTimer _timer;
    private readonly long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private readonly string[] _endpoints;
    private Thread? _thread;
    private double _rate;
    private long _lastTick;
    private double _owed;
    private int _next;
    private long _lastResendScan;
    private long _produced;
    private long _sent;
    private long _acknowledged;
    private long _retransmits;
    private long _malformed;
    private int _connected;

    /// <summary>Creates <paramref name="ids"/>.Count devices (sockets created, nothing connected).</summary>
    /// <param name="ids">The devices' ids.</param>
    /// <param name="endpoint">Device i's collector endpoint.</param>
    /// <param name="latency">Where each summary's latency (creation to acknowledgement) is recorded; null records none.</param>
    /// <exception cref="ArgumentException">No ids.</exception>
    public WireFleet(IReadOnlyList<string> ids, Func<int, string> endpoint, AckLatency? latency = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfZero(ids.Count);
        _latency = latency;
        _peers = new Peer[ids.Count];
        _endpoints = new string[ids.Count];
        _poller = new NetMQPoller();
        for (int i = 0; i < ids.Count; i++)
        {
            _endpoints[i] = endpoint(i);
            var options = new UplinkOptions { Endpoint = _endpoints[i], DeviceId = ids[i], AckWindow = 64 };
            options.Validate();
            var peer = new Peer(ids[i]);
            peer.Socket = UplinkSocket.Create(options, (_, e) => OnReceive(peer, e.Socket));
            _peers[i] = peer;
            _poller.Add(peer.Socket);
        }

        _timer = new NetMQTimer(Tick);
        _timer.Elapsed += (_, _) => OnTick();
        _poller.Add(_timer);
    }

    /// <summary>How long a sent summary may stay unacknowledged before the device asks whether to send it again (default 30 s: on loopback a frame is lost only with its connection, and a shorter time resends frames still queued in a busy collector's socket buffers: with 5 s, 10,000 devices in 10 processes on 2 cores resent 3 million).</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Summaries created per device, in creation order.</summary>
    public long[] ProducedPerDevice => [.. _peers.Select(p => Interlocked.Read(ref p.Produced))];

    /// <summary>Summaries per second offered by the whole fleet (0: none), spread round-robin; may change while running.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "expected a rate >= 0"));
    }

    /// <inheritdoc/>
    public int Count => _peers.Length;

    /// <summary>Always 0: a wire-level device keeps what it made in memory, unbounded.</summary>
    public long OutboxFull => 0;

    /// <summary>Devices whose link ping has been answered.</summary>
    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Summaries created by all devices.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Counters in the uplink's shape: sent (first sends), acknowledged, retransmits, malformed frames received; the
    /// others are 0.</summary>
    public UplinkCounters Counters => new(Interlocked.Read(ref _sent), Interlocked.Read(ref _acknowledged),
        Interlocked.Read(ref _retransmits), Interlocked.Read(ref _malformed), 0, 0, 0, 0, 0, 0);

    /// <summary>True when every summary created has been acknowledged.</summary>
    public bool Drained => Interlocked.Read(ref _acknowledged) >= Interlocked.Read(ref _produced);

    /// <summary>Connects every device and starts the poller thread; each device sends its link ping.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("wire fleet already started");
        }

        for (int i = 0; i < _peers.Length; i++)
        {
            _peers[i].Socket.Connect(_endpoints[i]);
        }

        _lastTick = _lastResendScan = Stopwatch.GetTimestamp();
        _thread = new Thread(_poller.Run) { IsBackground = true, Name = "wire-fleet" };
        _thread.Start();
    }

    /// <summary>Waits until every device's link ping is answered (pings repeat every second until then).</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when all are connected in time.</returns>
    public Task<bool> WaitConnectedAsync(TimeSpan timeout) => WaitAsync(() => Connected == _peers.Length, timeout);

    /// <summary>Waits until every summary created is acknowledged.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when drained in time.</returns>
    public Task<bool> WaitDrainedAsync(TimeSpan timeout) => WaitAsync(() => Drained, timeout);

    /// <summary>Stops the poller and closes every socket.</summary>
    public void Dispose()
    {
        if (_thread is not null)
        {
            _poller.Stop();
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _poller.Dispose();
        foreach (Peer p in _peers)
        {
            p.Socket.Dispose();
        }
    }

    private static async Task<bool> WaitAsync(Func<bool> done, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!done())
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Poller thread, every 50 ms: pings of devices not yet connected (once a second), the summaries the rate owes
    /// round-robin, and every 250 ms the resend of what timed out.</summary>
    private void OnTick()
    {
        long now = Stopwatch.GetTimestamp();
        _owed += Rate * Stopwatch.GetElapsedTime(_lastTick, now).TotalSeconds;
        _lastTick = now;
        foreach (Peer p in _peers)
        {
            if (!p.Connected && (p.LastPing == 0 || Stopwatch.GetElapsedTime(p.LastPing, now) >= TimeSpan.FromSeconds(1)))
            {
                Ping(p, now);
            }
        }

        int due = (int)Math.Min(_owed, int.MaxValue);
        _owed -= due;
        for (int i = 0; i < due; i++)
        {
            Emit(_peers[_next], now);
            _next = (_next + 1) % _peers.Length;
        }

        if (Stopwatch.GetElapsedTime(_lastResendScan, now) >= TimeSpan.FromMilliseconds(250))
        {
            _lastResendScan = now;
            foreach (Peer p in _peers)
            {
                Resend(p, now);
            }
        }
    }

    private void Emit(Peer p, long now)
    {
        long window = p.Produced;
        long seq = p.NextSequence++;
        byte[] frame = WireCodec.Encode(Envelope.Create(p.Id, seq, SimulatedDevice.Window(window), _incarnation));
        bool sent = p.Socket.TrySendFrame(TimeSpan.Zero, frame);
        p.Unacknowledged.Add(seq, new Pending(now, sent ? now : 0, frame));
        Interlocked.Increment(ref p.Produced);
        Interlocked.Increment(ref _produced);
        if (sent)
        {
            Interlocked.Increment(ref _sent);
        }
    }

    /// <summary>Sends what was never sent (the socket refused it), and pings (at most once a second) when something sent has
    /// waited <see cref="ResendAfter"/>: the pong decides (<see cref="OnPong"/>).</summary>
    private void Resend(Peer p, long now)
    {
        bool overdue = false;
        foreach (Pending e in p.Unacknowledged.Values)
        {
            if (e.SentAt != 0)
            {
                overdue |= Stopwatch.GetElapsedTime(e.SentAt, now) >= ResendAfter;
            }
            else if (p.Socket.TrySendFrame(TimeSpan.Zero, e.Frame))
            {
                e.SentAt = now;
                Interlocked.Increment(ref _sent);
            }
        }

        if (overdue && Stopwatch.GetElapsedTime(p.LastPing, now) >= TimeSpan.FromSeconds(1))
        {
            Ping(p, now);
        }
    }

    private void Ping(Peer p, long now)
    {
        p.LastPing = now;
        p.Socket.TrySendFrame(TimeSpan.Zero, WireCodec.Encode(Envelope.Create(p.Id, ++p.PingSequence, new Ack { Sequences = [] })));
    }

    /// <summary>A pong: the device is connected; when the collector holds none of its messages uncommitted, what was sent before
    /// the ping and is still unacknowledged after <see cref="ResendAfter"/> was lost, and is sent again.</summary>
    private void OnPong(Peer p, Ack pong)
    {
        if (!p.Connected)
        {
            p.Connected = true;
            Interlocked.Increment(ref _connected);
        }

        if (pong.Pending is > 0)
        {
            return;
        }

        long now = Stopwatch.GetTimestamp();
        foreach (Pending e in p.Unacknowledged.Values)
        {
            if (e.SentAt != 0 && e.SentAt <= p.LastPing && Stopwatch.GetElapsedTime(e.SentAt, now) >= ResendAfter)
            {
                if (!p.Socket.TrySendFrame(TimeSpan.Zero, e.Frame))
                {
                    return;
                }

                e.SentAt = now;
                Interlocked.Increment(ref _retransmits);
            }
        }
    }

    private void OnReceive(Peer p, NetMQSocket socket)
    {
        while (socket.TryReceiveFrameBytes(out byte[]? frame, out bool more))
        {
            if (more || !WireCodec.TryDecode(frame, out Envelope env, out _) || env.DeviceId != p.Id || env.Body is not Ack ack)
            {
                while (more && socket.TryReceiveFrameBytes(out _, out more))
                {
                }

                Interlocked.Increment(ref _malformed);
                continue;
            }

            if (ack.Sequences.Count == 0)
            {
                OnPong(p, ack);
                continue;
            }

            long now = Stopwatch.GetTimestamp();
            foreach (long seq in ack.Sequences)
            {
                if (env.Incarnation == _incarnation && p.Unacknowledged.Remove(seq, out Pending? e))
                {
                    _latency?.Record(now - e!.CreatedAt);
                    Interlocked.Increment(ref _acknowledged);
                }
            }
        }
    }

    /// <summary>A summary sent and not yet acknowledged: when it was created and last sent (0: not yet), and its frame.</summary>
    private sealed class Pending(long createdAt, long sentAt, byte[] frame)
    {
        public readonly long CreatedAt = createdAt;
        public readonly byte[] Frame = frame;
        public long SentAt = sentAt;
    }

    /// <summary>One wire-level device; its fields are the poller thread's, except the counters read through Interlocked.</summary>
    private sealed class Peer(string id)
    {
        public readonly string Id = id;
        public readonly SortedDictionary<long, Pending> Unacknowledged = [];
        public DealerSocket Socket = null!;
        public long NextSequence = 1;
        public long Produced;
        public long PingSequence;
        public long LastPing;
        public bool Connected;
    }
}
