namespace Appliance.Device.Outbox;

/// <summary>
/// An in-memory <see cref="IOutbox"/> bounded by a count of unacknowledged records. Lost on restart; the
/// disk journal of issue 6 replaces it behind the same interface.
/// </summary>
/// <remarks>
/// Full policy: <see cref="Append"/> blocks until the high-water mark advances, for at most the append
/// timeout, and then throws <see cref="OutboxFullException"/>. Nothing is ever dropped silently: waits
/// are counted in <see cref="AppendWaits"/> and failures in <see cref="AppendRejections"/>.
/// Storage is a ring of <c>capacity</c> slots indexed by <c>sequence % capacity</c>; the slot of
/// sequence s is free once the high-water mark reaches s.
/// </remarks>
public sealed class MemoryOutbox : IOutbox
{
    private readonly object _gate = new();
    private readonly byte[]?[] _records;
    private readonly bool[] _acked;
    private readonly TimeSpan _appendTimeout;
    private long _highestWritten;
    private long _highestAcknowledged;
    private long _appendWaits;
    private long _appendRejections;

    /// <summary>Creates an empty outbox.</summary>
    /// <param name="capacity">Most records held above the high-water mark; at least 1.</param>
    /// <param name="appendTimeout">How long <see cref="Append"/> waits for room; <see cref="TimeSpan.Zero"/> fails at once.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> &lt; 1 or a negative timeout.</exception>
    public MemoryOutbox(int capacity, TimeSpan appendTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(appendTimeout, TimeSpan.Zero);
        _records = new byte[capacity][];
        _acked = new bool[capacity];
        _appendTimeout = appendTimeout;
    }

    /// <summary>Most records held above the high-water mark.</summary>
    public int Capacity => _records.Length;

    /// <inheritdoc />
    public long HighestWritten
    {
        get
        {
            lock (_gate)
            {
                return _highestWritten;
            }
        }
    }

    /// <inheritdoc />
    public long HighestAcknowledged
    {
        get
        {
            lock (_gate)
            {
                return _highestAcknowledged;
            }
        }
    }

    /// <summary>Appends that found the outbox full and had to wait.</summary>
    public long AppendWaits => Interlocked.Read(ref _appendWaits);

    /// <summary>Appends that failed with <see cref="OutboxFullException"/>.</summary>
    public long AppendRejections => Interlocked.Read(ref _appendRejections);

    /// <inheritdoc />
    public long Append(ReadOnlySpan<byte> record)
    {
        byte[] copy = record.ToArray();
        lock (_gate)
        {
            if (_highestWritten - _highestAcknowledged >= _records.Length)
            {
                Interlocked.Increment(ref _appendWaits);
                long deadline = Environment.TickCount64 + (long)_appendTimeout.TotalMilliseconds;
                while (_highestWritten - _highestAcknowledged >= _records.Length)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0 || !Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left)))
                    {
                        if (_highestWritten - _highestAcknowledged < _records.Length)
                        {
                            break;
                        }

                        Interlocked.Increment(ref _appendRejections);
                        throw new OutboxFullException(
                            $"outbox full: {_records.Length} records unacknowledged above sequence {_highestAcknowledged} for {_appendTimeout.TotalMilliseconds} ms (is the collector reachable?)");
                    }
                }
            }

            long seq = ++_highestWritten;
            int slot = (int)(seq % _records.Length);
            _records[slot] = copy;
            _acked[slot] = false;
            return seq;
        }
    }

    /// <inheritdoc />
    public int ReadFrom(long sequence, int max, List<(long Seq, byte[] Record)> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_gate)
        {
            int added = 0;
            for (long s = Math.Max(sequence, _highestAcknowledged + 1); s <= _highestWritten && added < max; s++)
            {
                int slot = (int)(s % _records.Length);
                if (!_acked[slot])
                {
                    into.Add((s, _records[slot]!));
                    added++;
                }
            }

            return added;
        }
    }

    /// <inheritdoc />
    /// <remarks>A memory outbox is new at every start, so its incarnation is made once, in the constructor.</remarks>
    public long Incarnation { get; } = OutboxIncarnation.New();

    /// <summary>Marks one sequence of this outbox's <see cref="Incarnation"/> as stored by the collector.</summary>
    /// <param name="sequence">The sequence acknowledged.</param>
    /// <returns>As <see cref="Acknowledge(long, long)"/>.</returns>
    public bool Acknowledge(long sequence) => Acknowledge(Incarnation, sequence);

    /// <inheritdoc />
    public bool Acknowledge(long incarnation, long sequence)
    {
        lock (_gate)
        {
            if (incarnation != Incarnation || sequence <= _highestAcknowledged || sequence > _highestWritten)
            {
                return false;
            }

            int slot = (int)(sequence % _records.Length);
            if (_acked[slot])
            {
                return false;
            }

            _acked[slot] = true;
            bool advanced = false;
            while (_highestAcknowledged < _highestWritten)
            {
                int next = (int)((_highestAcknowledged + 1) % _records.Length);
                if (!_acked[next])
                {
                    break;
                }

                _records[next] = null;
                _highestAcknowledged++;
                advanced = true;
            }

            if (advanced)
            {
                Monitor.PulseAll(_gate);
            }

            return true;
        }
    }
}
