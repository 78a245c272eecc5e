using System.Runtime.CompilerServices;

namespace Appliance.Runtime.Pipeline;

/// <summary>
/// A single-producer, single-consumer ring of samples for one sensor: timestamps (Unix ns) and C values per sample,
/// struct-of-arrays, allocated once. The sampling loop writes, the pipeline worker reads; neither locks.
/// </summary>
/// <remarks>
/// Write order that makes a reader safe: the producer stores the sample's timestamp and values, then publishes the new
/// tail with a release write (<see cref="Volatile.Write(ref long, long)"/>); the consumer reads the tail with an acquire
/// read before touching the slots, and publishes its head the same way after it has copied them.
/// A live sampling loop never blocks: when the ring is full, <see cref="TryWrite"/> returns false and the sample is
/// counted in <see cref="Overruns"/>. A replay, which must lose nothing, waits with <see cref="WaitForSpace"/>.
/// </remarks>
public sealed class SampleRing
{
    private readonly long[] _timestamps;
    private readonly float[] _values;
    private readonly int _mask;
    private long _head; // next slot to read (consumer-owned)
    private long _tail; // next slot to write (producer-owned)
    private long _overruns;
    private readonly ManualResetEventSlim _written = new(false);
    private readonly ManualResetEventSlim _read = new(false);

    /// <summary>Creates a ring of at least <paramref name="capacity"/> samples (rounded up to a power of two) of <paramref name="channels"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public SampleRing(int capacity, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _timestamps = new long[size];
        _values = new float[size * channels];
        _mask = size - 1;
        Channels = channels;
    }

    /// <summary>Values per sample.</summary>
    public int Channels { get; }

    /// <summary>Capacity in samples.</summary>
    public int Capacity => _timestamps.Length;

    /// <summary>Samples dropped because the ring was full (the consumer lagged).</summary>
    public long Overruns => Volatile.Read(ref _overruns);

    /// <summary>Samples written and not yet read.</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer: appends one sample, or counts an overrun and returns false when the ring is full.</summary>
    /// <param name="timestampNs">Unix nanoseconds.</param>
    /// <param name="values"><see cref="Channels"/> values.</param>
    public bool TryWrite(long timestampNs, ReadOnlySpan<float> values)
    {
        var tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _timestamps.Length)
        {
            Interlocked.Increment(ref _overruns);
            return false;
        }

        var slot = (int)(tail & _mask);
        _timestamps[slot] = timestampNs;
        values[..Channels].CopyTo(_values.AsSpan(slot * Channels, Channels));
        Volatile.Write(ref _tail, tail + 1);
        _written.Set();
        return true;
    }

    /// <summary>Producer: waits until there is room for one sample or <paramref name="token"/> is cancelled.</summary>
    public void WaitForSpace(CancellationToken token)
    {
        while (_tail - Volatile.Read(ref _head) >= _timestamps.Length && !token.IsCancellationRequested)
        {
            _read.Reset();
            if (_tail - Volatile.Read(ref _head) >= _timestamps.Length)
            {
                _read.Wait(10, CancellationToken.None);
            }
        }
    }

    /// <summary>Consumer: waits up to <paramref name="timeout"/> for at least one sample.</summary>
    /// <returns>True when a sample is available.</returns>
    public bool WaitForData(TimeSpan timeout)
    {
        if (Count > 0)
        {
            return true;
        }

        _written.Reset();
        return Count > 0 || (_written.Wait(timeout) && Count > 0);
    }

    /// <summary>Consumer: reads the oldest sample, if any, copying its values into <paramref name="values"/>.</summary>
    /// <returns>False when the ring is empty.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(out long timestampNs, Span<float> values)
    {
        var head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            timestampNs = 0;
            return false;
        }

        var slot = (int)(head & _mask);
        timestampNs = _timestamps[slot];
        _values.AsSpan(slot * Channels, Channels).CopyTo(values);
        Volatile.Write(ref _head, head + 1);
        _read.Set();
        return true;
    }
}
