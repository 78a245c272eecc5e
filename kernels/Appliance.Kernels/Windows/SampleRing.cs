using System.Runtime.CompilerServices;

namespace Appliance.Kernels.Windows;

/// <summary>
/// A single-producer, single-consumer ring of samples for one sensor: timestamps (Unix ns) and C values per sample,
/// struct-of-arrays, allocated once. The sampling loop writes, the pipeline worker reads; neither locks.
/// </summary>
/// <remarks>
/// Layout: one array of timestamps and one block of <see cref="Capacity"/> floats per channel (channel-major), so that
/// a channel's unread samples lie contiguous in at most two segments (the second after the wrap to slot 0). A consumer
/// that aggregates takes them with <see cref="Peek"/>, <see cref="TimestampSegments"/> and <see cref="ChannelSegments"/>
/// as spans over the ring's own storage, feeds the window kernels with each segment (the device pipeline's
/// <see cref="TumblingWindow"/>; <c>Appliance.Kernels.Windows.HoppingWindow.Add</c>), and releases them with
/// <see cref="Advance"/>: nothing is copied. <see cref="TryRead"/> remains for a consumer that wants one sample at a time.
/// </remarks>
/// <remarks>
/// Write order that makes a reader safe: the producer stores the sample's timestamp and values, then publishes the new
/// tail with a release write (<see cref="Volatile.Write(ref long, long)"/>); the consumer reads the tail with an acquire
/// read before touching the slots, and publishes its head the same way after it has used them (copied, or run the kernels
/// over their segments): the producer never writes a slot between the head and the tail.
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
        _values = new float[size * channels]; // channel c's slots are [c·size, (c + 1)·size)
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
        var channelValues = values[..Channels];
        for (var c = 0; c < channelValues.Length; c++)
        {
            _values[(c * _timestamps.Length) + slot] = channelValues[c];
        }

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

    /// <summary>Consumer: waits up to <paramref name="timeout"/> for more than <paramref name="unread"/> unread samples.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="unread">Unread samples the consumer has already looked at and holds in the ring (for example
    /// <see cref="TumblingWindow.Held"/>); 0 waits for any sample.</param>
    /// <returns>True when a sample beyond those is available.</returns>
    public bool WaitForData(TimeSpan timeout, int unread = 0)
    {
        if (Count > unread)
        {
            return true;
        }

        _written.Reset();
        return Count > unread || (_written.Wait(timeout) && Count > unread);
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
        var channelValues = values[..Channels];
        for (var c = 0; c < channelValues.Length; c++)
        {
            channelValues[c] = _values[(c * _timestamps.Length) + slot];
        }

        Volatile.Write(ref _head, head + 1);
        _read.Set();
        return true;
    }
    /// <summary>Consumer: how many of the oldest unread samples (at most <paramref name="max"/>) can be taken as segments.</summary>
    /// <param name="max">Most samples wanted, ≥ 0.</param>
    /// <returns>The count to pass to <see cref="TimestampSegments"/>, <see cref="ChannelSegments"/> and <see cref="Advance"/>;
    /// the producer may add more meanwhile, it never touches these.</returns>
    public int Peek(int max) => (int)Math.Min(Math.Max(max, 0), Volatile.Read(ref _tail) - _head);

    /// <summary>Consumer: the timestamps of the <paramref name="count"/> oldest unread samples, as spans over the ring (no copy).</summary>
    /// <param name="count">A count from <see cref="Peek"/>.</param>
    /// <param name="first">The samples from the head up to the end of the storage (or all of them).</param>
    /// <param name="second">The rest, from slot 0 after the wrap; empty when the samples do not wrap.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> exceeds the unread samples.</exception>
    public void TimestampSegments(int count, out ReadOnlySpan<long> first, out ReadOnlySpan<long> second)
    {
        (int start, int firstLength) = Split(count);
        first = _timestamps.AsSpan(start, firstLength);
        second = _timestamps.AsSpan(0, count - firstLength);
    }

    /// <summary>Consumer: channel <paramref name="channel"/>'s values of the <paramref name="count"/> oldest unread samples,
    /// as spans over the ring (no copy), split where <see cref="TimestampSegments"/> splits.</summary>
    /// <param name="channel">Channel index, 0 ≤ channel &lt; <see cref="Channels"/>.</param>
    /// <param name="count">A count from <see cref="Peek"/>.</param>
    /// <param name="first">The values from the head up to the end of the channel's block (or all of them).</param>
    /// <param name="second">The rest, from the block's start after the wrap; empty when the samples do not wrap.</param>
    /// <exception cref="ArgumentOutOfRangeException">The channel is out of range, or <paramref name="count"/> exceeds the unread samples.</exception>
    public void ChannelSegments(int channel, int count, out ReadOnlySpan<float> first, out ReadOnlySpan<float> second)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        (int start, int firstLength) = Split(count);
        int block = channel * _timestamps.Length;
        first = _values.AsSpan(block + start, firstLength);
        second = _values.AsSpan(block, count - firstLength);
    }

    /// <summary>Consumer: releases the <paramref name="count"/> oldest unread samples (after their segments were used) to the producer.</summary>
    /// <param name="count">A count from <see cref="Peek"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or exceeds the unread samples.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        Volatile.Write(ref _head, _head + count);
        _read.Set();
    }

    private (int Start, int FirstLength) Split(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, (int)(Volatile.Read(ref _tail) - _head));
        var start = (int)(_head & _mask);
        return (start, Math.Min(count, _timestamps.Length - start));
    }
}
