using Appliance.Contracts.Wire;
using Appliance.Device.Outbox;
using Appliance.Kernels.Statistics;

namespace Appliance.Device.Uplink;

/// <summary>
/// A simulated device for fleet tests and benches (<c>appliance bench overload</c>, the reconnect-storm test, and
/// <c>appliance bench fleet</c>): a real <see cref="UplinkClient"/> (its own DEALER socket, thread and outbox) that sends
/// summaries of one fixed shape, sensor <c>sim</c>, channel <c>x</c>, 10 ms windows numbered from 2026-01-01T00:00:00Z, one
/// window per summary, so that every summary of a device is distinct and a store can tell loss from duplication.
/// </summary>
public sealed class SimulatedDevice : IDisposable
{
    /// <summary>Start of the first simulated window: 2026-01-01T00:00:00Z, UTC Unix ns.</summary>
    public const long FirstWindowNs = 1_767_225_600_000_000_000L;

    /// <summary>Length of a simulated window, ns (10 ms).</summary>
    public const long WindowNs = 10_000_000L;

    private static readonly WindowFeatures Features = WindowStatistics.Compute([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f]);
    private readonly object _gate = new();
    private long _produced;
    private long _outboxFull;

    private readonly AckLatency? _latency;
    private readonly Queue<(long Seq, long At)> _unacknowledged = new(); // under itself; only with _latency

    /// <summary>Creates the device; nothing connects until <see cref="Start"/>.</summary>
    /// <param name="options">Its uplink settings (endpoint and device id included).</param>
    /// <param name="outbox">Its own outbox (journal or memory); disposed with the device when disposable.</param>
    /// <param name="latency">Where to record each summary's acknowledgement latency (shared by a fleet); null records none.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> fails <see cref="UplinkOptions.Validate"/>.</exception>
    public SimulatedDevice(UplinkOptions options, IOutbox outbox, AckLatency? latency = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Outbox = outbox;
        _latency = latency;
        Client = new UplinkClient(latency is null ? options : options with { Acknowledged = OnAcknowledged }, outbox);
        DeviceId = options.DeviceId;
    }

    /// <summary>The device id.</summary>
    public string DeviceId { get; }

    /// <summary>The device's uplink client (counters, link state, last acknowledgement time).</summary>
    public UplinkClient Client { get; }

    /// <summary>The device's outbox.</summary>
    public IOutbox Outbox { get; }

    /// <summary>Summaries enqueued so far.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Summaries not enqueued because the outbox stayed full (a device never invents data: they are counted, not retried).</summary>
    public long OutboxFull => Interlocked.Read(ref _outboxFull);

    /// <summary>True when everything enqueued is acknowledged.</summary>
    public bool Drained => Outbox.HighestAcknowledged >= Outbox.HighestWritten;

    /// <summary>The summary of simulated window <paramref name="window"/> (0-based): sensor <c>sim</c>, channel <c>x</c>,
    /// starting <paramref name="window"/> × <see cref="WindowNs"/> after <see cref="FirstWindowNs"/>, fixed features.</summary>
    /// <param name="window">The window's index, >= 0.</param>
    /// <returns>A new summary.</returns>
    public static Summary Window(long window) => new()
    {
        Sensor = "sim",
        Channel = "x",
        WindowStartNs = FirstWindowNs + (window * WindowNs),
        WindowEndNs = FirstWindowNs + ((window + 1) * WindowNs),
        Features = Features,
    };

    /// <summary>Connects and starts the uplink thread.</summary>
    public void Start() => Client.Start();

    /// <summary>Enqueues <paramref name="count"/> summaries, the next windows of this device. Thread-safe.</summary>
    /// <param name="count">Summaries to enqueue; >= 0.</param>
    /// <returns>How many were enqueued (fewer when the outbox filled up; the rest are counted in <see cref="OutboxFull"/>).</returns>
    public int Emit(int count)
    {
        lock (_gate)
        {
            for (int i = 0; i < count; i++)
            {
                long window = _produced;
                long at = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    long seq = Client.Enqueue(Window(window));
                    if (_latency is not null)
                    {
                        lock (_unacknowledged)
                        {
                            _unacknowledged.Enqueue((seq, at));
                        }

                        if (Outbox.HighestAcknowledged >= seq)
                        {
                            OnAcknowledged(System.Diagnostics.Stopwatch.GetTimestamp()); // its acknowledgement came before it was queued
                        }
                    }
                }
                catch (OutboxFullException)
                {
                    _outboxFull += count - i;
                    return i;
                }

                Interlocked.Increment(ref _produced);
            }

            return count;
        }
    }

    /// <summary>The outbox's acknowledged mark moved (uplink thread): records the latency of every summary it passed.</summary>
    private void OnAcknowledged(long now)
    {
        long acknowledged = Outbox.HighestAcknowledged;
        lock (_unacknowledged)
        {
            while (_unacknowledged.TryPeek(out var e) && e.Seq <= acknowledged)
            {
                _unacknowledged.Dequeue();
                _latency!.Record(now - e.At);
            }
        }
    }

    /// <summary>Stops the client and disposes the outbox (when disposable).</summary>
    public void Dispose()
    {
        Client.Dispose();
        (Outbox as IDisposable)?.Dispose();
    }
}

/// <summary>
/// Simulated devices (<see cref="SimulatedDevice"/>) fed by one producer thread at a fleet-wide rate, spread round-robin over
/// the devices; the rate can change while it runs (an overload phase, then normal load).
/// </summary>
public sealed class SimulatedFleet : ISimulatedFleet
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private readonly List<SimulatedDevice> _devices;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _producer;
    private double _rate;

    /// <summary>A fleet of the given devices (not started).</summary>
    /// <param name="devices">The devices; the fleet owns and disposes them.</param>
    public SimulatedFleet(IEnumerable<SimulatedDevice> devices) => _devices = [.. devices];

    /// <summary>Creates <paramref name="count"/> devices named <c>sim-00000</c>, <c>sim-00001</c>, … for one endpoint.</summary>
    /// <param name="count">Devices; >= 1.</param>
    /// <param name="endpoint">The collector endpoint.</param>
    /// <param name="outbox">Makes each device's outbox from its id.</param>
    /// <param name="configure">Adjusts each device's <see cref="UplinkOptions"/> (window, ping interval…); null keeps the defaults.</param>
    /// <returns>The fleet, not started.</returns>
    public static SimulatedFleet Create(int count, string endpoint, Func<string, IOutbox> outbox, Func<UplinkOptions, UplinkOptions>? configure = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(outbox);
        var devices = new List<SimulatedDevice>(count);
        for (int i = 0; i < count; i++)
        {
            string id = $"sim-{i:D5}";
            var options = new UplinkOptions { Endpoint = endpoint, DeviceId = id };
            devices.Add(new SimulatedDevice(configure is null ? options : configure(options), outbox(id)));
        }

        return new SimulatedFleet(devices);
    }

    /// <summary>The devices.</summary>
    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    /// <inheritdoc/>
    public int Count => _devices.Count;

    /// <inheritdoc/>
    public long[] ProducedPerDevice => [.. _devices.Select(d => d.Produced)];

    /// <summary>Summaries per second offered by the whole fleet (0: none); may change while running.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set => Volatile.Write(ref _rate, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "expected a rate >= 0"));
    }

    /// <summary>Summaries enqueued by all devices.</summary>
    public long Produced => _devices.Sum(d => d.Produced);

    /// <summary>Summaries refused by full outboxes.</summary>
    public long OutboxFull => _devices.Sum(d => d.OutboxFull);

    /// <summary>The devices' uplink counters, summed.</summary>
    public UplinkCounters Counters
    {
        get
        {
            UplinkCounters t = default;
            foreach (SimulatedDevice d in _devices)
            {
                t = Sum(t, d.Client.Counters);
            }

            return t;
        }
    }

    /// <summary>Two sets of uplink counters added field by field (a fleet's devices, or fleets in several processes).</summary>
    /// <param name="t">One set.</param>
    /// <param name="c">The other.</param>
    /// <returns>The sums.</returns>
    public static UplinkCounters Sum(UplinkCounters t, UplinkCounters c) =>
        new(t.Sent + c.Sent, t.Acknowledged + c.Acknowledged, t.Retransmits + c.Retransmits,
            t.MalformedReceived + c.MalformedReceived, t.CommandsReceived + c.CommandsReceived,
            t.CommandHandlerFaults + c.CommandHandlerFaults, t.SendStalls + c.SendStalls, t.HeartbeatFaults + c.HeartbeatFaults,
            t.DeadPeers + c.DeadPeers, t.Reconnects + c.Reconnects);

    /// <summary>Devices whose link is up: a frame (the answer to the first ping, at the least) came from the collector.</summary>
    public int Connected => _devices.Count(d => d.Client.Link == UplinkLinkState.Up);

    /// <summary>
    /// Waits until every device's link is up, that is until each has had its first ping answered (<see cref="UplinkClient.Link"/>),
    /// so that a load phase started afterwards does not charge the connection's set-up to the first summaries' latency.
    /// </summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when all were up in time.</returns>
    public async Task<bool> WaitConnectedAsync(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Connected < _devices.Count)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>True when every device's outbox is fully acknowledged.</summary>
    public bool Drained => _devices.TrueForAll(d => d.Drained);

    /// <summary>Starts every device, then the producer thread.</summary>
    public void Start()
    {
        foreach (SimulatedDevice d in _devices)
        {
            d.Start();
        }

        _producer = new Thread(Produce) { IsBackground = true, Name = "sim-fleet" };
        _producer.Start();
    }

    /// <summary>Waits until every outbox is fully acknowledged.</summary>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>True when drained in time.</returns>
    public async Task<bool> WaitDrainedAsync(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Drained)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Waits until every device has an acknowledgement that arrived after <paramref name="since"/> (a collector restart, say)
    /// and returns, per device, the seconds from <paramref name="since"/> to the latest acknowledgement seen at the first check
    /// that found one (checks every 20 ms, so a figure is at most that late), or null for a device with none in time.
    /// </summary>
    /// <param name="since">A <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <returns>One entry per device, in <see cref="Devices"/> order.</returns>
    public async Task<double?[]> AcknowledgedSinceAsync(long since, TimeSpan timeout)
    {
        var seconds = new double?[_devices.Count];
        int left = _devices.Count;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (left > 0 && Environment.TickCount64 < deadline)
        {
            for (int i = 0; i < _devices.Count; i++)
            {
                long at = _devices[i].Client.LastAcknowledgedTimestamp;
                if (seconds[i] is null && at > since)
                {
                    seconds[i] = System.Diagnostics.Stopwatch.GetElapsedTime(since, at).TotalSeconds;
                    left--;
                }
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return seconds;
    }

    /// <summary>Stops the producer and every device.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _producer?.Join(TimeSpan.FromSeconds(2));
        foreach (SimulatedDevice d in _devices)
        {
            d.Dispose();
        }

        _stop.Dispose();
    }

    /// <summary>The producer: every 10 ms, the summaries the rate owes since the last tick, round-robin over the devices.</summary>
    private void Produce()
    {
        double owed = 0;
        int next = 0;
        long last = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!_stop.Token.WaitHandle.WaitOne(Tick))
        {
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            owed += Rate * System.Diagnostics.Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            last = now;
            int due = (int)Math.Min(owed, int.MaxValue);
            owed -= due;
            int each = due / _devices.Count, extra = due % _devices.Count;
            for (int i = 0; i < _devices.Count && due > 0; i++)
            {
                SimulatedDevice d = _devices[(next + i) % _devices.Count];
                d.Emit(each + (i < extra ? 1 : 0));
            }

            next = (next + extra) % _devices.Count;
        }
    }
}
